/**
 * Text fields of untrusted input. Every one refuses U+0000: PostgreSQL `text` cannot hold it, so a
 * NUL must be a `ValidationError` at decoding, the same on every adapter, not a failure in storage.
 */
import { Schema } from "effect"

/** Refuses strings containing U+0000. */
export const noNul = Schema.makeFilter((s: string) => !s.includes("\u0000") || "must not contain NUL (U+0000)")

/** Any text of at most `maxLength` characters (may be empty), without NUL. */
export const Bounded = (maxLength: number) => Schema.String.pipe(Schema.check(Schema.isMaxLength(maxLength), noNul))

/** A non-blank text of at most `maxLength` characters, kept exactly as given. */
export const NonBlank = (maxLength: number) =>
  Schema.String.pipe(
    Schema.check(
      Schema.isMaxLength(maxLength),
      noNul,
      Schema.makeFilter((s: string) => s.trim().length > 0 || "must not be blank")
    )
  )

/** A required text, trimmed on decoding, non-empty, at most `maxLength` characters. */
export const Trimmed = (maxLength: number) =>
  Schema.Trim.pipe(Schema.check(Schema.isNonEmpty({ message: "is required" }), Schema.isMaxLength(maxLength), noNul))
