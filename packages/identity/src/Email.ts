/**
 * E-mail addresses (AUTH-03, AUTH-06). A user keeps the address as typed (trimmed, Unicode NFC) for
 * display; uniqueness compares a key that is also lower-cased, so `Ana@X.kz`, ` ana@x.kz ` and a
 * decomposed `é` all collide with their plain forms. Postgres stores the key in a column with a
 * unique index.
 */
import { Result } from "effect"
import { Errors, Text } from "@erpkit/kernel"

/** A pragmatic RFC 5321 shape: one `@`, no spaces or control characters, a dotted domain. */
const shape = /^[^\s@\p{Cc}]+@[^\s@\p{Cc}.]+(?:\.[^\s@\p{Cc}.]+)+$/u
export const maxLength = 254

export interface NormalizedEmail {
  /** What the user typed, trimmed and NFC-normalized. */
  readonly display: string
  /** The uniqueness key: `display` lower-cased (and NFC again, since lower-casing may decompose). */
  readonly key: string
}

/** The uniqueness key of an address, without validating it. */
export const keyOf = (email: string): string => email.trim().normalize("NFC").toLowerCase().normalize("NFC")

export const normalize = (
  raw: string,
  path: ReadonlyArray<string> = ["email"]
): Result.Result<NormalizedEmail, Errors.ValidationError> => {
  const display = raw.trim().normalize("NFC")
  if (display.length === 0) return Result.fail(Errors.ValidationError.at(path, "email is required"))
  if (display.length > maxLength) {
    return Result.fail(Errors.ValidationError.at(path, `email is longer than ${maxLength} characters`))
  }
  if (!shape.test(display)) return Result.fail(Errors.ValidationError.at(path, "email has an invalid format"))
  return Result.succeed({ display, key: keyOf(display) })
}

/** Input schema: a string of sane length; the format is checked by `normalize` after trimming. */
export const EmailInput = Text.Bounded(1024)
