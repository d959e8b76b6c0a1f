/**
 * Text fields of untrusted input. Every text a command accepts is one of these schemas, so that text
 * PostgreSQL cannot store is a `ValidationError` at decoding, the same on every adapter, and never a
 * failure in storage:
 * - U+0000 (NUL): `text` and `jsonb` cannot hold it (SQLSTATE 22021 / 22P05);
 * - a lone UTF-16 surrogate (`"a\uD800b"`, which any JSON client can send): it has no UTF-8 encoding,
 *   so it is replaced in `text` or refused in `jsonb` (SQLSTATE 22P02), silently changing or losing data.
 */
import { Schema } from "effect"

const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** The reason `s` cannot be stored, or `undefined` when it can. */
const unstorable = (s: string): string | undefined =>
  s.includes("\u0000")
    ? "must not contain NUL (U+0000)"
    : loneSurrogate.test(s)
    ? "must be well-formed Unicode (no lone UTF-16 surrogate)"
    : undefined

/** Whether PostgreSQL can store `s` exactly, as `text` or inside `jsonb`: no NUL, no lone surrogate. */
export const isStorable = (s: string): boolean => unstorable(s) === undefined

/** Refuses text PostgreSQL cannot store: NUL (U+0000) or a lone UTF-16 surrogate. */
export const storable = Schema.makeFilter((s: string) => unstorable(s) ?? true)

/** Any storable text of at most `maxLength` characters (may be empty). */
export const Bounded = (maxLength: number) => Schema.String.pipe(Schema.check(Schema.isMaxLength(maxLength), storable))

/** A non-blank storable text of at most `maxLength` characters, kept exactly as given. */
export const NonBlank = (maxLength: number) =>
  Schema.String.pipe(
    Schema.check(
      Schema.isMaxLength(maxLength),
      storable,
      Schema.makeFilter((s: string) => s.trim().length > 0 || "must not be blank")
    )
  )

/** A required storable text, trimmed on decoding, non-empty, at most `maxLength` characters. */
export const Trimmed = (maxLength: number) =>
  Schema.Trim.pipe(Schema.check(Schema.isNonEmpty({ message: "is required" }), Schema.isMaxLength(maxLength), storable))

/**
 * Whether every string inside a JSON-like value (keys included) is storable: for free-form fields
 * (`metadata`, setting values) that end in a `jsonb` column.
 */
export const isStorableJson = (value: unknown): boolean => {
  if (typeof value === "string") return isStorable(value)
  if (Array.isArray(value)) return value.every(isStorableJson)
  if (value !== null && typeof value === "object") {
    return Object.entries(value).every(([key, inner]) => isStorable(key) && isStorableJson(inner))
  }
  return true
}

/** Refuses a JSON-like value holding a string PostgreSQL cannot store (see {@link isStorableJson}). */
export const storableJson = Schema.makeFilter((value: unknown) =>
  isStorableJson(value) || "must not contain NUL (U+0000) or a lone UTF-16 surrogate in any string"
)
