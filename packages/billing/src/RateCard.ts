/**
 * Rate cards: the price of one measure (weight, volume, distance, pieces) of one service level, in one
 * zone (or every zone) and currency, over a validity range of business dates. The price is a table of
 * tiers, read in one of two ways:
 *
 *   Graduated  every tier prices the part of the quantity that falls inside it (tax-bracket style)
 *   AllUnits   the whole quantity is priced at the rate of the tier it falls in (bracketed)
 *
 * Tier prices are minor units per whole unit of the measure (per kg, m³, km, piece); quantities are
 * exact thousandths, so a tier's amount is `quantity × price / 1000`, rounded half-up once per tier.
 * A line never costs less than the card's minimum charge.
 *
 * Who may change cards (BIL-RC-01) is the commands' permission; which cards price a request
 * (BIL-RC-02) and which the daily job deactivates (BIL-RC-03) are `internal/validity.ts`.
 */
import { Currency, LocalDate, Money, Quantity, Rounding, Tenant } from "@erpkit/kernel"
import { Result, Schema } from "effect"
import type { ValidityRangeInverted } from "./BillingError.ts"
import { RateCardId } from "./Ids.ts"
import { checkRange, isExpired as validityExpired, isUsableOn as validityUsable } from "./internal/validity.ts"
import { Instant, Label, NonNegativeAmountInput, NonNegativeQuantity, PositiveQuantity, Text } from "./Values.ts"

export const PricingBasis = Schema.Literals(["Weight", "Volume", "Distance", "Pieces"])
export type PricingBasis = typeof PricingBasis.Type

/** The unit a basis is measured in, for breakdowns and documents. */
export const unitOf: { readonly [B in PricingBasis]: string } = {
  Weight: "kg",
  Volume: "m3",
  Distance: "km",
  Pieces: "pcs"
}

export const TierMode = Schema.Literals(["Graduated", "AllUnits"])
export type TierMode = typeof TierMode.Type

/** At most this many tiers per card. */
export const tiersMax = 50

export const Tier = Schema.Struct({
  /** Upper bound of the tier (inclusive); null for the last, unbounded tier. */
  upTo: Schema.NullOr(PositiveQuantity),
  /** Minor units per whole unit of the measure. */
  unitPriceMinor: Money.NonNegativeMinorUnits
})
export type Tier = typeof Tier.Type

/** Bounds strictly ascending; exactly the last tier is unbounded, so every quantity falls in a tier. */
const tiersWellFormed = (tiers: ReadonlyArray<{ readonly upTo: bigint | null }>): true | string => {
  for (const [i, tier] of tiers.entries()) {
    const last = i === tiers.length - 1
    if (last !== (tier.upTo === null)) return "exactly the last tier has upTo null (unbounded)"
    const previous = i === 0 ? null : tiers[i - 1]!.upTo
    if (previous !== null && tier.upTo !== null && tier.upTo <= previous) {
      return "tier bounds must be strictly ascending"
    }
  }
  return true
}

export const Tiers = Schema.Array(Tier).pipe(
  Schema.check(Schema.isMinLength(1), Schema.isMaxLength(tiersMax), Schema.makeFilter(tiersWellFormed))
)

/** Tiers as a command receives them: bounds as decimal strings ("100", "2.5"), prices as amounts. */
export const TiersInput = Schema.Array(
  Schema.Struct({ upTo: Schema.NullOr(PositiveQuantity), unitPriceMinor: NonNegativeAmountInput })
).pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(tiersMax), Schema.makeFilter(tiersWellFormed)))

export class RateCard extends Schema.Class<RateCard>("RateCard")({
  id: RateCardId,
  tenant: Tenant.Tenant,
  name: Schema.String,
  serviceLevel: Schema.String,
  /** null: every zone (a card for the request's own zone wins over it). */
  zone: Schema.NullOr(Schema.String),
  basis: PricingBasis,
  mode: TierMode,
  currency: Currency.Currency,
  tiers: Tiers,
  minimumChargeMinor: Money.NonNegativeMinorUnits,
  validFrom: LocalDate.LocalDate,
  validTo: LocalDate.LocalDate,
  isActive: Schema.Boolean,
  createdAt: Instant,
  updatedAt: Instant,
  /** Soft delete: hidden from reads and never used again; quotes keep their snapshot. */
  deletedAt: Schema.NullOr(Instant)
}) {}

/** BIL-RC-02: active, not deleted and valid on `date`. */
export const isUsableOn = (card: RateCard, date: LocalDate.LocalDate): boolean => validityUsable(card, date)
/** BIL-RC-03, the job's predicate: active and `validTo` before `today`. */
export const isExpired = (card: RateCard, today: LocalDate.LocalDate): boolean => validityExpired(card, today)

export interface Fields {
  readonly name: string
  readonly serviceLevel: string
  readonly zone: string | null
  readonly basis: PricingBasis
  readonly mode: TierMode
  readonly currency: Currency.Currency
  readonly tiers: ReadonlyArray<Tier>
  readonly minimumChargeMinor: bigint
  readonly validFrom: LocalDate.LocalDate
  readonly validTo: LocalDate.LocalDate
  readonly isActive: boolean
}

export const create = (
  id: RateCardId,
  tenant: Tenant.Tenant,
  fields: Fields,
  now: number
): Result.Result<RateCard, ValidityRangeInverted> =>
  Result.map(
    checkRange(fields.validFrom, fields.validTo),
    () =>
      new RateCard({ id, tenant, ...fields, tiers: [...fields.tiers], createdAt: now, updatedAt: now, deletedAt: null })
  )

/** What an update may change: basis and currency define the card and stay. */
export type Patch = Partial<Omit<Fields, "basis" | "currency">>

export const change = (card: RateCard, patch: Patch, now: number): Result.Result<RateCard, ValidityRangeInverted> => {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Patch
  const next = { ...card, ...defined, tiers: [...(defined.tiers ?? card.tiers)], updatedAt: now }
  return Result.map(checkRange(next.validFrom, next.validTo), () => new RateCard(next))
}

export const remove = (card: RateCard, now: number): RateCard =>
  new RateCard({ ...card, deletedAt: now, updatedAt: now })

export const deactivate = (card: RateCard, now: number): RateCard =>
  new RateCard({ ...card, isActive: false, updatedAt: now })

/** One tier's share of a priced quantity. */
export const TierUse = Schema.Struct({
  from: NonNegativeQuantity,
  upTo: Schema.NullOr(PositiveQuantity),
  quantity: NonNegativeQuantity,
  unitPriceMinor: Money.NonNegativeMinorUnits,
  amountMinor: Money.NonNegativeMinorUnits
})
export type TierUse = typeof TierUse.Type

export interface Priced {
  readonly tiers: ReadonlyArray<TierUse>
  readonly minimumApplied: boolean
  readonly amountMinor: bigint
}

const tierAmount = (quantity: bigint, unitPriceMinor: bigint): bigint =>
  Rounding.divide(quantity * unitPriceMinor, Quantity.scale, "HalfUp")

const use = (from: bigint, upTo: bigint | null, quantity: bigint, unitPriceMinor: bigint): TierUse => ({
  from: Quantity.fromMilli(from),
  upTo: upTo === null ? null : Quantity.fromMilli(upTo),
  quantity: Quantity.fromMilli(quantity),
  unitPriceMinor,
  amountMinor: tierAmount(quantity, unitPriceMinor)
})

/**
 * Prices `quantity` (thousandths, > 0) with the card's tiers. Graduated: each tier takes the part of
 * the quantity above the previous bound and up to its own; AllUnits: the first tier whose bound holds
 * the quantity prices all of it. The amount is the sum of the tiers used, at least the minimum charge.
 */
export const priceQuantity = (card: RateCard, quantity: Quantity.Quantity): Priced => {
  const used: Array<TierUse> = []
  let from = 0n
  for (const tier of card.tiers) {
    const top = tier.upTo
    if (card.mode === "AllUnits") {
      if (top === null || quantity <= top) {
        used.push(use(from, top, quantity, tier.unitPriceMinor))
        break
      }
    } else if (quantity > from) {
      const inside = (top === null || quantity < top ? quantity : top) - from
      used.push(use(from, top, inside, tier.unitPriceMinor))
    }
    if (top === null) break
    from = top
  }
  const sum = used.reduce((s, t) => s + t.amountMinor, 0n)
  const minimumApplied = sum < card.minimumChargeMinor
  return { tiers: used, minimumApplied, amountMinor: minimumApplied ? card.minimumChargeMinor : sum }
}

/** Field schemas the commands share (create takes all, update some). */
export const inputFields = {
  name: Text(200),
  serviceLevel: Label,
  /** Omit or null: every zone. */
  zone: Schema.optionalKey(Schema.NullOr(Label)),
  mode: Schema.optionalKey(TierMode),
  tiers: TiersInput,
  minimumChargeMinor: Schema.optionalKey(NonNegativeAmountInput),
  validFrom: LocalDate.LocalDate,
  validTo: LocalDate.LocalDate,
  isActive: Schema.optionalKey(Schema.Boolean)
}
