/**
 * Junk for the junk-commands test (issue 13): every field of a valid input, at any depth, replaced
 * by junk of two kinds.
 *
 * - `refuse`: junk no field of any command may accept: text with NUL or a lone UTF-16 surrogate,
 *   a string of 1 MiB, numbers that are not numbers (NaN, ±Infinity, 1e400, beyond ±10^400), dates that
 *   are not dates. The command must fail with typed errors only (`ValidationError`, or a tag of its
 *   own) and write no row (not even one rolled back); a tag other than `ValidationError` is listed, as
 *   the junk got past the input schema.
 * - `maybe`: junk some field may accept (a missing or extra field, null, a wrong type where a field
 *   holds any JSON, -0, -1, 1.5, "", "NaN" or "1e400" where a number is written as text, an id-shaped
 *   string): the command's own input schema says whether it is junk; when it is, `ValidationError` and
 *   no row written; when not, the command may run, and must still never die.
 */
import * as fc from "fast-check"

export type Path = ReadonlyArray<string | number>

export interface Mutation {
  readonly path: Path
  readonly kind: "refuse" | "maybe"
  /** What was done, for the report: e.g. `NUL`, `missing`. */
  readonly label: string
  /** The junk value; `missing` deletes the field. */
  readonly value: unknown
  readonly missing?: boolean
}

const huge = "x".repeat(1 << 20)
const numericString = /^-?\d+(\.\d+)?%?$/
const dateString = /^\d{4}-\d{2}(-\d{2})?$/
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Junk for one leaf, by the type of its valid value. */
export const junkFor = (
  value: unknown
): ReadonlyArray<readonly [kind: Mutation["kind"], label: string, junk: unknown]> => {
  const maybe = (label: string, junk: unknown) => ["maybe", label, junk] as const
  const refuse = (label: string, junk: unknown) => ["refuse", label, junk] as const
  const common = [
    maybe("null", null),
    maybe("number", 42),
    maybe("boolean", true),
    maybe("object", { a: 1 }),
    maybe("array", [1])
  ]
  if (typeof value === "string") {
    return [
      refuse("NUL", "a\u0000b"),
      refuse("lone high surrogate", "a\uD800b"),
      refuse("NUL appended", `${value}\u0000`),
      refuse("lone low surrogate prepended", `\uDFFF${value}`),
      refuse("1 MiB string", huge),
      ...(numericString.test(value)
        // text that looks like a number may be a number (a quantity, a rate) or text (a code): the schema says
        ? [
          maybe("NaN", "NaN"),
          maybe("Infinity", "Infinity"),
          maybe("-Infinity", "-Infinity"),
          maybe("1e400", "1e400"),
          maybe("hex", "0x10"),
          maybe("-0", "-0"),
          maybe("negative", `-${value}`),
          maybe("non-integer", "2.5")
        ]
        : []),
      ...(dateString.test(value)
        ? [
          refuse("30 February", "2026-02-30"),
          refuse("month 13", "2026-13-01"),
          refuse("date with NUL", `${value}\u0000`)
        ]
        : []),
      ...(uuid.test(value)
        ? [
          maybe("not a uuid", "not-a-uuid"),
          maybe("nil uuid", "00000000-0000-0000-0000-000000000000"),
          maybe("uuid cut", value.slice(0, 35))
        ]
        : []),
      maybe("empty", ""),
      maybe("spaces", "   "),
      ...common
    ]
  }
  if (typeof value === "bigint") {
    return [
      refuse("NaN", Number.NaN),
      refuse("Infinity", Number.POSITIVE_INFINITY),
      refuse("-Infinity", Number.NEGATIVE_INFINITY),
      refuse("10^400", 10n ** 400n),
      refuse("-10^400", -(10n ** 400n)),
      refuse("1e400 as text", "1e400"),
      refuse("NaN as text", "NaN"),
      maybe("negative", -value - 1n),
      maybe("zero", 0n),
      maybe("non-integer", 1.5),
      maybe("-0", -0),
      maybe("as text", String(value)),
      ...common
    ]
  }
  if (typeof value === "number") {
    return [
      refuse("NaN", Number.NaN),
      refuse("Infinity", Number.POSITIVE_INFINITY),
      refuse("-Infinity", Number.NEGATIVE_INFINITY),
      // the literal a JSON client sends: it overflows to Infinity, which is what is refused
      // oxlint-disable-next-line no-loss-of-precision
      refuse("1e400", 1e400),
      refuse("NaN as text", "NaN"),
      maybe("negative", -value - 1),
      maybe("non-integer", value + 0.5),
      maybe("-0", -0),
      maybe("2^53", 2 ** 53),
      maybe("as text", String(value)),
      ...common
    ]
  }
  if (typeof value === "boolean") return [maybe("as text", String(value)), maybe("1", 1), ...common]
  if (value === null) {
    return [
      refuse("NUL", "a\u0000b"),
      refuse("lone high surrogate", "a\uD800b"),
      refuse("1 MiB string", huge),
      ...common
    ]
  }
  return [
    maybe("text", "x"),
    maybe("null", null),
    maybe("number", 42),
    maybe("empty object", {}),
    maybe("empty array", [])
  ]
}

/** Every path of `value`: its own fields at any depth (arrays: their first element). */
export const pathsOf = (value: unknown, prefix: Path = []): ReadonlyArray<Path> => {
  if (Array.isArray(value)) return value.length === 0 ? [] : [[...prefix, 0], ...pathsOf(value[0], [...prefix, 0])]
  if (value === null || typeof value !== "object") return []
  return Object.keys(value).flatMap((
    k
  ) => [[...prefix, k], ...pathsOf((value as Record<string, unknown>)[k], [...prefix, k])])
}

const get = (value: unknown, path: Path): unknown =>
  path.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], value)

/** Every mutation of `input`: each path × its junk, each field missing, one extra field, the whole input replaced. */
export const mutationsOf = (
  input: unknown
): ReadonlyArray<Mutation> => [
  ...pathsOf(input).flatMap((
    path
  ) => [
    ...junkFor(get(input, path)).map(([kind, label, value]): Mutation => ({ path, kind, label, value })),
    ...(typeof path[path.length - 1] === "string"
      ? [{ path, kind: "maybe" as const, label: "missing", value: undefined, missing: true }]
      : [])
  ]),
  { path: ["__extra"], kind: "maybe", label: "extra field", value: "a\u0000b" },
  { path: [], kind: "refuse", label: "whole input a string", value: "a\u0000b" },
  { path: [], kind: "refuse", label: "whole input a number", value: 42 },
  { path: [], kind: "maybe", label: "whole input null", value: null }
]

/** `input` with one mutation applied (a deep copy; bigints kept). */
export const apply = (input: unknown, m: Mutation): unknown => {
  if (m.path.length === 0) return m.value
  const copy = structuredClone(input) as Record<string | number, unknown>
  const parent = get(copy, m.path.slice(0, -1)) as Record<string | number, unknown>
  const key = m.path[m.path.length - 1]!
  if (m.missing) delete parent[key]
  else parent[key] = m.value
  return copy
}

/** Random junk text: any string with a NUL or a lone surrogate put at a random place (seeded by the caller). */
export const randomBadText: fc.Arbitrary<readonly [string, string]> = fc.tuple(
  fc.string({ maxLength: 40, unit: "binary" }),
  fc.constantFrom("\u0000", "\uD800", "\uDBFF", "\uDC00", "\uDFFF"),
  fc.nat()
).map(([s, bad, at]) => {
  const i = s.length === 0 ? 0 : at % s.length
  // do not split a surrogate pair: insert only between whole code points
  const safe = i > 0 && /[\uD800-\uDBFF]/.test(s[i - 1]!) ? i + 1 : i
  return [`${s.slice(0, safe)}${bad}${s.slice(safe)}`, JSON.stringify(bad)] as const
})

export const describePath = (path: Path): string => (path.length === 0 ? "(input)" : path.join("."))
