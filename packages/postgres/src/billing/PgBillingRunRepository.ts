/**
 * `BillingRunRepository` (X-06) on `billing.billing_runs`. `billing_runs_period_key` (tenant,
 * account_id, period) is the rule "one run per account and period": a concurrent second insert waits
 * for the first and fails with 23505 → `BillingRunExists`. `findForUpdate` reads that index
 * `FOR NO KEY UPDATE` (the first lock `billUsage` takes).
 */
import { Effect, Layer, Option } from "effect"
import { type Ids, type Tenant } from "@erpkit/kernel"
import { BillingError, BillingRun, BillingRunRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { assertTenant, clampLimit, duplicateAs, sameTenant, type TenantColumns, tenantOf, touched } from "./shared.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"
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

const runColumns = `id, organization_id AS "organizationId", workspace_id AS "workspaceId", account_id AS "accountId",
  customer_id AS "customerId", period, status, invoice_id AS "invoiceId", error, attempts, created_at AS "createdAt", updated_at AS "updatedAt"`

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

export const layer = Layer.effect(
  Port.BillingRunRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const columns = sql.literal(runColumns)
    const scope = (tenant: Tenant.Tenant) => sql`organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId}`

    const service: Port.BillingRunRepository["Service"] = {
      insert: (tenant, r) =>
        db.inTenant(tenant)(Effect.gen(function*() {
          yield* assertTenant("BillingRun", r.id, tenant, r.tenant)
          yield* Storable.checkOrDie([r.period, r.error], ["run"])
          yield* duplicateAs("billing_runs_period_key", () => new BillingError.BillingRunExists({ accountId: r.accountId, period: r.period }))(sql`
            INSERT INTO billing.billing_runs (id, organization_id, workspace_id, account_id, customer_id, period, status, invoice_id, error, attempts,
              created_at, updated_at)
            VALUES (${r.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${r.accountId}, ${r.customerId}, ${r.period}, ${r.status},
              ${r.invoiceId}::uuid, ${r.error}::text, ${r.attempts}, ${toTimestamptz(r.createdAt)}, ${toTimestamptz(r.updatedAt)})`)
        })),
      findForUpdate: (tenant, accountId, period) =>
        !isUuid(accountId) || Storable.findNul(period) !== undefined ? Effect.succeed(Option.none()) : db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<RunRow>`SELECT ${columns} FROM billing.billing_runs
            WHERE ${scope(tenant)} AND account_id = ${accountId} AND period = ${period}
            FOR NO KEY UPDATE`),
          (rows) => Option.map(Option.fromNullishOr(rows[0]), toRun)
        )),
      update: (tenant, r) =>
        sameTenant(tenant, r.tenant)
          ? db.inTenant(tenant)(Effect.gen(function*() {
            yield* Storable.checkOrDie([r.period, r.error], ["run"])
            const rows = yield* SqlState.orDie(sql`
              UPDATE billing.billing_runs SET status = ${r.status}, invoice_id = ${r.invoiceId}::uuid, error = ${r.error}::text,
                attempts = ${r.attempts}, updated_at = ${toTimestamptz(r.updatedAt)}
              WHERE ${scope(tenant)} AND id = ${r.id}
              RETURNING id`)
            yield* touched("BillingRun", r.id)(rows)
          }))
          : touched("BillingRun", r.id)([]),
      list: (tenant, query = {}) =>
        query.period !== undefined && Storable.findNul(query.period) !== undefined ? Effect.succeed([]) : db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<RunRow>`SELECT ${columns} FROM billing.billing_runs WHERE ${scope(tenant)}
            ${query.period === undefined ? sql`` : sql`AND period = ${query.period}`}
            ${query.status === undefined ? sql`` : sql`AND status = ${query.status}`}
            ORDER BY created_at, id LIMIT ${clampLimit(query.limit)}`),
          (rows) => rows.map(toRun)
        ))
    }
    return service
  })
)
