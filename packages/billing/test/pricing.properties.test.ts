/**
 * Property tests of the pure pricing engine: monotone in quantity for non-decreasing rate tables,
 * never a card that is inactive, deleted or out of range, totals equal to the sum of the lines.
 */
import { LocalDate, Quantity } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import * as fc from "fast-check"
import { Pricing, RateCard, Surcharge } from "../src/index.ts"
import { Arbitraries } from "../src/testing/index.ts"

const T0 = Date.UTC(2026, 0, 1)
const pricingDate = LocalDate.unsafeMake("2026-06-15")
let n = 0
const id = <A>(): A => `0f000000-0000-7000-8000-${(++n).toString(16).padStart(12, "0")}` as A

type PlainTiers = ReadonlyArray<{ readonly upTo: bigint | null; readonly unitPriceMinor: bigint }>

const card = (
  fields: Partial<Omit<RateCard.Fields, "tiers">> & { readonly tiers: PlainTiers },
  deleted = false
): RateCard.RateCard => {
  const created = Result.getOrThrow(
    RateCard.create(id(), tenantA, {
      name: "card",
      serviceLevel: "Standard",
      zone: null,
      basis: "Weight",
      mode: "Graduated",
      currency: "KZT",
      minimumChargeMinor: 0n,
      validFrom: LocalDate.unsafeMake("2026-01-01"),
      validTo: LocalDate.unsafeMake("2026-12-31"),
      isActive: true,
      ...fields,
      tiers: fields.tiers.map((t) => ({
        upTo: t.upTo === null ? null : Quantity.fromMilli(t.upTo),
        unitPriceMinor: t.unitPriceMinor
      }))
    }, T0)
  )
  return deleted ? RateCard.remove(created, T0) : created
}

const weightRequest = (milli: bigint, zone = "Almaty"): Pricing.ServiceRequest => ({
  serviceLevel: "Standard",
  zone,
  measures: [{ basis: "Weight", quantity: Quantity.fromMilli(milli) }]
})

const dateAround = fc.integer({ min: -200, max: 200 }).map((d) => LocalDate.addDays(pricingDate, d))

/** A card with random validity, activity, deletion, zone, currency, service level and basis. */
const anyCard = fc.record({
  tiers: Arbitraries.tiers(false),
  mode: Arbitraries.tierMode,
  basis: Arbitraries.pricingBasis,
  serviceLevel: Arbitraries.serviceLevel,
  zone: fc.option(Arbitraries.zone, { nil: null }),
  currency: fc.constantFrom("KZT" as const, "USD" as const),
  minimumChargeMinor: fc.bigInt({ min: 0n, max: 100_000n }),
  isActive: fc.boolean(),
  deleted: fc.boolean(),
  from: dateAround,
  length: fc.integer({ min: 0, max: 300 })
}).map((r) => card({ ...r, validFrom: r.from, validTo: LocalDate.addDays(r.from, r.length) }, r.deleted))

const anySurcharge = fc.record({
  fixed: fc.boolean(),
  amount: fc.bigInt({ min: 0n, max: 1_000_000n }),
  percent: fc.integer({ min: 0, max: 10_000 }),
  serviceLevel: fc.option(Arbitraries.serviceLevel, { nil: null }),
  zone: fc.option(Arbitraries.zone, { nil: null }),
  isActive: fc.boolean(),
  from: dateAround,
  length: fc.integer({ min: 0, max: 300 })
}).map((r) =>
  Result.getOrThrow(
    Surcharge.create(id(), tenantA, {
      name: `s${r.amount}`,
      currency: "KZT",
      serviceLevel: r.serviceLevel,
      zone: r.zone,
      isActive: r.isActive,
      kind: r.fixed
        ? { _tag: "Fixed", amountMinor: r.amount }
        : { _tag: "Percent", rate: { numerator: BigInt(r.percent), denominator: 10_000n } },
      validFrom: r.from,
      validTo: LocalDate.addDays(r.from, r.length)
    }, T0)
  )
)

const anyRequest = fc.record({
  serviceLevel: Arbitraries.serviceLevel,
  zone: Arbitraries.zone,
  measures: fc.uniqueArray(
    fc.record({ basis: Arbitraries.pricingBasis, quantity: Arbitraries.quantityMilli.map(Quantity.fromMilli) }),
    { minLength: 1, maxLength: 4, selector: (m) => m.basis }
  )
})

/** A card usable for `basis` of `request` on the pricing date (its zone's or every zone's). */
const coveringCard = (request: Pricing.ServiceRequest, basis: RateCard.PricingBasis) =>
  fc.record({
    tiers: Arbitraries.tiers(false),
    mode: Arbitraries.tierMode,
    zone: fc.constantFrom(null, request.zone),
    minimumChargeMinor: fc.bigInt({ min: 0n, max: 100_000n })
  }).map((r) => card({ ...r, basis, serviceLevel: request.serviceLevel, currency: "KZT" }))

/**
 * Half the cases are random cards (mostly unpriceable: the refusal branch), half add a usable card for
 * every measure among the random ones (the success branch), so both branches are exercised; `hits`
 * counts them and the tests require a minimum of each.
 */
const pricingCase = fc.oneof(
  fc.tuple(fc.array(anyCard, { maxLength: 12 }), fc.array(anySurcharge, { maxLength: 5 }), anyRequest),
  anyRequest.chain((request) =>
    fc.tuple(
      fc.tuple(
        fc.array(anyCard, { maxLength: 8 }),
        fc.tuple(...request.measures.map((m) => coveringCard(request, m.basis)))
      ).map(([random, covering]) => [...random, ...covering]),
      fc.array(anySurcharge, { maxLength: 5 }),
      fc.constant(request)
    )
  )
)

const minimumHitRate = 0.25

describe("pricing engine properties", () => {
  it("BIL-RC-02 pricing is monotone in quantity for non-decreasing tables (graduated, all-units, minimum)", () => {
    fc.assert(
      fc.property(
        Arbitraries.tiers(true),
        Arbitraries.tierMode,
        fc.bigInt({ min: 0n, max: 1_000_000n }),
        Arbitraries.quantityMilli,
        Arbitraries.quantityMilli,
        (tiers, mode, minimumChargeMinor, a, b) => {
          const c = card({ tiers, mode, minimumChargeMinor })
          const [small, large] = a <= b ? [a, b] : [b, a]
          const low = Result.getOrThrow(Pricing.price(weightRequest(small), "KZT", pricingDate, [c], []))
          const high = Result.getOrThrow(Pricing.price(weightRequest(large), "KZT", pricingDate, [c], []))
          expect(low.totalMinor <= high.totalMinor).toBe(true)
        }
      ),
      { numRuns: 500 }
    )
  })

  it("BIL-RC-02 pricing never uses a card inactive, deleted, out of range, or of other currency/level/zone", () => {
    const hits = { priced: 0, refused: 0 }
    fc.assert(
      fc.property(pricingCase, ([cards, surcharges, request]) => {
        const result = Pricing.price(request, "KZT", pricingDate, cards, surcharges)
        hits[Result.isSuccess(result) ? "priced" : "refused"]++
        const usable = (c: RateCard.RateCard, basis: RateCard.PricingBasis) =>
          c.isActive && c.deletedAt === null && c.validFrom <= pricingDate && pricingDate <= c.validTo &&
          c.currency === "KZT" &&
          c.basis === basis && c.serviceLevel === request.serviceLevel && (c.zone === null || c.zone === request.zone)
        const missing = request.measures.find((m) => !cards.some((c) => usable(c, m.basis)))
        if (missing !== undefined) {
          expect(Result.isFailure(result) && result.failure._tag === "NoApplicableRateCard" && result.failure.basis)
            .toBe(missing.basis)
          return
        }
        const price = Result.getOrThrow(result)
        for (const line of price.lines) {
          const used = cards.find((c) => c.id === line.rateCardId)!
          expect(usable(used, line.basis)).toBe(true)
          // the zone's own card wins over an every-zone card
          if (used.zone === null) {
            expect(cards.some((c) => usable(c, line.basis) && c.zone === request.zone)).toBe(false)
          }
        }
        for (const s of price.surcharges) {
          const used = surcharges.find((x) => x.id === s.surchargeId)!
          expect(
            Surcharge.isUsableOn(used, pricingDate) &&
              Surcharge.appliesTo(used, request.serviceLevel, request.zone, "KZT")
          ).toBe(true)
        }
        const expectedSurcharges = surcharges.filter((s) =>
          Surcharge.isUsableOn(s, pricingDate) && Surcharge.appliesTo(s, request.serviceLevel, request.zone, "KZT")
        )
        expect(price.surcharges.length).toBe(expectedSurcharges.length)
      }),
      { numRuns: 500 }
    )
    expect(hits.priced / 500, JSON.stringify(hits)).toBeGreaterThanOrEqual(minimumHitRate)
    expect(hits.refused / 500, JSON.stringify(hits)).toBeGreaterThanOrEqual(minimumHitRate)
  })

  it("BIL-RC-02 totals equal the sum of the lines (rate lines, tiers and surcharges), exactly", () => {
    let priced = 0
    fc.assert(
      fc.property(pricingCase, ([cards, surcharges, request]) => {
        const result = Pricing.price(request, "KZT", pricingDate, cards, surcharges)
        if (Result.isSuccess(result)) {
          priced++
          expect(Pricing.brokenInvariants(result.success)).toEqual([])
          expect(result.success.totalMinor).toBe(
            result.success.lines.reduce((s, l) => s + l.amountMinor, 0n) +
              result.success.surcharges.reduce((s, l) => s + l.amountMinor, 0n)
          )
          expect(result.success.lines.map((l) => l.basis)).toEqual(request.measures.map((m) => m.basis))
        }
      }),
      { numRuns: 500 }
    )
    expect(priced / 500, `${priced} of 500 cases priced`).toBeGreaterThanOrEqual(minimumHitRate)
  })

  it("BIL-RC-02 a graduated line is Σ tier portions; an all-units line prices all of the quantity in one tier", () => {
    const c = card({
      tiers: [
        { upTo: 10_000n, unitPriceMinor: 300n },
        { upTo: 20_000n, unitPriceMinor: 200n },
        { upTo: null, unitPriceMinor: 100n }
      ]
    })
    const graduated = RateCard.priceQuantity(c, Quantity.fromMilli(25_500n))
    expect(graduated.tiers.map((t) => [t.quantity, t.amountMinor])).toEqual([
      [10_000n, 3_000n],
      [10_000n, 2_000n],
      [5_500n, 550n]
    ])
    expect(graduated.amountMinor).toBe(5_550n)
    const allUnits = RateCard.priceQuantity(
      new RateCard.RateCard({ ...c, mode: "AllUnits" }),
      Quantity.fromMilli(10_000n)
    )
    expect(allUnits.tiers.map((t) => [t.quantity, t.unitPriceMinor, t.amountMinor])).toEqual([[10_000n, 300n, 3_000n]])
    // a fraction of a minor unit rounds half-up, per tier
    expect(RateCard.priceQuantity(c, Quantity.fromMilli(1n)).amountMinor).toBe(0n)
    expect(RateCard.priceQuantity(c, Quantity.fromMilli(2n)).amountMinor).toBe(1n)
  })
})
