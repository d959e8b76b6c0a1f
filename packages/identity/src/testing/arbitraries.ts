/**
 * fast-check arbitraries for identity: e-mail addresses with case, Unicode and whitespace variants
 * of a known base (so tests know which variants must collide), names, BINs and junk input.
 */
import * as fc from "fast-check"
import { binCheckDigit } from "../Organization.ts"

/** Local parts that differ from each other even after case folding and NFC (accents matter). */
export const emailBases = ["ana", "anà", "zoë", "bolat", "öskemen", "jose", "josé", "dana"] as const

/** Characters whose upper case lower-cases back to themselves (so a case flip is a true variant). */
const flip = (ch: string): string => {
  const up = ch.toUpperCase()
  return up.length === ch.length && up.toLowerCase() === ch ? up : ch
}

export interface EmailVariant {
  /** Index into `emailBases`: equal bases must collide, different ones must not. */
  readonly base: number
  readonly email: string
}

/** One base address written in any case, composed or decomposed, with stray spaces around it. */
export const emailVariant: fc.Arbitrary<EmailVariant> = fc.record({
  base: fc.nat({ max: emailBases.length - 1 }),
  flips: fc.array(fc.boolean(), { minLength: 20, maxLength: 20 }),
  form: fc.constantFrom("NFC", "NFD"),
  domainUpper: fc.boolean(),
  pad: fc.constantFrom("", " ", "\t", "  ")
}).map(({ base, flips, form, domainUpper, pad }) => {
  const local = Array.from(emailBases[base]!, (ch, i) => (flips[i] ? flip(ch) : ch)).join("").normalize(
    form as "NFC" | "NFD"
  )
  const domain = domainUpper ? "Example.KZ" : "example.kz"
  return { base, email: `${pad}${local}@${domain}${pad}` }
})

export const name = fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.trim().length > 0)

/** 12-digit BINs with a valid check digit. */
export const validBin = fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 11, maxLength: 11 }).map((digits) =>
  digits.join("")
).filter((body) => binCheckDigit(`${body}0`) !== undefined).map((body): string => `${body}${binCheckDigit(`${body}0`)}`)

/** Anything a caller could send: objects, arrays, strings, numbers, nulls, nested junk. */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.anything(),
  fc.dictionary(
    fc.constantFrom(
      "userId",
      "email",
      "name",
      "role",
      "token",
      "bin",
      "code",
      "key",
      "value",
      "changes",
      "organizationId"
    ),
    fc.anything()
  )
)
