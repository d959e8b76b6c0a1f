/**
 * Surcharges: a fixed amount or a percentage added to a price (fuel, peak season, remote area), for
 * one service level and zone or for all (null), in one currency, over a validity range. A percentage
 * applies to the sum of the rate-card lines of the price (not to other surcharges), rounded half-up.
 * Same validity rules as rate cards (BIL-RC-01…03).
 */
import { Currency, LocalDate, Money, Rounding, Tenant } from "@erpkit/kernel"
import { Result, Schema } from "effect"
import type { ValidityRangeInverted } from "./BillingError.ts"
import { SurchargeId } from "./Ids.ts"
import { checkRange, isExpired as validityExpired, isUsableOn as validityUsable } from "./internal/validity.ts"
import { FractionRate, Instant, Label, NonNegativeAmountInput, Text } from "./Values.ts"

export const SurchargeKind = Schema.Union([
  Schema.TaggedStruct("Fixed", { amountMinor: Money.NonNegativeMinorUnits }),
  /** 0 … 100 % of the rate-card subtotal. */
  Schema.TaggedStruct("Percent", { rate: FractionRate })
])
export type SurchargeKind = typeof SurchargeKind.Type

export const SurchargeKindInput = Schema.Union([
  Schema.TaggedStruct("Fixed", { amountMinor: NonNegativeAmountInput }),
  Schema.TaggedStruct("Percent", { rate: FractionRate })
])

export class Surcharge extends Schema.Class<Surcharge>("Surcharge")({
  id: SurchargeId,
  tenant: Tenant.Tenant,
  name: Schema.String,
  kind: SurchargeKind,
  currency: Currency.Currency,
  /** null: every service level. */
  serviceLevel: Schema.NullOr(Schema.String),
  /** null: every zone. */
  zone: Schema.NullOr(Schema.String),
  validFrom: LocalDate.LocalDate,
  validTo: LocalDate.LocalDate,
  isActive: Schema.Boolean,
  createdAt: Instant,
  updatedAt: Instant,
  deletedAt: Schema.NullOr(Instant)
}) {}

export const isUsableOn = (s: Surcharge, date: LocalDate.LocalDate): boolean => validityUsable(s, date)
export const isExpired = (s: Surcharge, today: LocalDate.LocalDate): boolean => validityExpired(s, today)

/** Does the surcharge apply to a price of this service level, zone and currency? */
export const appliesTo = (s: Surcharge, serviceLevel: string, zone: string, currency: Currency.Currency): boolean =>
  s.currency === currency && (s.serviceLevel === null || s.serviceLevel === serviceLevel) &&
  (s.zone === null || s.zone === zone)

/** The surcharge on a rate-card subtotal of `baseMinor`. */
export const amountOn = (s: Surcharge, baseMinor: bigint): bigint =>
  s.kind._tag === "Fixed"
    ? s.kind.amountMinor
    : Rounding.divide(baseMinor * s.kind.rate.numerator, s.kind.rate.denominator, "HalfUp")

export interface Fields {
  readonly name: string
  readonly kind: SurchargeKind
  readonly currency: Currency.Currency
  readonly serviceLevel: string | null
  readonly zone: string | null
  readonly validFrom: LocalDate.LocalDate
  readonly validTo: LocalDate.LocalDate
  readonly isActive: boolean
}

export const create = (
  id: SurchargeId,
  tenant: Tenant.Tenant,
  fields: Fields,
  now: number
): Result.Result<Surcharge, ValidityRangeInverted> =>
  Result.map(
    checkRange(fields.validFrom, fields.validTo),
    () => new Surcharge({ id, tenant, ...fields, createdAt: now, updatedAt: now, deletedAt: null })
  )

export type Patch = Partial<Omit<Fields, "currency">>

export const change = (s: Surcharge, patch: Patch, now: number): Result.Result<Surcharge, ValidityRangeInverted> => {
  const defined = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)) as Patch
  const next = { ...s, ...defined, updatedAt: now }
  return Result.map(checkRange(next.validFrom, next.validTo), () => new Surcharge(next))
}

export const remove = (s: Surcharge, now: number): Surcharge => new Surcharge({ ...s, deletedAt: now, updatedAt: now })

export const deactivate = (s: Surcharge, now: number): Surcharge =>
  new Surcharge({ ...s, isActive: false, updatedAt: now })

export const inputFields = {
  name: Text(200),
  kind: SurchargeKindInput,
  serviceLevel: Schema.optionalKey(Schema.NullOr(Label)),
  zone: Schema.optionalKey(Schema.NullOr(Label)),
  validFrom: LocalDate.LocalDate,
  validTo: LocalDate.LocalDate,
  isActive: Schema.optionalKey(Schema.Boolean)
}
