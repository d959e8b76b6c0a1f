/**
 * Exact money: integer minor units (`bigint`) and an ISO 4217 currency. Amounts are bounded by
 * `maxMinor` (10^15 minor units) so sums of many amounts stay far inside Postgres `bigint`.
 * Operations on two amounts of different currencies fail with `CurrencyMismatch`.
 */
import { Result, Schema } from "effect"
import { Currency, exponentOf } from "./Currency.ts"
import type { Rate } from "./Rate.ts"
import { divide, type RoundingMode } from "./Rounding.ts"

export const maxMinor = 10n ** 15n

/** A signed amount of minor units within ±`maxMinor`. */
export const MinorUnits = Schema.BigInt.pipe(
  Schema.check(Schema.isBetweenBigInt({ minimum: -maxMinor, maximum: maxMinor }))
)
/** A non-negative amount of minor units. */
export const NonNegativeMinorUnits = Schema.BigInt.pipe(
  Schema.check(Schema.isBetweenBigInt({ minimum: 0n, maximum: maxMinor }))
)
/** A strictly positive amount of minor units. */
export const PositiveMinorUnits = Schema.BigInt.pipe(
  Schema.check(Schema.isBetweenBigInt({ minimum: 1n, maximum: maxMinor }))
)

export const Money = Schema.Struct({ amountMinor: MinorUnits, currency: Currency })
export interface Money {
  readonly amountMinor: bigint
  readonly currency: Currency
}
/** Money whose amount is > 0 (payments, credit notes). */
export const PositiveMoney = Schema.Struct({ amountMinor: PositiveMinorUnits, currency: Currency })
/** Money whose amount is ≥ 0 (limits, prices). */
export const NonNegativeMoney = Schema.Struct({ amountMinor: NonNegativeMinorUnits, currency: Currency })

export class CurrencyMismatch
  extends Schema.TaggedError<CurrencyMismatch>()("CurrencyMismatch", { expected: Currency, actual: Currency })
{
  override get message(): string {
    return `expected ${this.expected}, got ${this.actual}`
  }
}

export const make = (amountMinor: bigint, currency: Currency): Money => ({ amountMinor, currency })
export const zero = (currency: Currency): Money => make(0n, currency)

const sameCurrency = (a: Money, b: Money): Result.Result<Currency, CurrencyMismatch> =>
  a.currency === b.currency
    ? Result.succeed(a.currency)
    : Result.fail(new CurrencyMismatch({ expected: a.currency, actual: b.currency }))

export const add = (a: Money, b: Money): Result.Result<Money, CurrencyMismatch> =>
  Result.map(sameCurrency(a, b), (c) => make(a.amountMinor + b.amountMinor, c))

export const subtract = (a: Money, b: Money): Result.Result<Money, CurrencyMismatch> =>
  Result.map(sameCurrency(a, b), (c) => make(a.amountMinor - b.amountMinor, c))

/** -1, 0 or 1 as `a` is less than, equal to or greater than `b`. */
export const compare = (a: Money, b: Money): Result.Result<-1 | 0 | 1, CurrencyMismatch> =>
  Result.map(sameCurrency(a, b), () => (a.amountMinor < b.amountMinor ? -1 : a.amountMinor > b.amountMinor ? 1 : 0))

export const negate = (a: Money): Money => make(-a.amountMinor, a.currency)
export const isZero = (a: Money): boolean => a.amountMinor === 0n
export const isPositive = (a: Money): boolean => a.amountMinor > 0n
export const isNegative = (a: Money): boolean => a.amountMinor < 0n

/** Sum of amounts in one currency; the empty sum is zero. */
export const sum = (currency: Currency, amounts: Iterable<Money>): Result.Result<Money, CurrencyMismatch> => {
  let total = 0n
  for (const m of amounts) {
    if (m.currency !== currency) return Result.fail(new CurrencyMismatch({ expected: currency, actual: m.currency }))
    total += m.amountMinor
  }
  return Result.succeed(make(total, currency))
}

/** `a × rate`, rounded to a whole minor unit with the given mode. */
export const multiply = (a: Money, rate: Rate, mode: RoundingMode): Money =>
  make(divide(a.amountMinor * rate.numerator, rate.denominator, mode), a.currency)

/**
 * Converts to another currency at `rate` (units of `target` per unit of `a.currency`), taking the
 * exponents of both currencies into account.
 */
export const convert = (a: Money, target: Currency, rate: Rate, mode: RoundingMode): Money => {
  const shift = exponentOf(target) - exponentOf(a.currency)
  const numerator = a.amountMinor * rate.numerator * (shift > 0 ? 10n ** BigInt(shift) : 1n)
  const denominator = rate.denominator * (shift < 0 ? 10n ** BigInt(-shift) : 1n)
  return make(divide(numerator, denominator, mode), target)
}

/**
 * Splits `a` in proportion to `ratios` without losing or inventing a minor unit: each share is
 * rounded down and the remainder goes, one unit at a time, to the largest fractional parts.
 */
export const allocate = (a: Money, ratios: ReadonlyArray<bigint>): ReadonlyArray<Money> => {
  const total = ratios.reduce((s, r) => s + r, 0n)
  if (ratios.length === 0 || total <= 0n || ratios.some((r) => r < 0n)) {
    throw new RangeError("allocate needs at least one non-negative ratio with a positive sum")
  }
  const sign = a.amountMinor < 0n ? -1n : 1n
  const amount = a.amountMinor * sign
  const shares = ratios.map((r, index) => ({ index, base: (amount * r) / total, rest: (amount * r) % total }))
  let left = amount - shares.reduce((s, x) => s + x.base, 0n)
  const byRest = [...shares].sort((x, y) => (y.rest > x.rest ? 1 : y.rest < x.rest ? -1 : x.index - y.index))
  for (const share of byRest) {
    if (left === 0n) break
    share.base += 1n
    left -= 1n
  }
  return shares.map((s) => make(s.base * sign, a.currency))
}

/** "1234.50 KZT": the amount in major units with the currency's exponent, for display and logs. */
export const format = (a: Money): string => {
  const exponent = exponentOf(a.currency)
  const negative = a.amountMinor < 0n
  const digits = (negative ? -a.amountMinor : a.amountMinor).toString().padStart(exponent + 1, "0")
  const major = exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`
  return `${negative ? "-" : ""}${major} ${a.currency}`
}
