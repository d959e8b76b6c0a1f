/**
 * fast-check arbitraries for billing inputs: valid command inputs (amounts, lines, invoices,
 * payments) and junk (wrong types, negative and huge amounts, NaN, 10 kB strings) for bad-input tests.
 */
import type { Currency } from "@erpkit/kernel"
import * as fc from "fast-check"

export const currency: fc.Arbitrary<Currency.Currency> = fc.constantFrom("KZT", "USD", "EUR", "JPY", "KWD")

/** Minor units in [min, max]. */
export const amountMinor = (min = 1n, max = 10_000_000n): fc.Arbitrary<bigint> => fc.bigInt({ min, max })

/** A decimal quantity string with up to 3 decimals, 0.001 … 1000. */
export const quantity: fc.Arbitrary<string> = fc.integer({ min: 1, max: 1_000_000 }).map((milli) => {
  const whole = Math.floor(milli / 1000)
  const fraction = String(milli % 1000).padStart(3, "0").replace(/0+$/, "")
  return fraction ? `${whole}.${fraction}` : String(whole)
})

export const taxRate: fc.Arbitrary<string> = fc.constantFrom("0%", "12%", "20%", "5.5%", "0.12", "100%")

const nonBlank = (maxLength: number) => fc.string({ minLength: 1, maxLength }).filter((s) => s.trim().length > 0)

export const lineInput = (options: { readonly unitPriceMax?: bigint } = {}) =>
  fc.record(
    {
      description: nonBlank(40),
      quantity,
      unitPriceMinor: amountMinor(0n, options.unitPriceMax ?? 1_000_000n),
      discount: fc.oneof(
        fc.record({ _tag: fc.constant("Percent" as const), rate: fc.constantFrom("0%", "10%", "50%", "100%") }),
        fc.record({ _tag: fc.constant("Amount" as const), amountMinor: amountMinor(0n, 100n) })
      ),
      taxRate,
      priceIncludesVat: fc.boolean()
    },
    { requiredKeys: ["description", "quantity", "unitPriceMinor"] }
  )

/** An ISO date in 2026. */
export const localDate: fc.Arbitrary<string> = fc.integer({ min: 0, max: 364 }).map((day) =>
  new globalThis.Date(Date.UTC(2026, 0, 1 + day)).toISOString().slice(0, 10)
)

export const createInvoiceInput = (accountId: string, invoiceNumber: fc.Arbitrary<string> = nonBlank(20)) =>
  fc.record({
    accountId: fc.constant(accountId),
    invoiceNumber,
    issueDate: fc.constant("2026-01-01"),
    dueDate: localDate,
    items: fc.array(lineInput(), { minLength: 1, maxLength: 4 })
  })

export const paymentMethod = fc.constantFrom("CASH", "BANK_TRANSFER", "CARD", "CHECK", "OTHER")

/**
 * Values no billing input field accepts: wrong types, NaN and infinities, negative and huge numbers
 * and bigints, fractions, 10 kB and blank strings, empty objects and arrays, null, undefined.
 */
export const junk: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    -1,
    -1n,
    1.5,
    10n ** 20n,
    -(10n ** 20n),
    1e300,
    "x".repeat(10_240),
    "",
    "   ",
    {},
    [],
    null,
    undefined
  ),
  fc.record({ amountMinor: fc.constant(Number.NaN) }),
  fc.array(fc.constant(null), { minLength: 1, maxLength: 3 })
)

/**
 * Strings that are malformed for every typed field (ids, dates, currencies, amounts, rates), though valid free text.
 */
export const malformed: fc.Arbitrary<string> = fc.constantFrom(
  "not-a-uuid",
  "2026-02-30",
  "-5",
  "1e5",
  "12.3456%",
  "ZZZ",
  "0x10"
)

/**
 * A copy of `input` with one of its keys replaced by junk. A key whose valid value is `null` is
 * nullable, so `null` is no junk for it (it once made a "corrupted" input that was valid).
 */
export const corrupt = <A extends Record<string, unknown>>(input: A): fc.Arbitrary<Record<string, unknown>> => {
  const keys = Object.keys(input)
  return fc.tuple(fc.constantFrom(...keys), junk).filter(([key, bad]) => !(bad === null && input[key] === null)).map((
    [key, bad]
  ) => ({ ...input, [key]: bad }))
}

/** Quantity in thousandths, 0.001 … 10 000. */
export const quantityMilli: fc.Arbitrary<bigint> = fc.bigInt({ min: 1n, max: 10_000_000n })

/**
 * A tier table: 1 … 5 tiers with strictly ascending bounds (the last unbounded) and unit prices that
 * never decrease from one tier to the next when `nonDecreasing` (else any prices).
 */
export const tiers = (
  nonDecreasing = true
): fc.Arbitrary<ReadonlyArray<{ readonly upTo: bigint | null; readonly unitPriceMinor: bigint }>> =>
  fc.tuple(
    fc.uniqueArray(fc.bigInt({ min: 1n, max: 5_000_000n }), { minLength: 0, maxLength: 4 }),
    fc.array(fc.bigInt({ min: 0n, max: 50_000n }), { minLength: 5, maxLength: 5 })
  ).map(([bounds, prices]) => {
    const sortedBounds = [...bounds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
    const sortedPrices = nonDecreasing ? [...prices].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)) : prices
    return [...sortedBounds.map((upTo, i) => ({ upTo, unitPriceMinor: sortedPrices[i]! })), {
      upTo: null,
      unitPriceMinor: sortedPrices[sortedBounds.length]!
    }]
  })

export const tierMode = fc.constantFrom("Graduated" as const, "AllUnits" as const)
export const pricingBasis = fc.constantFrom(
  "Weight" as const,
  "Volume" as const,
  "Distance" as const,
  "Pieces" as const
)
export const serviceLevel = fc.constantFrom("Standard", "Express")
export const zone = fc.constantFrom("Almaty", "Astana")
