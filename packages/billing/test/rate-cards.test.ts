import { Actor, Command, Outbox, TenantDefaults } from "@erpkit/kernel"
import { actor, tenantA } from "@erpkit/kernel/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { grants, Jobs, permissions, RateCards } from "../src/index.ts"
import { financeManager, pricingAnalyst, rateCard, request, system } from "../src/testing/index.ts"
import { failure, failureTag, fresh } from "./helpers.ts"

const at = (iso: string) => TestClock.setTime(Date.parse(iso))
const price = (req: unknown, pricingDate?: string) =>
  Command.untyped(RateCards.priceService)(financeManager(), {
    request: req,
    currency: "KZT",
    ...(pricingDate === undefined ? {} : { pricingDate })
  })

const surcharge = (overrides: Record<string, unknown>) =>
  RateCards.createSurcharge(pricingAnalyst(), {
    name: "Fuel",
    kind: { _tag: "Percent", rate: "10%" },
    currency: "KZT",
    validFrom: "2026-01-01",
    validTo: "2026-12-31",
    ...overrides
  })

/** Cards and surcharges of the worked example, plus decoys pricing must not use. */
const worldOfRates = Effect.gen(function*() {
  const weight = yield* rateCard()
  const distance = yield* rateCard({
    name: "Almaty distance",
    basis: "Distance",
    zone: "Almaty",
    mode: "AllUnits",
    minimumChargeMinor: 50_000n,
    tiers: [
      { upTo: "50", unitPriceMinor: 500n },
      { upTo: "200", unitPriceMinor: 400n },
      { upTo: null, unitPriceMinor: 300n }
    ]
  })
  // decoys: every zone (the zone's own card wins), another currency, inactive, out of range, deleted, another service
  // level
  yield* rateCard({ name: "Any zone distance", basis: "Distance", tiers: [{ upTo: null, unitPriceMinor: 1n }] })
  yield* rateCard({ name: "USD weight", currency: "USD", tiers: [{ upTo: null, unitPriceMinor: 1n }] })
  yield* rateCard({ name: "Inactive weight", isActive: false, tiers: [{ upTo: null, unitPriceMinor: 1n }] })
  yield* rateCard({
    name: "2025 weight",
    validFrom: "2025-01-01",
    validTo: "2025-12-31",
    tiers: [{ upTo: null, unitPriceMinor: 1n }]
  })
  const deleted = yield* rateCard({ name: "Deleted weight", tiers: [{ upTo: null, unitPriceMinor: 1n }] })
  yield* RateCards.deleteRateCard(pricingAnalyst(), { rateCardId: deleted.id })
  yield* rateCard({ name: "Express weight", serviceLevel: "Express", tiers: [{ upTo: null, unitPriceMinor: 1n }] })
  const fuel = yield* surcharge({})
  const remote = yield* surcharge({ name: "Remote area", kind: { _tag: "Fixed", amountMinor: 2_000n }, zone: "Almaty" })
  yield* surcharge({ name: "Astana only", kind: { _tag: "Fixed", amountMinor: 999n }, zone: "Astana" })
  yield* surcharge({ name: "Inactive", kind: { _tag: "Fixed", amountMinor: 999n }, isActive: false })
  yield* surcharge({ name: "Express only", kind: { _tag: "Fixed", amountMinor: 999n }, serviceLevel: "Express" })
  return { weight, distance, fuel, remote }
})

describe("rate cards and pricing", () => {
  it("BIL-RC-01 only Pricing Analyst may create, update and delete rate cards and surcharges", () => {
    const holders = Object.entries(grants).filter(([, ps]) => ps?.includes(permissions.rateCardManage)).map(([role]) =>
      role
    )
    expect(holders).toEqual(["Pricing Analyst"])
  })

  it.effect("BIL-RC-01 every other role is Forbidden on every rate card and surcharge command; nothing changes", () =>
    fresh(Effect.gen(function*() {
      const card = yield* rateCard()
      const fuel = yield* surcharge({})
      const others = Actor.roles.filter((r) => r !== "Pricing Analyst" && r !== "system")
      for (const role of others) {
        const who = actor([role])
        expect(
          yield* failureTag(
            RateCards.createRateCard(who, {
              name: "x",
              serviceLevel: "Standard",
              basis: "Weight",
              currency: "KZT",
              tiers: [{ upTo: null, unitPriceMinor: 1n }],
              validFrom: "2026-01-01",
              validTo: "2026-12-31"
            })
          )
        ).toBe("Forbidden")
        expect(yield* failureTag(RateCards.updateRateCard(who, { rateCardId: card.id, name: "y" }))).toBe("Forbidden")
        expect(yield* failureTag(RateCards.deleteRateCard(who, { rateCardId: card.id }))).toBe("Forbidden")
        expect(
          yield* failureTag(
            RateCards.createSurcharge(who, {
              name: "x",
              kind: { _tag: "Fixed", amountMinor: 1n },
              currency: "KZT",
              validFrom: "2026-01-01",
              validTo: "2026-12-31"
            })
          )
        ).toBe("Forbidden")
        expect(yield* failureTag(RateCards.updateSurcharge(who, { surchargeId: fuel.id, name: "y" }))).toBe("Forbidden")
        expect(yield* failureTag(RateCards.deleteSurcharge(who, { surchargeId: fuel.id }))).toBe("Forbidden")
      }
      expect(yield* RateCards.getRateCard(financeManager(), { rateCardId: card.id })).toEqual(card)
      expect(yield* RateCards.getSurcharge(financeManager(), { surchargeId: fuel.id })).toEqual(fuel)
      // the analyst can do all of it
      const pa = pricingAnalyst()
      expect(
        (yield* RateCards.updateRateCard(pa, { rateCardId: card.id, name: "Renamed", validTo: "2026-06-30" })).name
      ).toBe("Renamed")
      expect(yield* failure(RateCards.updateRateCard(pa, { rateCardId: card.id, validTo: "2025-12-31" })))
        .toMatchObject({ _tag: "ValidityRangeInverted", validFrom: "2026-01-01", validTo: "2025-12-31" })
      yield* RateCards.deleteRateCard(pa, { rateCardId: card.id })
      expect(yield* failureTag(RateCards.getRateCard(pa, { rateCardId: card.id }))).toBe("NotFound")
      yield* RateCards.deleteSurcharge(pa, { surchargeId: fuel.id })
      expect(yield* failureTag(RateCards.getSurcharge(pa, { surchargeId: fuel.id }))).toBe("NotFound")
    })))

  it.effect("BIL-RC-02 pricing uses only active cards valid on the date, with a breakdown of tiers, surcharges", () =>
    fresh(Effect.gen(function*() {
      const { distance, fuel, remote, weight } = yield* worldOfRates
      const priced = yield* price(request("150.5", [{ basis: "Distance", quantity: "120" }]), "2026-03-10")
      expect(priced.lines.map((l) => [l.rateCardId, l.basis, l.amountMinor, l.minimumApplied])).toEqual([
        [weight.id, "Weight", 1_404_000n, false],
        [distance.id, "Distance", 50_000n, true]
      ])
      // 100 kg at 100.00 + 50.5 kg at 80.00
      expect(priced.lines[0]!.tiers.map((t) => [t.from, t.upTo, t.quantity, t.unitPriceMinor, t.amountMinor])).toEqual([
        [0n, 100_000n, 100_000n, 10_000n, 1_000_000n],
        [100_000n, null, 50_500n, 8_000n, 404_000n]
      ])
      // all units: 120 km at the 50–200 rate (48 000), below the minimum charge of 50 000
      expect(priced.lines[1]!.tiers.map((t) => [t.quantity, t.unitPriceMinor, t.amountMinor])).toEqual([[
        120_000n,
        400n,
        48_000n
      ]])
      expect(priced.surcharges.map((s) => [s.surchargeId, s.baseMinor, s.amountMinor])).toEqual([
        [fuel.id, 1_454_000n, 145_400n],
        [remote.id, 1_454_000n, 2_000n]
      ])
      expect([priced.subtotalMinor, priced.surchargesMinor, priced.totalMinor]).toEqual([
        1_454_000n,
        147_400n,
        1_601_400n
      ])
      // out of range on the date: no card prices Weight
      expect(yield* failure(price(request("1"), "2027-01-01"))).toMatchObject({
        _tag: "NoApplicableRateCard",
        basis: "Weight",
        serviceLevel: "Standard",
        zone: "Almaty",
        currency: "KZT",
        pricingDate: "2027-01-01"
      })
      // deactivated: no longer used
      yield* RateCards.updateRateCard(pricingAnalyst(), { rateCardId: weight.id, isActive: false })
      expect(yield* failure(price(request("1"), "2026-03-10"))).toMatchObject({
        _tag: "NoApplicableRateCard",
        basis: "Weight"
      })
    })))

  it.effect("BIL-RC-02 without a pricing date, pricing uses today in the tenant's time zone", () =>
    fresh(Effect.gen(function*() {
      yield* rateCard()
      yield* at("2026-12-31T17:00:00Z") // 22:00 or 23:00 on the 31st in Almaty
      expect((yield* price(request("1"))).pricingDate).toBe("2026-12-31")
      yield* at("2026-12-31T20:00:00Z") // already 2027-01-01 in Almaty: the card is no longer valid
      expect(yield* failure(price(request("1")))).toMatchObject({
        _tag: "NoApplicableRateCard",
        pricingDate: "2027-01-01"
      })
      const utc = yield* Effect.provideService(price(request("1")), TenantDefaults.TenantDefaults, {
        timeZone: () => "UTC",
        taxRate: () => TenantDefaults.standard.taxRate
      })
      expect(utc.pricingDate).toBe("2026-12-31")
    })))

  it.effect("BIL-RC-03 the daily job deactivates cards and surcharges past valid_to (tenant's date), once", () =>
    fresh(Effect.gen(function*() {
      const expired = yield* rateCard({ name: "Q1", validFrom: "2026-01-01", validTo: "2026-03-09" })
      const current = yield* rateCard({ name: "Year" })
      const future = yield* rateCard({ name: "Q2", validFrom: "2026-04-01", validTo: "2026-06-30" })
      const oldFuel = yield* surcharge({ validTo: "2026-03-09" })
      const fuel = yield* surcharge({ name: "Fuel 2" })
      yield* at("2026-03-09T17:00:00Z") // still the 9th in Almaty
      expect(yield* Jobs.deactivateExpiredRates(system(), {})).toEqual({ rateCards: [], surcharges: [] })
      yield* at("2026-03-09T20:00:00Z") // the 10th in Almaty, the 9th in UTC
      const utc = yield* Effect.provideService(
        Jobs.deactivateExpiredRates(system(), {}),
        TenantDefaults.TenantDefaults,
        { timeZone: () => "UTC", taxRate: () => TenantDefaults.standard.taxRate }
      )
      expect(utc).toEqual({ rateCards: [], surcharges: [] })
      expect(yield* failureTag(Jobs.deactivateExpiredRates(pricingAnalyst(), {}))).toBe("Forbidden")
      const run = yield* Jobs.deactivateExpiredRates(system(), {})
      expect(run.rateCards.map((c) => [c.id, c.isActive])).toEqual([[expired.id, false]])
      expect(run.surcharges.map((s) => [s.id, s.isActive])).toEqual([[oldFuel.id, false]])
      const active = (yield* RateCards.listRateCards(financeManager(), {})).filter((c) => c.isActive).map((c) => c.id)
      expect(active.sort()).toEqual([current.id, future.id].sort())
      expect((yield* RateCards.getSurcharge(financeManager(), { surchargeId: fuel.id })).isActive).toBe(true)
      expect(yield* Jobs.deactivateExpiredRates(system(), {})).toEqual({ rateCards: [], surcharges: [] })
      const events = yield* Outbox.Outbox.use((o) =>
        o.list(tenantA, { type: "billing.RateCardChanged", aggregateId: expired.id })
      )
      expect(events.map((e) => (e.payload as { change: string }).change)).toEqual(["Created", "Deactivated"])
    })))

  it.effect("BIL-RC-03 deactivateExpiredRates honours batchSizeMax", () =>
    fresh(Effect.gen(function*() {
      for (let i = 0; i < 3; i++) yield* rateCard({ name: `Old ${i}`, validTo: "2026-01-31" })
      yield* at("2026-03-01T00:00:00Z")
      expect((yield* Jobs.deactivateExpiredRates(system(), { batchSizeMax: 2 })).rateCards).toHaveLength(2)
      expect((yield* Jobs.deactivateExpiredRates(system(), { batchSizeMax: 2 })).rateCards).toHaveLength(1)
      expect((yield* Jobs.deactivateExpiredRates(system(), { batchSizeMax: 2 })).rateCards).toHaveLength(0)
    })))
})
