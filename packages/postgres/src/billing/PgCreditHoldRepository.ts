/**
 * `CreditHoldRepository` on `billing.credit_holds`. `expire` is ONE statement: a CTE expires the due
 * Pending holds (oldest expiry first, at most `limit`, `FOR UPDATE SKIP LOCKED` so a hold a command is
 * posting or voiding right now is left for the next run) and lowers each affected account's `holds`
 * by the sum it released, holds before accounts as the lock order says.
 */
import { Effect, Layer } from "effect"
import { type Tenant } from "@erpkit/kernel"
import { CreditHold, CreditHoldRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { assertTenant, sameTenant, single, type TenantColumns, tenantOf, touched } from "./shared.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"

interface HoldRow extends TenantColumns {
  readonly id: string
  readonly accountId: string
  readonly amount: bigint
  readonly status: CreditHold.CreditHoldStatus
  readonly reference: string | null
  readonly expiresAt: Date
  readonly invoiceId: string | null
  readonly createdAt: Date
  readonly resolvedAt: Date | null
}

export const holdColumns = (p = "") => `${p}id, ${p}organization_id AS "organizationId", ${p}workspace_id AS "workspaceId",
  ${p}account_id AS "accountId", ${p}amount, ${p}status, ${p}reference, ${p}expires_at AS "expiresAt", ${p}invoice_id AS "invoiceId",
  ${p}created_at AS "createdAt", ${p}resolved_at AS "resolvedAt"`

export const toHold = (row: HoldRow): CreditHold.CreditHold =>
  new CreditHold.CreditHold({
    id: row.id as CreditHold.CreditHold["id"],
    tenant: tenantOf(row),
    accountId: row.accountId as CreditHold.CreditHold["accountId"],
    amountMinor: row.amount,
    status: row.status,
    reference: row.reference,
    expiresAt: fromTimestamptz(row.expiresAt),
    invoiceId: row.invoiceId as CreditHold.CreditHold["invoiceId"],
    createdAt: fromTimestamptz(row.createdAt),
    resolvedAt: fromTimestamptzOrNull(row.resolvedAt)
  })

export const layer = Layer.effect(
  Port.CreditHoldRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const columns = sql.literal(holdColumns())
    const select = (tenant: Tenant.Tenant, id: string, lock: boolean) =>
      db.inTenant(tenant)(Effect.flatMap(
        SqlState.orDie(sql<HoldRow>`SELECT ${columns} FROM billing.credit_holds
          WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND id = ${id}
          ${lock ? sql`FOR NO KEY UPDATE` : sql``}`),
        (rows) => Effect.map(single<HoldRow>("CreditHold", id)(rows), toHold)
      ))

    const service: Port.CreditHoldRepository["Service"] = {
      insert: (tenant, h) =>
        db.inTenant(tenant)(Effect.gen(function*() {
          yield* assertTenant("CreditHold", h.id, tenant, h.tenant)
          yield* Storable.checkOrDie(h.reference, ["reference"])
          yield* SqlState.orDie(sql`
            INSERT INTO billing.credit_holds (id, organization_id, workspace_id, account_id, amount, status, reference, expires_at,
              invoice_id, created_at, resolved_at)
            VALUES (${h.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${h.accountId}, ${h.amountMinor}, ${h.status}, ${h.reference},
              ${toTimestamptz(h.expiresAt)}, ${h.invoiceId}, ${toTimestamptz(h.createdAt)}, ${toTimestamptzOrNull(h.resolvedAt)})`)
        })),
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      update: (tenant, h) =>
        sameTenant(tenant, h.tenant)
          ? db.inTenant(tenant)(Effect.gen(function*() {
            yield* Storable.checkOrDie(h.reference, ["reference"])
            const rows = yield* SqlState.orDie(sql`
              UPDATE billing.credit_holds SET amount = ${h.amountMinor}, status = ${h.status}, reference = ${h.reference},
                expires_at = ${toTimestamptz(h.expiresAt)}, invoice_id = ${h.invoiceId}, resolved_at = ${toTimestamptzOrNull(h.resolvedAt)}
              WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND id = ${h.id}
              RETURNING id`)
            yield* touched("CreditHold", h.id)(rows)
          }))
          : touched("CreditHold", h.id)([]),
      expire: (tenant, now, limit) =>
        db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<HoldRow>`
            WITH due AS MATERIALIZED (
              SELECT id FROM billing.credit_holds
              WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId}
                AND status = 'Pending' AND expires_at <= ${toTimestamptz(now)}
              ORDER BY expires_at, id LIMIT ${Math.max(0, Math.floor(limit))}
              FOR NO KEY UPDATE SKIP LOCKED
            ), expired AS (
              UPDATE billing.credit_holds h SET status = 'Expired', resolved_at = ${toTimestamptz(now)}
              FROM due d
              WHERE h.id = d.id AND h.organization_id = ${tenant.organizationId} AND h.workspace_id = ${tenant.workspaceId}
                AND h.status = 'Pending'
              RETURNING h.*
            ), released AS (
              UPDATE billing.client_accounts a SET holds = a.holds - e.total, updated_at = ${toTimestamptz(now)}
              FROM (SELECT account_id, sum(amount) AS total FROM expired GROUP BY account_id) e
              WHERE a.organization_id = ${tenant.organizationId} AND a.workspace_id = ${tenant.workspaceId} AND a.id = e.account_id
              RETURNING a.id
            )
            SELECT ${sql.literal(holdColumns())} FROM expired ORDER BY expires_at, id`),
          (rows) => rows.map(toHold)
        ))
    }
    return service
  })
)
