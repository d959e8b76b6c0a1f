/**
 * `BillingRunRepository` (X-06) on `billing.billing_runs`. `billing_runs_period_key` (tenant,
 * account_id, period) is the rule "one run per account and period": a concurrent second insert waits
 * for the first and fails with 23505 → `BillingRunExists`. `findForUpdate` reads that index
 * `FOR NO KEY UPDATE` (the first lock `billUsage` takes).
 */
import { Effect, Layer, Option } from "effect"
import type { Ids } from "@erpkit/kernel"
import { BillingError, BillingRun, BillingRunRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { assertTenant, clampLimit, duplicateAs, sameTenant, type TenantColumns, tenantOf, touched } from "./shared.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import { isUuid } from "./PgQuoteRepository.ts"

interface RunRow extends TenantColumns {
  readonly id: string
  readonly accountId: string
  readonly customerId: string
  readonly period: string
  readonly status: BillingRun.BillingRunStatus
  readonly invoiceId: string | null
  readonly error: string | null
  readonly attempts: number
  readonly createdAt: Date
  readonly updatedAt: Date
}

const toRun = (row: RunRow): BillingRun.BillingRun =>
  new BillingRun.BillingRun({
    id: row.id as BillingRun.BillingRun["id"],
    tenant: tenantOf(row),
    accountId: row.accountId as BillingRun.BillingRun["accountId"],
    customerId: row.customerId as Ids.CustomerId,
    period: row.period,
    status: row.status,
    invoiceId: row.invoiceId as BillingRun.BillingRun["invoiceId"],
    error: row.error,
    attempts: row.attempts,
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt)
  })

type B = BillingRun.BillingRun

/** `billing.billing_runs` (alias `b`). */
export const runs = TenantTable.make<B, RunRow>({
  table: "billing.billing_runs",
  alias: "b",
  entity: "BillingRun",
  columns: [
    column("id", (r) => r.id, { fixed: true }),
    column("account_id", (r) => r.accountId, { fixed: true }),
    column("customer_id", (r) => r.customerId, { fixed: true }),
    column("period", (r) => r.period, { fixed: true }),
    column("status", (r) => r.status),
    column("invoice_id", (r) => r.invoiceId, { cast: "uuid" }),
    column("error", (r) => r.error, { cast: "text" }),
    column("attempts", (r) => r.attempts),
    column("created_at", (r) => toTimestamptz(r.createdAt), { fixed: true }),
    column("updated_at", (r) => toTimestamptz(r.updatedAt))
  ],
  decode: (row) => toRun(row)
})

type Service = Port.BillingRunRepository["Service"]

export const layer = Layer.effect(
  Port.BillingRunRepository,
  Effect.map(PgDatabase, (db): Service => {
    const sql = db.sql
    const columns = sql.literal(runs.selectList())
    return {
      insert: (tenant, r) =>
        db.inTenant(tenant)(Effect.gen(function*() {
          yield* assertTenant("BillingRun", r.id, tenant, r.tenant)
          yield* Storable.checkOrDie([r.period, r.error], ["run"])
          yield* duplicateAs(
            "billing_runs_period_key",
            () => new BillingError.BillingRunExists({ accountId: r.accountId, period: r.period })
          )(runs.insert(sql, tenant, r))
        })),
      findForUpdate: (tenant, accountId, period) =>
        !isUuid(accountId) || Storable.findNul(period) !== undefined ?
          Effect.succeed(Option.none()) :
          db.inTenant(tenant)(Effect.map(
            SqlState.orDie(sql<RunRow>`SELECT ${columns} FROM billing.billing_runs b
            WHERE ${runs.scope(sql, tenant)} AND b.account_id = ${accountId} AND b.period = ${period}
            FOR NO KEY UPDATE`),
            (rows) => Option.map(Option.fromNullishOr(rows[0]), toRun)
          )),
      update: (tenant, r) =>
        sameTenant(tenant, r.tenant)
          ? Effect.andThen(
            Storable.checkOrDie([r.period, r.error], ["run"]),
            TenantTable.updateLocked(db, runs, tenant, r.id, runs.update(sql, tenant, r.id, r), false)
          )
          : touched("BillingRun", r.id)([]),
      list: (tenant, query = {}) =>
        query.period !== undefined && Storable.findNul(query.period) !== undefined ?
          Effect.succeed([]) :
          db.inTenant(tenant)(
            Effect.map(
              SqlState.orDie(sql<RunRow>`SELECT ${columns} FROM billing.billing_runs b WHERE ${runs.scope(sql, tenant)}
            ${query.period === undefined ? sql`` : sql`AND b.period = ${query.period}`}
            ${query.status === undefined ? sql`` : sql`AND b.status = ${query.status}`}
            ORDER BY b.created_at, b.id LIMIT ${clampLimit(query.limit)}`),
              (rows) => rows.map(toRun)
            )
          )
    }
  })
)
