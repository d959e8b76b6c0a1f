/**
 * The pricing engine (pure). A service request names a service level, a zone and its measures
 * (weight, volume, distance, pieces); it is priced on a business date, in the client account's
 * currency, from the rate cards and surcharges the caller loaded:
 *
 *   1. For each measure, the card to use: usable on the date (BIL-RC-02: active, not deleted,
 *      validFrom ≤ date ≤ validTo), same currency, basis and service level, for the request's zone or
 *      for every zone. The zone's own card wins; then the latest validFrom; then the smallest id, so
 *      the choice is deterministic. No such card: `NoApplicableRateCard` naming basis, service level,
 *      zone, currency and date.
 *   2. Each card prices its quantity (`RateCard.priceQuantity`): one line with every tier it used.
 *   3. Every usable surcharge for the service level, zone and currency adds a line: fixed, or a
 *      percentage of the rate-card subtotal (half-up), in name order.
 *   4. total = Σ rate lines + Σ surcharge lines, exactly; beyond `Money.maxMinor` it is `AmountOutOfRange`.
 *
 * The result (`Price`) is the breakdown and the snapshot quotes keep: later changes to the cards do
 * not change a priced quote. Amounts are net of VAT; tax is added where the price becomes an invoice
 * line.
 */
import { Currency, Invariants, LocalDate, Money, Quantity } from "@erpkit/kernel"
import { Result, Schema } from "effect"
import { AmountOutOfRange, NoApplicableRateCard } from "./BillingError.ts"
import { RateCardId, SurchargeId } from "./Ids.ts"
import * as RateCard from "./RateCard.ts"
import * as Surcharge from "./Surcharge.ts"
import { Label, PositiveQuantity, RateFromString } from "./Values.ts"

export const Measure = Schema.Struct({ basis: RateCard.PricingBasis, quantity: PositiveQuantity })
export type Measure = typeof Measure.Type

export const ServiceRequest = Schema.Struct({
  serviceLevel: Label,
  zone: Label,
  /** 1 … 4 measures, each basis at most once. */
  measures: Schema.Array(Measure).pipe(
    Schema.check(
      Schema.isMinLength(1),
      Schema.isMaxLength(4),
      Schema.makeFilter((ms: ReadonlyArray<Measure>) =>
        new Set(ms.map((m) => m.basis)).size === ms.length || "each basis at most once"
      )
    )
  )
})
export type ServiceRequest = typeof ServiceRequest.Type

export const RateLine = Schema.Struct({
  rateCardId: RateCardId,
  rateCardName: Schema.String,
  basis: RateCard.PricingBasis,
  mode: RateCard.TierMode,
  quantity: PositiveQuantity,
  tiers: Schema.Array(RateCard.TierUse),
  minimumApplied: Schema.Boolean,
  amountMinor: Money.NonNegativeMinorUnits
})
export type RateLine = typeof RateLine.Type

export const SurchargeLine = Schema.Struct({
  surchargeId: SurchargeId,
  name: Schema.String,
  kind: Schema.Literals(["Fixed", "Percent"]),
  /** The percentage, for Percent surcharges. */
  rate: Schema.NullOr(RateFromString),
  baseMinor: Money.NonNegativeMinorUnits,
  amountMinor: Money.NonNegativeMinorUnits
})
export type SurchargeLine = typeof SurchargeLine.Type

export class Price extends Schema.Class<Price>("Price")({
  pricingDate: LocalDate.LocalDate,
  currency: Currency.Currency,
  serviceLevel: Schema.String,
  zone: Schema.String,
  lines: Schema.Array(RateLine),
  surcharges: Schema.Array(SurchargeLine),
  /** Σ rate lines. */
  subtotalMinor: Money.NonNegativeMinorUnits,
  /** Σ surcharge lines. */
  surchargesMinor: Money.NonNegativeMinorUnits,
  /** subtotal + surcharges. */
  totalMinor: Money.NonNegativeMinorUnits
}) {}

const byKey = <A>(key: (a: A) => ReadonlyArray<string | number>) => (a: A, b: A): number => {
  const ka = key(a)
  const kb = key(b)
  for (let i = 0; i < ka.length; i++) {
    if (ka[i]! < kb[i]!) return -1
    if (ka[i]! > kb[i]!) return 1
  }
  return 0
}

/** The card that prices `basis` for the request on `date`, or undefined. */
export const selectCard = (
  cards: ReadonlyArray<RateCard.RateCard>,
  request: ServiceRequest,
  basis: RateCard.PricingBasis,
  currency: Currency.Currency,
  date: LocalDate.LocalDate
): RateCard.RateCard | undefined =>
  cards.filter((c) =>
    RateCard.isUsableOn(c, date) && c.currency === currency && c.basis === basis &&
    c.serviceLevel === request.serviceLevel && (c.zone === null || c.zone === request.zone)
  ) // zone-specific first (0 before 1), then the latest validFrom, then the smallest id
    .sort(byKey((c) => [c.zone === null ? 1 : 0, invert(c.validFrom), c.id]))[0]

/** Sorts later dates first inside an ascending key. */
const invert = (date: string): string => date.replace(/\d/g, (d) => String(9 - Number(d)))

const inRange = (field: string, amountMinor: bigint): Result.Result<bigint, AmountOutOfRange> =>
  amountMinor <= Money.maxMinor
    ? Result.succeed(amountMinor)
    : Result.fail(new AmountOutOfRange({ field, amountMinor }))

/** Prices `request` on `date` in `currency` from the given cards and surcharges (see the module comment). */
export const price = (
  request: ServiceRequest,
  currency: Currency.Currency,
  date: LocalDate.LocalDate,
  cards: ReadonlyArray<RateCard.RateCard>,
  surcharges: ReadonlyArray<Surcharge.Surcharge>
): Result.Result<Price, NoApplicableRateCard | AmountOutOfRange> =>
  Result.gen(function*() {
    const lines: Array<RateLine> = []
    for (const measure of request.measures) {
      const card = selectCard(cards, request, measure.basis, currency, date)
      if (card === undefined) {
        return yield* Result.fail(
          new NoApplicableRateCard({
            basis: measure.basis,
            serviceLevel: request.serviceLevel,
            zone: request.zone,
            currency,
            pricingDate: date
          })
        )
      }
      const priced = RateCard.priceQuantity(card, measure.quantity)
      lines.push({
        rateCardId: card.id,
        rateCardName: card.name,
        basis: card.basis,
        mode: card.mode,
        quantity: measure.quantity,
        tiers: priced.tiers,
        minimumApplied: priced.minimumApplied,
        amountMinor: yield* inRange("lines.amountMinor", priced.amountMinor)
      })
    }
    const subtotalMinor = yield* inRange("subtotalMinor", lines.reduce((s, l) => s + l.amountMinor, 0n))
    const applicable = surcharges.filter((s) =>
      Surcharge.isUsableOn(s, date) && Surcharge.appliesTo(s, request.serviceLevel, request.zone, currency)
    ).sort(byKey((s) => [s.name, s.id]))
    const surchargeLines: Array<SurchargeLine> = []
    for (const s of applicable) {
      surchargeLines.push({
        surchargeId: s.id,
        name: s.name,
        kind: s.kind._tag,
        rate: s.kind._tag === "Percent" ? s.kind.rate : null,
        baseMinor: subtotalMinor,
        amountMinor: yield* inRange("surcharges.amountMinor", Surcharge.amountOn(s, subtotalMinor))
      })
    }
    const surchargesMinor = yield* inRange("surchargesMinor", surchargeLines.reduce((s, l) => s + l.amountMinor, 0n))
    return new Price({
      pricingDate: date,
      currency,
      serviceLevel: request.serviceLevel,
      zone: request.zone,
      lines,
      surcharges: surchargeLines,
      subtotalMinor,
      surchargesMinor,
      totalMinor: yield* inRange("totalMinor", subtotalMinor + surchargesMinor)
    })
  })

/** A one-line description of what was priced, e.g. "Express Almaty: 12.5 kg, 300 km". */
export const describe = (request: ServiceRequest): string =>
  `${request.serviceLevel} ${request.zone}: ${
    request.measures.map((m) => `${Quantity.format(m.quantity)} ${RateCard.unitOf[m.basis]}`).join(", ")
  }`

/** Named invariants of a price, used by the property tests. */
export const invariants: ReadonlyArray<Invariants.Invariant<Price>> = [
  [
    "total = Σ rate lines + Σ surcharge lines",
    (p) =>
      p.totalMinor ===
      p.lines.reduce((s, l) => s + l.amountMinor, 0n) + p.surcharges.reduce((s, l) => s + l.amountMinor, 0n)
  ],
  ["subtotal = Σ rate lines", (p) => p.subtotalMinor === p.lines.reduce((s, l) => s + l.amountMinor, 0n)],
  [
    "a line is the sum of its tiers, or the minimum charge",
    (p) => p.lines.every((l) => l.minimumApplied || l.amountMinor === l.tiers.reduce((s, t) => s + t.amountMinor, 0n))
  ],
  [
    "graduated tiers cover the quantity exactly",
    (p) => p.lines.every((l) => l.mode !== "Graduated" || l.tiers.reduce((s, t) => s + t.quantity, 0n) === l.quantity)
  ]
]

export const brokenInvariants = (p: Price): ReadonlyArray<string> => Invariants.broken(invariants, p)
