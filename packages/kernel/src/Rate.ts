/**
 * An exact, non-negative rational rate: an exchange rate, a tax rate, a discount percentage.
 * Built from a decimal string ("1.234567", "12.5%") so no float ever enters a money calculation.
 */
import { Result, Schema } from "effect"
import { ValidationError } from "./Errors.ts"

export interface Rate {
  readonly numerator: bigint
  readonly denominator: bigint
}

const decimalPattern = /^(\d{1,12})(?:\.(\d{1,12}))?$/

/** Parses "0.12", "1.234567" or "12%" into an exact rate. */
export const parse = (text: string): Result.Result<Rate, ValidationError> => {
  const percent = text.endsWith("%")
  const body = percent ? text.slice(0, -1) : text
  const match = decimalPattern.exec(body)
  if (!match) {
    return Result.fail(ValidationError.at([], `not a non-negative decimal rate: ${JSON.stringify(text.slice(0, 40))}`))
  }
  const fraction = match[2] ?? ""
  const numerator = BigInt(match[1]! + fraction)
  const denominator = 10n ** BigInt(fraction.length) * (percent ? 100n : 1n)
  return Result.succeed(normalize({ numerator, denominator }))
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b))

export const normalize = (rate: Rate): Rate => {
  const divisor = gcd(rate.numerator, rate.denominator) || 1n
  return { numerator: rate.numerator / divisor, denominator: rate.denominator / divisor }
}

export const one: Rate = { numerator: 1n, denominator: 1n }
export const zero: Rate = { numerator: 0n, denominator: 1n }

/** A rate of `basisPoints` / 10 000 (1200 = 12 %). */
export const fromBasisPoints = (basisPoints: number | bigint): Rate =>
  normalize({ numerator: BigInt(basisPoints), denominator: 10_000n })

/** Decimal text of a rate, exact when it terminates, otherwise to 12 places. */
export const format = (rate: Rate): string => {
  const whole = rate.numerator / rate.denominator
  let remainder = rate.numerator % rate.denominator
  let digits = ""
  for (let i = 0; i < 12 && remainder !== 0n; i++) {
    remainder *= 10n
    digits += String(remainder / rate.denominator)
    remainder %= rate.denominator
  }
  return digits ? `${whole}.${digits}` : String(whole)
}

/** A rate written as a decimal string, decoded exactly. */
export const RateFromString = Schema.String.pipe(
  Schema.check(
    Schema.makeFilter((s: string) =>
      Result.isSuccess(parse(s)) || "must be a non-negative decimal (e.g. \"1.25\" or \"12%\")"
    )
  )
)
