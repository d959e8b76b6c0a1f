/**
 * What a tenant gets unless it says otherwise, in one place: the time zone of its business day
 * (due dates, overdue sweeps, price validity) and its standard VAT rate (invoice and quote lines that
 * name none). erpkit's defaults are the seeds' market, Kazakhstan: Asia/Almaty and 12 %.
 *
 * A host replaces them three ways:
 * - explicit values for every tenant: `TenantDefaults.layer({ timeZone: "Europe/Berlin", taxRate })`;
 * - from the environment with effect's `Config`: `TenantDefaults.layerConfig` reads `ERPKIT_TIME_ZONE`
 *   and `ERPKIT_VAT_RATE` ("12%", "0.2"), each falling back to the default;
 * - per tenant, from its settings: identity's `Settings.tenantDefaults(tenant)` reads `tenant.timeZone`
 *   and `tenant.vatRate`; provide the result around the request (`Effect.provideService`).
 */
import { Config, Context, Effect, Layer, Option } from "effect"
import { ValidationError } from "./Errors.ts"
import * as Rate from "./Rate.ts"
import type { Tenant } from "./Tenant.ts"

export interface TenantDefaultsShape {
  /** The IANA time zone of the tenant's business day. */
  readonly timeZone: (tenant: Tenant) => string
  /** The VAT rate of a line that names none. */
  readonly taxRate: (tenant: Tenant) => Rate.Rate
}

/** erpkit's defaults (Kazakhstan, the seeds' market). */
export const standard = { timeZone: "Asia/Almaty", taxRate: Rate.fromBasisPoints(1200) } as const

const same = (values: { readonly timeZone: string; readonly taxRate: Rate.Rate }): TenantDefaultsShape => ({
  timeZone: () => values.timeZone,
  taxRate: () => values.taxRate
})

export const TenantDefaults = Context.Reference<TenantDefaultsShape>("@erpkit/kernel/TenantDefaults", {
  defaultValue: () => same(standard)
})

/** Whether `zone` is a time zone this runtime knows (IANA name). */
export const isTimeZone = (zone: string): boolean => {
  try {
    // oxlint-disable-next-line no-new -- constructing it is the check: an unknown zone throws a RangeError
    new Intl.DateTimeFormat("en", { timeZone: zone })
    return zone.length > 0
  } catch {
    return false
  }
}

/** The same values for every tenant; omitted ones are the standard. */
export const layer = (values: { readonly timeZone?: string; readonly taxRate?: Rate.Rate }) =>
  Layer.succeed(TenantDefaults, same({ ...standard, ...values }))

/**
 * The same values for every tenant, from `ERPKIT_TIME_ZONE` and `ERPKIT_VAT_RATE` (each optional);
 * an unknown zone or a malformed rate fails the layer with a `ValidationError` naming the variable.
 */
export const layerConfig = Layer.effect(
  TenantDefaults,
  Effect.gen(function*() {
    const timeZone = yield* Config.String("ERPKIT_TIME_ZONE").pipe(Config.withDefault(standard.timeZone))
    if (!isTimeZone(timeZone)) return yield* ValidationError.at(["ERPKIT_TIME_ZONE"], `unknown time zone ${timeZone}`)
    const rateText = yield* Config.String("ERPKIT_VAT_RATE").pipe(Config.option)
    const taxRate = Option.isNone(rateText)
      ? standard.taxRate
      : yield* Effect.mapError(
        Effect.fromResult(Rate.parse(rateText.value.trim())),
        (e) => ValidationError.at(["ERPKIT_VAT_RATE"], e.issues[0]?.message ?? "not a rate")
      )
    return same({ timeZone, taxRate })
  })
)
