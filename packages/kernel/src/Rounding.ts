/**
 * Exact integer division with an explicit rounding mode. Every place that turns a fraction of a minor
 * unit into a whole one goes through `divide`, so the rounding rule is always named at the call site.
 */
import { Schema } from "effect"

export const RoundingMode = Schema.Literals(["HalfUp", "HalfEven", "HalfDown", "Up", "Down", "Ceiling", "Floor"])
export type RoundingMode = typeof RoundingMode.Type

const abs = (n: bigint): bigint => (n < 0n ? -n : n)

/** `numerator / denominator` rounded with `mode`; `denominator` must not be zero. */
export const divide = (numerator: bigint, denominator: bigint, mode: RoundingMode): bigint => {
  if (denominator === 0n) throw new RangeError("division by zero")
  if (denominator < 0n) return divide(-numerator, -denominator, mode)
  const quotient = numerator / denominator // truncates toward zero
  const remainder = numerator % denominator
  if (remainder === 0n) return quotient
  const sign = numerator < 0n ? -1n : 1n
  const away = quotient + sign
  const twiceRemainder = abs(remainder) * 2n
  switch (mode) {
    case "Down":
      return quotient
    case "Up":
      return away
    case "Ceiling":
      return sign > 0n ? away : quotient
    case "Floor":
      return sign < 0n ? away : quotient
    case "HalfUp":
      return twiceRemainder >= denominator ? away : quotient
    case "HalfDown":
      return twiceRemainder > denominator ? away : quotient
    case "HalfEven":
      if (twiceRemainder === denominator) return quotient % 2n === 0n ? quotient : away
      return twiceRemainder > denominator ? away : quotient
  }
}
