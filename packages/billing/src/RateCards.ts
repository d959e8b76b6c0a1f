/**
 * Commands over rate cards and surcharges (BIL-RC-01: permission `billing.rateCard.manage`, granted
 * to Pricing Analyst only) and the pricing query. Deleting is a soft delete: the row stays for audit
 * and for the quotes that priced with it, but it is hidden and never used again.
 */
// `Actor`, `Errors` and `Ids` are imported as types so declaration emit can name the kernel types commands infer.
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import { type Actor, AuditLog, Command, Currency, type Errors, type Ids, LocalDate, type Tenant } from "@erpkit/kernel"
import { Clock, Effect, Schema } from "effect"
import * as BillingEvent from "./BillingEvent.ts"
import { RateCardId, SurchargeId } from "./Ids.ts"
import { audit, businessDate, freshIds } from "./internal/command.ts"
import { permissions } from "./Permissions.ts"
import * as Pricing from "./Pricing.ts"
import * as RateCard from "./RateCard.ts"
import { RateCardRepository, SurchargeRepository } from "./RateCardRepository.ts"
import * as Surcharge from "./Surcharge.ts"

export const CreateRateCardInput = Schema.Struct({
  ...RateCard.inputFields,
  basis: RateCard.PricingBasis,
  currency: Currency.Currency
})

/** A new rate card (default: Graduated, no minimum charge, active). */
export const createRateCard = Command.make({
  name: "billing.createRateCard",
  input: CreateRateCardInput,
  output: RateCard.RateCard,
  permission: permissions.rateCardManage,
  handler: Effect.fnUntraced(function*(input, context) {
    const [id] = yield* freshIds(RateCardId, 1)
    const card = yield* Effect.fromResult(
      RateCard.create(id!, context.tenant, {
        name: input.name,
        serviceLevel: input.serviceLevel,
        zone: input.zone ?? null,
        basis: input.basis,
        mode: input.mode ?? "Graduated",
        currency: input.currency,
        tiers: input.tiers,
        minimumChargeMinor: input.minimumChargeMinor ?? 0n,
        validFrom: input.validFrom,
        validTo: input.validTo,
        isActive: input.isActive ?? true
      }, context.now)
    )
    yield* (yield* RateCardRepository).insert(context.tenant, card)
    return {
      result: card,
      events: [BillingEvent.draft({ _tag: "RateCardChanged", rateCardId: card.id, change: "Created" })],
      changes: [audit(RateCard.RateCard, null, card)]
    }
  })
})

export const UpdateRateCardInput = Schema.Struct({
  rateCardId: RateCardId,
  name: Schema.optionalKey(RateCard.inputFields.name),
  serviceLevel: Schema.optionalKey(RateCard.inputFields.serviceLevel),
  zone: RateCard.inputFields.zone,
  mode: RateCard.inputFields.mode,
  tiers: Schema.optionalKey(RateCard.inputFields.tiers),
  minimumChargeMinor: RateCard.inputFields.minimumChargeMinor,
  validFrom: Schema.optionalKey(LocalDate.LocalDate),
  validTo: Schema.optionalKey(LocalDate.LocalDate),
  isActive: RateCard.inputFields.isActive
})

/** Changes a card (not its basis or currency); the range must stay ordered (`ValidityRangeInverted`). */
export const updateRateCard = Command.make({
  name: "billing.updateRateCard",
  input: UpdateRateCardInput,
  output: RateCard.RateCard,
  permission: permissions.rateCardManage,
  handler: Effect.fnUntraced(function*(input, context) {
    const cards = yield* RateCardRepository
    const before = yield* cards.getForUpdate(context.tenant, input.rateCardId)
    const { rateCardId: _, ...patch } = input
    const after = yield* Effect.fromResult(RateCard.change(before, patch, context.now))
    yield* Effect.orDie(cards.update(context.tenant, after))
    return {
      result: after,
      events: [BillingEvent.draft({ _tag: "RateCardChanged", rateCardId: after.id, change: "Updated" })],
      changes: [audit(RateCard.RateCard, before, after)]
    }
  })
})

/** Soft-deletes a card. */
export const deleteRateCard = Command.make({
  name: "billing.deleteRateCard",
  input: Schema.Struct({ rateCardId: RateCardId }),
  output: RateCard.RateCard,
  permission: permissions.rateCardManage,
  handler: Effect.fnUntraced(function*(input, context) {
    const cards = yield* RateCardRepository
    const before = yield* cards.getForUpdate(context.tenant, input.rateCardId)
    const after = RateCard.remove(before, context.now)
    yield* Effect.orDie(cards.update(context.tenant, after))
    return {
      result: after,
      events: [BillingEvent.draft({ _tag: "RateCardChanged", rateCardId: after.id, change: "Deleted" })],
      changes: [AuditLog.entityChange(RateCard.RateCard, before, after, "DELETE")]
    }
  })
})

export const CreateSurchargeInput = Schema.Struct({ ...Surcharge.inputFields, currency: Currency.Currency })

export const createSurcharge = Command.make({
  name: "billing.createSurcharge",
  input: CreateSurchargeInput,
  output: Surcharge.Surcharge,
  permission: permissions.rateCardManage,
  handler: Effect.fnUntraced(function*(input, context) {
    const [id] = yield* freshIds(SurchargeId, 1)
    const surcharge = yield* Effect.fromResult(
      Surcharge.create(id!, context.tenant, {
        name: input.name,
        kind: input.kind,
        currency: input.currency,
        serviceLevel: input.serviceLevel ?? null,
        zone: input.zone ?? null,
        validFrom: input.validFrom,
        validTo: input.validTo,
        isActive: input.isActive ?? true
      }, context.now)
    )
    yield* (yield* SurchargeRepository).insert(context.tenant, surcharge)
    return {
      result: surcharge,
      events: [BillingEvent.draft({ _tag: "SurchargeChanged", surchargeId: surcharge.id, change: "Created" })],
      changes: [audit(Surcharge.Surcharge, null, surcharge)]
    }
  })
})

export const UpdateSurchargeInput = Schema.Struct({
  surchargeId: SurchargeId,
  name: Schema.optionalKey(Surcharge.inputFields.name),
  kind: Schema.optionalKey(Surcharge.inputFields.kind),
  serviceLevel: Surcharge.inputFields.serviceLevel,
  zone: Surcharge.inputFields.zone,
  validFrom: Schema.optionalKey(LocalDate.LocalDate),
  validTo: Schema.optionalKey(LocalDate.LocalDate),
  isActive: Surcharge.inputFields.isActive
})

export const updateSurcharge = Command.make({
  name: "billing.updateSurcharge",
  input: UpdateSurchargeInput,
  output: Surcharge.Surcharge,
  permission: permissions.rateCardManage,
  handler: Effect.fnUntraced(function*(input, context) {
    const surcharges = yield* SurchargeRepository
    const before = yield* surcharges.getForUpdate(context.tenant, input.surchargeId)
    const { surchargeId: _, ...patch } = input
    const after = yield* Effect.fromResult(Surcharge.change(before, patch, context.now))
    yield* Effect.orDie(surcharges.update(context.tenant, after))
    return {
      result: after,
      events: [BillingEvent.draft({ _tag: "SurchargeChanged", surchargeId: after.id, change: "Updated" })],
      changes: [audit(Surcharge.Surcharge, before, after)]
    }
  })
})

export const deleteSurcharge = Command.make({
  name: "billing.deleteSurcharge",
  input: Schema.Struct({ surchargeId: SurchargeId }),
  output: Surcharge.Surcharge,
  permission: permissions.rateCardManage,
  handler: Effect.fnUntraced(function*(input, context) {
    const surcharges = yield* SurchargeRepository
    const before = yield* surcharges.getForUpdate(context.tenant, input.surchargeId)
    const after = Surcharge.remove(before, context.now)
    yield* Effect.orDie(surcharges.update(context.tenant, after))
    return {
      result: after,
      events: [BillingEvent.draft({ _tag: "SurchargeChanged", surchargeId: after.id, change: "Deleted" })],
      changes: [AuditLog.entityChange(Surcharge.Surcharge, before, after, "DELETE")]
    }
  })
})

/**
 * BIL-RC-02: the tenant's rate cards and surcharges usable on `date` in `currency`, loaded once, and a
 * pure pricer over them (quotes and recurring runs price many requests with one load). The port
 * pre-filters; the pure engine checks again, so an adapter that returns too much cannot make pricing
 * use an inactive or out-of-range card.
 */
export const pricerAt = (tenant: Tenant.Tenant, currency: Currency.Currency, date: LocalDate.LocalDate) =>
  Effect.gen(function*() {
    const cards = yield* (yield* RateCardRepository).list(tenant, { currency, usableOn: date, limit: rateRowsMax })
    const surcharges = yield* (yield* SurchargeRepository).list(tenant, {
      currency,
      usableOn: date,
      limit: rateRowsMax
    })
    return (request: Pricing.ServiceRequest) =>
      Effect.fromResult(Pricing.price(request, currency, date, cards, surcharges))
  })

/** Rate cards (and surcharges) one pricing loads at most. */
export const rateRowsMax = 10_000

/** Prices one request on `date` (see `pricerAt`). */
export const priceAt = (
  tenant: Tenant.Tenant,
  request: Pricing.ServiceRequest,
  currency: Currency.Currency,
  date: LocalDate.LocalDate
) => Effect.flatMap(pricerAt(tenant, currency, date), (pricer) => pricer(request))

export const PriceServiceInput = Schema.Struct({
  request: Pricing.ServiceRequest,
  currency: Currency.Currency,
  /** Default: today in the tenant's time zone (what quotes and invoices use, BIL-RC-02). */
  pricingDate: Schema.optionalKey(LocalDate.LocalDate)
})

/** What a service request costs, with the breakdown of every card, tier and surcharge used. */
export const priceService = Command.query({
  name: "billing.priceService",
  input: PriceServiceInput,
  permission: permissions.rateCardRead,
  handler: (input, context) =>
    Effect.gen(function*() {
      const date = input.pricingDate ?? (yield* businessDate(context.tenant, yield* Clock.currentTimeMillis))
      return yield* priceAt(context.tenant, input.request, input.currency, date)
    })
})

export const getRateCard = Command.query({
  name: "billing.getRateCard",
  input: Schema.Struct({ rateCardId: RateCardId }),
  permission: permissions.rateCardRead,
  handler: (input, context) => RateCardRepository.use((cards) => cards.get(context.tenant, input.rateCardId))
})

export const ListRatesInput = Schema.Struct({
  currency: Schema.optionalKey(Currency.Currency),
  usableOn: Schema.optionalKey(LocalDate.LocalDate),
  limit: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))))
})

export const listRateCards = Command.query({
  name: "billing.listRateCards",
  input: ListRatesInput,
  permission: permissions.rateCardRead,
  handler: (input, context) => RateCardRepository.use((cards) => cards.list(context.tenant, input))
})

export const getSurcharge = Command.query({
  name: "billing.getSurcharge",
  input: Schema.Struct({ surchargeId: SurchargeId }),
  permission: permissions.rateCardRead,
  handler: (input, context) =>
    SurchargeRepository.use((surcharges) => surcharges.get(context.tenant, input.surchargeId))
})

export const listSurcharges = Command.query({
  name: "billing.listSurcharges",
  input: ListRatesInput,
  permission: permissions.rateCardRead,
  handler: (input, context) => SurchargeRepository.use((surcharges) => surcharges.list(context.tenant, input))
})
