/**
 * Postgres `text` and `jsonb` cannot hold U+0000 (the wire protocol ends strings at NUL, and jsonb
 * rejects the `\u0000` escape). Rather than let the server fail mid-transaction with an opaque
 * 22021 / 22P05, values are checked before any SQL runs:
 *
 * - repositories call `checkText` / `checkJson` and get a typed kernel `ValidationError` naming the path;
 * - the kernel ports (`Outbox`, `AuditLog`, `Idempotency`) have no error channel, so they die with that
 *   same `ValidationError` (contexts should reject NUL when decoding input; see docs/postgres.md).
 *
 * Every other character, quotes, backslashes and SQL fragments included, is stored verbatim: statements
 * are always parameterized.
 */
import { Effect } from "effect"
import { Errors } from "@erpkit/kernel"

const NUL = "\u0000"

/** Whether any string (or object key) inside `value` contains U+0000; allocates nothing. */
const hasNul = (value: unknown): boolean => {
  if (typeof value === "string") return value.includes(NUL)
  if (value === null || typeof value !== "object") return false
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (hasNul(value[i])) return true
    return false
  }
  for (const k in value) {
    if (!Object.prototype.hasOwnProperty.call(value, k)) continue
    if (k.includes(NUL) || hasNul((value as Record<string, unknown>)[k])) return true
  }
  return false
}

/** The path of the first string (or object key) inside `value` that contains U+0000, if any. */
export const findNul = (value: unknown, path: ReadonlyArray<string> = []): ReadonlyArray<string> | undefined =>
  hasNul(value) ? findNulPath(value, path) : undefined

const findNulPath = (value: unknown, path: ReadonlyArray<string>): ReadonlyArray<string> | undefined => {
  if (typeof value === "string") return value.includes(NUL) ? path : undefined
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findNulPath(value[i], [...path, String(i)])
      if (found !== undefined) return found
    }
    return undefined
  }
  if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (k.includes(NUL)) return [...path, k]
      const found = findNulPath(v, [...path, k])
      if (found !== undefined) return found
    }
  }
  return undefined
}

export const nulError = (path: ReadonlyArray<string>): Errors.ValidationError =>
  Errors.ValidationError.at(path, "contains the NUL character (U+0000), which Postgres text and jsonb cannot store")

/** Fails with `ValidationError` when `value` (a string or JSON) contains U+0000 anywhere. */
export const check = (
  value: unknown,
  path: ReadonlyArray<string> = []
): Effect.Effect<void, Errors.ValidationError> => {
  const found = findNul(value, path)
  return found === undefined ? Effect.void : Effect.fail(nulError(found))
}

/**
 * `value` as JSON text, checked for U+0000 on the way: `JSON.stringify` writes every U+0000 (in a
 * string or a key) as the escape `\u0000`, so text without that substring holds none, and only text
 * with it (a real NUL, or a literal backslash-u0000 in some string) pays for the walk that finds the
 * path. `value` is JSON already (no bigint: `JSON.stringify` would throw, a defect).
 */
export const jsonText = (
  value: unknown,
  path: ReadonlyArray<string> = []
): Effect.Effect<string, Errors.ValidationError> => {
  const text = JSON.stringify(value)
  if (!text.includes("\\u0000")) return Effect.succeed(text)
  const found = findNul(value, path)
  return found === undefined ? Effect.succeed(text) : Effect.fail(nulError(found))
}

/** `jsonText` for ports without an error channel. */
export const jsonTextOrDie = (value: unknown, path: ReadonlyArray<string> = []): Effect.Effect<string> =>
  Effect.orDie(jsonText(value, path))

/** The same check for ports without an error channel: the `ValidationError` becomes a defect. */
export const checkOrDie = (value: unknown, path: ReadonlyArray<string> = []): Effect.Effect<void> =>
  Effect.orDie(check(value, path))
