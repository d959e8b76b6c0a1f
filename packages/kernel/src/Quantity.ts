/**
 * Exact quantities with three decimals (the seeds' DECIMAL(10,3)), held as integer thousandths.
 * Written as decimal strings ("12.5", "0.125") at the edges; never a float.
 */
import { Result, Schema, SchemaGetter } from "effect"
import { ValidationError } from "./Errors.ts"

export const scale = 1000n
/** Upper bound: DECIMAL(10,3) holds at most 9 999 999.999. */
export const maxMilli = 9_999_999_999n

export const QuantityMilli = Schema.BigInt.pipe(
  Schema.check(Schema.isBetweenBigInt({ minimum: -maxMilli, maximum: maxMilli })),
  Schema.brand("QuantityMilli")
)
export type Quantity = typeof QuantityMilli.Type

const pattern = /^(-)?(\d{1,7})(?:\.(\d{1,3}))?$/

export const parse = (text: string): Result.Result<Quantity, ValidationError> => {
  const match = pattern.exec(text)
  if (!match) {
    return Result.fail(
      ValidationError.at([], `not a quantity with at most 3 decimals: ${JSON.stringify(text.slice(0, 40))}`)
    )
  }
  const milli = BigInt(match[2]!) * scale + BigInt((match[3] ?? "").padEnd(3, "0"))
  return Result.succeed((match[1] ? -milli : milli) as Quantity)
}

export const fromMilli = (milli: bigint): Quantity => milli as Quantity
export const fromUnits = (units: number | bigint): Quantity => (BigInt(units) * scale) as Quantity

export const format = (q: Quantity): string => {
  const negative = q < 0n
  const abs = negative ? -q : q
  const whole = abs / scale
  const fraction = (abs % scale).toString().padStart(3, "0").replace(/0+$/, "")
  return `${negative ? "-" : ""}${whole}${fraction ? `.${fraction}` : ""}`
}

/** A quantity written as a decimal string, decoded to exact thousandths. */
export const QuantityFromString = Schema.String.pipe(
  Schema.check(Schema.isPattern(pattern, { message: "must be a decimal with at most 3 decimals (e.g. \"12.5\")" })),
  Schema.decodeTo(QuantityMilli, {
    decode: SchemaGetter.transform((s: string) => Result.getOrThrow(parse(s))),
    encode: SchemaGetter.transform((q: bigint) => format(q as Quantity))
  })
)
