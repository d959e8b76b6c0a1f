import { describe, expect, it } from "vitest"
import * as fc from "fast-check"
import { Result, Schema } from "effect"
import * as Money from "../src/Money.ts"
import * as Rate from "../src/Rate.ts"
import { divide, type RoundingMode } from "../src/Rounding.ts"
import * as Quantity from "../src/Quantity.ts"

const kzt = (minor: bigint) => Money.make(minor, "KZT")
const amount = fc.bigInt({ min: -Money.maxMinor, max: Money.maxMinor })

describe("Money", () => {
  it("adds and subtracts exactly in one currency", () => {
    fc.assert(fc.property(amount, amount, (a, b) => {
      const sum = Result.getOrThrow(Money.add(kzt(a), kzt(b)))
      expect(sum.amountMinor).toBe(a + b)
      expect(Result.getOrThrow(Money.subtract(sum, kzt(b))).amountMinor).toBe(a)
    }))
  })

  it("refuses to mix currencies with a typed CurrencyMismatch", () => {
    const mixed = Money.add(kzt(100n), Money.make(1n, "USD"))
    expect(Result.isFailure(mixed)).toBe(true)
    if (Result.isFailure(mixed)) {
      expect(mixed.failure._tag).toBe("CurrencyMismatch")
      expect(mixed.failure.actual).toBe("USD")
    }
    expect(Result.isFailure(Money.sum("KZT", [kzt(1n), Money.make(1n, "EUR")]))).toBe(true)
    expect(Result.isFailure(Money.compare(kzt(1n), Money.make(1n, "EUR")))).toBe(true)
  })

  it("allocates without losing or inventing a minor unit", () => {
    fc.assert(
      fc.property(
        amount,
        fc.array(fc.bigInt({ min: 0n, max: 1000n }), { minLength: 1, maxLength: 12 }),
        (a, ratios) => {
          fc.pre(ratios.some((r) => r > 0n))
          const parts = Money.allocate(kzt(a), ratios)
          expect(parts.reduce((s, p) => s + p.amountMinor, 0n)).toBe(a)
          // each share is within one minor unit of its exact proportion
          const total = ratios.reduce((s, r) => s + r, 0n)
          parts.forEach((p, i) => {
            const exact = a * ratios[i]! // compare p * total to a * ratio within one total
            const diff = p.amountMinor * total - exact
            expect(diff < 0n ? -diff : diff).toBeLessThan(total)
          })
        }
      )
    )
    expect(Money.allocate(kzt(100n), [1n, 1n, 1n]).map((m) => m.amountMinor)).toEqual([34n, 33n, 33n])
  })

  it("multiplies by an exact rate with the named rounding", () => {
    const twelvePercent = Result.getOrThrow(Rate.parse("12%"))
    expect(Money.multiply(kzt(1250n), twelvePercent, "HalfUp").amountMinor).toBe(150n)
    expect(Money.multiply(kzt(1254n), twelvePercent, "HalfUp").amountMinor).toBe(150n) // 150.48
    expect(Money.multiply(kzt(1255n), twelvePercent, "HalfUp").amountMinor).toBe(151n) // 150.6
    expect(Money.multiply(kzt(-1255n), twelvePercent, "HalfUp").amountMinor).toBe(-151n)
  })

  it("converts between currencies with different exponents", () => {
    const rate = Result.getOrThrow(Rate.parse("0.005")) // 1 KZT = 0.005 JPY? (exponent 2 → 0)
    expect(Money.convert(kzt(100_00n), "JPY", rate, "HalfUp")).toEqual(Money.make(1n, "JPY"))
    expect(Money.convert(Money.make(1n, "JPY"), "KZT", Result.getOrThrow(Rate.parse("3.5")), "HalfUp")).toEqual(
      kzt(350n)
    )
    expect(Money.convert(kzt(1n), "KWD", Rate.one, "HalfUp")).toEqual(Money.make(10n, "KWD"))
  })

  it("decodes only bounded bigint amounts and known currencies", () => {
    const decode = Schema.decodeUnknownResult(Money.Money)
    expect(Result.isSuccess(decode({ amountMinor: 5n, currency: "KZT" }))).toBe(true)
    for (const bad of [
      { amountMinor: 1.5, currency: "KZT" },
      { amountMinor: Money.maxMinor + 1n, currency: "KZT" },
      { amountMinor: 1n, currency: "XXX" },
      { amountMinor: Number.NaN, currency: "KZT" },
      null
    ]) expect(Result.isFailure(decode(bad))).toBe(true)
    expect(Result.isFailure(Schema.decodeUnknownResult(Money.PositiveMoney)({ amountMinor: 0n, currency: "KZT" })))
      .toBe(true)
  })

  it("formats with the currency exponent", () => {
    expect(Money.format(kzt(123456n))).toBe("1234.56 KZT")
    expect(Money.format(kzt(-5n))).toBe("-0.05 KZT")
    expect(Money.format(Money.make(7n, "JPY"))).toBe("7 JPY")
    expect(Money.format(Money.make(1234n, "KWD"))).toBe("1.234 KWD")
  })
})

describe("Rounding", () => {
  const cases: Array<[bigint, bigint, RoundingMode, bigint]> = [
    [5n, 2n, "HalfUp", 3n],
    [-5n, 2n, "HalfUp", -3n],
    [5n, 2n, "HalfEven", 2n],
    [7n, 2n, "HalfEven", 4n],
    [5n, 2n, "HalfDown", 2n],
    [5n, 2n, "Down", 2n],
    [5n, 2n, "Up", 3n],
    [-5n, 2n, "Floor", -3n],
    [-5n, 2n, "Ceiling", -2n],
    [4n, 3n, "HalfUp", 1n],
    [5n, 3n, "HalfUp", 2n],
    [6n, -4n, "HalfUp", -2n]
  ]
  it.each(cases)("%s / %s with %s = %s", (n, d, mode, expected) => {
    expect(divide(n, d, mode)).toBe(expected)
  })
  it("every mode stays within one unit of the exact quotient", () => {
    const modes: Array<RoundingMode> = ["HalfUp", "HalfEven", "HalfDown", "Up", "Down", "Ceiling", "Floor"]
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        fc.constantFrom(...modes),
        (n, d, mode) => {
          const q = divide(n, d, mode)
          const diff = q * d - n
          expect(diff < 0n ? -diff : diff).toBeLessThan(d)
        }
      )
    )
  })
})

describe("Rate and Quantity", () => {
  it("parses decimal and percent rates exactly", () => {
    expect(Result.getOrThrow(Rate.parse("12%"))).toEqual({ numerator: 3n, denominator: 25n })
    expect(Rate.format(Result.getOrThrow(Rate.parse("1.234567")))).toBe("1.234567")
    for (const bad of ["", "-1", "1e5", "NaN", "0x10", "1.2.3"]) expect(Result.isFailure(Rate.parse(bad))).toBe(true)
  })

  it("holds quantities as exact thousandths", () => {
    expect(Result.getOrThrow(Quantity.parse("12.5"))).toBe(12_500n)
    expect(Quantity.format(Result.getOrThrow(Quantity.parse("0.125")))).toBe("0.125")
    expect(Result.isFailure(Quantity.parse("1.2345"))).toBe(true)
    expect(Schema.decodeUnknownSync(Quantity.QuantityFromString)("3.001")).toBe(3_001n)
    expect(Result.isFailure(Schema.decodeUnknownResult(Quantity.QuantityFromString)("abc"))).toBe(true)
    fc.assert(fc.property(fc.bigInt({ min: -Quantity.maxMilli, max: Quantity.maxMilli }), (milli) => {
      expect(Result.getOrThrow(Quantity.parse(Quantity.format(Quantity.fromMilli(milli))))).toBe(milli)
    }))
  })
})
