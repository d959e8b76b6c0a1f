/**
 * BIL-INV-12 as a property over generated lines (quantities with 3 decimals, discounts by amount or
 * percent, any VAT rate, prices with or without VAT): every line is exact and its parts add up. The
 * worked examples in invoices.test.ts pin the figures; this pins the arithmetic for every input.
 */
import { describe, expect, it } from "@effect/vitest"
import { Result, Schema } from "effect"
import * as fc from "fast-check"
import { Quantity, Rounding } from "@erpkit/kernel"
import { Invoice } from "../src/index.ts"
import { Arbitraries } from "../src/testing/index.ts"

const decodeLine = Schema.decodeUnknownSync(Invoice.LineInput)
const halfUp = (n: bigint, d: bigint) => Rounding.divide(n, d, "HalfUp")

describe("invoice line arithmetic", () => {
  it("BIL-INV-12 total = amount − discount + tax exactly; VAT added on net or taken from gross; never < 0", () => {
    const hits = { inclusive: 0, exclusive: 0, refused: 0 }
    fc.assert(
      fc.property(Arbitraries.lineInput(), (raw) => {
        const line = decodeLine(raw)
        const result = Invoice.computeLine(line, "items.0")
        const gross = halfUp(line.unitPriceMinor * line.quantity, Quantity.scale)
        const d = line.discount
        const grossDiscount = d === undefined
          ? 0n
          : d._tag === "Amount"
          ? d.amountMinor
          : halfUp(gross * d.rate.numerator, d.rate.denominator)
        if (Result.isFailure(result)) {
          hits.refused++
          // only a discount larger than the line, or an amount out of range, is refused
          expect(
            grossDiscount > gross || gross > 10n ** 15n,
            "refused only for a discount over the line or an amount out of range"
          ).toBe(true)
          expect(["ValidationError", "AmountOutOfRange"]).toContain(result.failure._tag)
          return
        }
        const l = result.success
        const rate = l.taxRate
        expect(l.totalMinor).toBe(l.amountMinor - l.discountMinor + l.taxMinor)
        for (const part of [l.amountMinor, l.discountMinor, l.taxMinor, l.totalMinor]) expect(part >= 0n).toBe(true)
        if (l.priceIncludesVat) {
          hits.inclusive++
          // what the client pays is the gross after discount; the tax inside it is base × r / (1 + r)
          expect(l.totalMinor).toBe(gross - grossDiscount)
          expect(l.taxMinor).toBe(halfUp((gross - grossDiscount) * rate.numerator, rate.denominator + rate.numerator))
        } else {
          hits.exclusive++
          expect(l.amountMinor).toBe(gross)
          expect(l.discountMinor).toBe(grossDiscount)
          expect(l.taxMinor).toBe(halfUp((gross - grossDiscount) * rate.numerator, rate.denominator))
        }
      }),
      { numRuns: 1000 }
    )
    expect(hits.inclusive, JSON.stringify(hits)).toBeGreaterThan(200)
    expect(hits.exclusive, JSON.stringify(hits)).toBeGreaterThan(200)
  })
})
