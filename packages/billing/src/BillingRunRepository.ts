/**
 * Ports of recurring billing: the billing runs (`billing.billing_runs`, unique (tenant,
 * account_id, period)) and `UsageSource`, the billable usage other contexts report (implemented by
 * inventory and warehouse through `processes`; billing never imports them).
 *
 * Lock order: `billUsage` locks the (account, period) run row first (`findForUpdate`), then the
 * client account (when issuing the invoice). Two concurrent runs for the same account and period: one
 * inserts, the other's insert fails with `BillingRunExists` (the unique index), and rolls back.
 */
import { type Errors, Ids, type LocalDate, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer, Option, Schema } from "effect"
import { BillingRunExists } from "./BillingError.ts"
import type { BillingRun, BillingRunStatus } from "./BillingRun.ts"
import { defaultListLimit, sortBy, tables, tenantTable } from "./internal/memory.ts"
import * as Quote from "./Quote.ts"

export interface BillingRunQuery {
  readonly period?: string
  readonly status?: BillingRunStatus
  /** At most this many, oldest first; default 1000. */
  readonly limit?: number
}

export class BillingRunRepository extends Context.Service<BillingRunRepository, {
  /** Adds a run; another run of the same (account, period) is `BillingRunExists` (unique index). */
  readonly insert: (tenant: Tenant.Tenant, run: BillingRun) => Effect.Effect<void, BillingRunExists>
  /** The run of (account, period), locked until the unit of work ends (Postgres `FOR UPDATE`); memory: plain read. */
  readonly findForUpdate: (
    tenant: Tenant.Tenant,
    accountId: string,
    period: string
  ) => Effect.Effect<Option.Option<BillingRun>>
  readonly update: (tenant: Tenant.Tenant, run: BillingRun) => Effect.Effect<void, Errors.NotFound>
  readonly list: (tenant: Tenant.Tenant, query?: BillingRunQuery) => Effect.Effect<ReadonlyArray<BillingRun>>
}>()("@erpkit/billing/BillingRunRepository") {
  static readonly layerMemory = Layer.effect(
    BillingRunRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = tenantTable<BillingRun>(store, tables.billingRuns, "BillingRun")
      const find = (tenant: Tenant.Tenant, accountId: string, period: string) =>
        Effect.map(
          rows.find(tenant, (r) => r.accountId === accountId && r.period === period),
          (found) => Option.fromNullishOr(found[0])
        )
      return {
        insert: (tenant, run) =>
          store.transaction(
            Effect.flatMap(find(tenant, run.accountId, run.period), (existing) =>
              Option.isSome(existing)
                ? Effect.fail(new BillingRunExists({ accountId: run.accountId, period: run.period }))
                : rows.insert(tenant, run))
          ),
        findForUpdate: find,
        update: rows.update,
        list: (tenant, query = {}) =>
          Effect.map(
            rows.find(
              tenant,
              (r) =>
                (query.period === undefined || r.period === query.period) &&
                (query.status === undefined || r.status === query.status)
            ),
            (found) => sortBy(found, (r) => r.createdAt).slice(0, query.limit ?? defaultListLimit)
          )
      }
    })
  )
}

/** One billable item of usage: a service request the rate cards price (pallet-days, picks, km, …). */
export const UsageItem = Quote.QuoteLineInput
export type UsageItem = typeof UsageItem.Type

/** A customer's billable usage in a period, as a `UsageSource` reports it. */
export const ClientUsage = Schema.Struct({
  customerId: Ids.CustomerId,
  items: Schema.Array(UsageItem).pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(500)))
})
export type ClientUsage = typeof ClientUsage.Type

export interface UsagePeriod {
  /** "YYYY-MM". */
  readonly period: string
  readonly from: LocalDate.LocalDate
  readonly to: LocalDate.LocalDate
}

/**
 * Port: billable usage per customer and period, from the contexts that measure it (inventory storage,
 * warehouse handling). Pages by customer id: at most `limit` customers with `customerId > after`, in
 * customer id order. Billing decodes what it returns (`ClientUsage`); malformed usage fails that
 * customer's run, not the job.
 */
export class UsageSource extends Context.Service<
  UsageSource,
  {
    readonly usage: (
      tenant: Tenant.Tenant,
      period: UsagePeriod,
      page: { readonly after: Ids.CustomerId | null; readonly limit: number }
    ) => Effect.Effect<ReadonlyArray<unknown>>
  }
>()("@erpkit/billing/UsageSource") {}
