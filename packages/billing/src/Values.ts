/**
 * Schemas for the values billing stores and accepts: amounts, rates, quantities, texts, instants.
 *
 * Stored values (the Type side) are exact: `bigint` minor units, `Rate` as a fraction of bigints,
 * `Quantity` as integer thousandths. Their encoded forms are plain JSON / SQL columns (decimal strings
 * for amounts, rates and quantities), so a Postgres adapter maps them to `bigint`, `numeric` and `text`.
 *
 * Command inputs accept an amount as a `bigint`, a safe integer `number` or a decimal integer string
 * ("1050"), and a rate as a decimal string ("0.12", "12%", "450.123456"), so both TypeScript hosts and
 * JSON clients can call the commands; anything else is a `ValidationError`.
 */
import { Instant as KernelInstant, Money, Quantity, Rate, Text as KernelText } from "@erpkit/kernel"
import { Result, Schema, SchemaGetter } from "effect"

const bigintInput = Schema.Union([
  Schema.BigInt,
  Schema.BigIntFromString,
  Schema.Number.pipe(
    Schema.check(Schema.isInt()),
    Schema.decodeTo(Schema.BigInt, {
      decode: SchemaGetter.transform((n: number) => BigInt(n)),
      encode: SchemaGetter.transform((b: bigint) => Number(b))
    })
  )
])

/** An amount of minor units in `[minimum, Money.maxMinor]`, from a bigint, safe integer or integer string. */
export const amountInput = (minimum: bigint) =>
  bigintInput.pipe(Schema.check(Schema.isBetweenBigInt({ minimum, maximum: Money.maxMinor })))

/** Input: an amount > 0 (payments, credit notes, holds, top-ups). */
export const PositiveAmountInput = amountInput(1n)
/** Input: an amount ≥ 0 (prices, limits). */
export const NonNegativeAmountInput = amountInput(0n)

/** A ledger figure: running balances may pass `Money.maxMinor` for a moment; Postgres `bigint` holds them. */
export const LedgerMinorUnits = Schema.BigInt.pipe(
  Schema.check(Schema.isBetweenBigInt({ minimum: -(2n ** 62n), maximum: 2n ** 62n }))
)

const RateFraction = Schema.Struct({ numerator: Schema.BigInt, denominator: Schema.BigInt })

/** An exact rate stored and sent as a decimal string ("0.12", "12%" on input; "0.12" encoded). */
export const RateFromString = Rate.RateFromString.pipe(
  Schema.decodeTo(RateFraction, {
    decode: SchemaGetter.transform((s: string) => Result.getOrThrow(Rate.parse(s))),
    encode: SchemaGetter.transform((r: Rate.Rate) => Rate.format(r))
  })
)

const isAtMostOne = (r: Rate.Rate) => r.numerator <= r.denominator
const isPositiveRate = (r: Rate.Rate) => r.numerator > 0n

/** A percentage-like rate in [0, 1] ("12%", "0.12"): tax rates and percent discounts. */
export const FractionRate = RateFromString.pipe(
  Schema.check(Schema.makeFilter((r: Rate.Rate) => isAtMostOne(r) || "must be between 0 and 100 %"))
)

/** An exchange rate > 0 (units of the invoice currency per unit of the payment currency). */
export const ExchangeRate = RateFromString.pipe(
  Schema.check(Schema.makeFilter((r: Rate.Rate) => isPositiveRate(r) || "must be greater than 0"))
)

/** A positive quantity with at most 3 decimals, "2.5" on the wire, integer thousandths in memory. */
export const PositiveQuantity = Quantity.QuantityFromString.pipe(
  Schema.check(Schema.makeFilter((q: bigint) => q > 0n || "must be greater than 0"))
)

/**
 * A non-blank text of at most `maxLength` characters that PostgreSQL can store exactly (no NUL, no lone
 * UTF-16 surrogate): kernel `Text.NonBlank`, the schema of every text field of billing's command inputs.
 */
export const Text = KernelText.NonBlank

/** A UTC instant in epoch milliseconds (from `Clock`): the kernel's `Instant`. */
export const Instant = KernelInstant.Instant

/** Seconds a credit hold lives before `expireCreditHolds` voids it: 1 s … 30 days. */
export const HoldTimeoutSeconds = Schema.Number.pipe(
  Schema.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 30 * 24 * 3600 }))
)

/** How many rows one job run changes at most; the scheduler runs it again while it reports a full batch. */
export const BatchSizeMax = Schema.Number.pipe(
  Schema.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 10_000 }))
)
export const defaultBatchSizeMax = 1_000

/** A quantity ≥ 0 with at most 3 decimals (tier bounds, breakdowns). */
export const NonNegativeQuantity = Quantity.QuantityFromString.pipe(
  Schema.check(Schema.makeFilter((q: bigint) => q >= 0n || "must not be negative"))
)

/** A service level or zone name ("Express", "Almaty-Astana"), compared exactly. */
export const Label = Text(100)

/**
 * A row a set-based operation changed: its values before and after (the job's audit entry is
 * `AuditLog.entityChange(schema, before, after)`, TEN-07).
 */
export interface Changed<A> {
  readonly before: A
  readonly after: A
}
