/**
 * `CreditHoldRepository` on `billing.credit_holds`. `expire` is ONE statement: a CTE expires the due
 * Pending holds (oldest expiry first, at most `limit`, `FOR UPDATE SKIP LOCKED` so a hold a command is
 * posting or voiding right now is left for the next run) and lowers each affected account's `holds_minor`
 * by the sum it released, holds before accounts as the lock order says.
 */
import { Effect, Layer } from "effect"
import { CreditHold, CreditHoldRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import { assertTenant, sameTenant, type TenantColumns, tenantOf, touched } from "./shared.ts"

interface HoldRow extends TenantColumns {
  readonly id: string
  readonly accountId: string
  readonly amountMinor: bigint
  readonly status: CreditHold.CreditHoldStatus
  readonly reference: string | null
  readonly expiresAt: Date
  readonly invoiceId: string | null
  readonly createdAt: Date
  readonly resolvedAt: Date | null
}

export const toHold = (row: HoldRow): CreditHold.CreditHold =>
  new CreditHold.CreditHold({
    id: row.id as CreditHold.CreditHold["id"],
    tenant: tenantOf(row),
    accountId: row.accountId as CreditHold.CreditHold["accountId"],
    amountMinor: row.amountMinor,
    status: row.status,
    reference: row.reference,
    expiresAt: fromTimestamptz(row.expiresAt),
    invoiceId: row.invoiceId as CreditHold.CreditHold["invoiceId"],
    createdAt: fromTimestamptz(row.createdAt),
    resolvedAt: fromTimestamptzOrNull(row.resolvedAt)
  })

type H = CreditHold.CreditHold

/** `billing.credit_holds` (alias `h`). */
export const holds = TenantTable.make<H, HoldRow>({
  table: "billing.credit_holds",
  alias: "h",
  entity: "CreditHold",
  columns: [
    column("id", (h) => h.id, { fixed: true }),
    column("account_id", (h) => h.accountId, { fixed: true }),
    column("amount_minor", (h) => h.amountMinor),
    column("status", (h) => h.status),
    column("reference", (h) => h.reference, { cast: "text" }),
    column("expires_at", (h) => toTimestamptz(h.expiresAt)),
    column("invoice_id", (h) => h.invoiceId, { cast: "uuid" }),
    column("created_at", (h) => toTimestamptz(h.createdAt), { fixed: true }),
    column("resolved_at", (h) => toTimestamptzOrNull(h.resolvedAt), { cast: "timestamptz" })
  ],
  decode: (row) => toHold(row)
})

type Service = Port.CreditHoldRepository["Service"]

export const layer = Layer.effect(
  Port.CreditHoldRepository,
  Effect.map(PgDatabase, (db): Service => {
    const sql = db.sql
    const select = TenantTable.get(db, holds)
    return {
      insert: (tenant, h) =>
        db.inTenant(tenant)(Effect.gen(function*() {
          yield* assertTenant("CreditHold", h.id, tenant, h.tenant)
          yield* Storable.checkOrDie(h.reference, ["reference"])
          yield* SqlState.orDie(holds.insert(sql, tenant, h))
        })),
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      update: (tenant, h) =>
        sameTenant(tenant, h.tenant)
          ? Effect.andThen(
            Storable.checkOrDie(h.reference, ["reference"]),
            TenantTable.updateLocked(db, holds, tenant, h.id, holds.update(sql, tenant, h.id, h), false)
          )
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
              UPDATE billing.client_accounts a SET holds_minor = a.holds_minor - e.total, updated_at = ${toTimestamptz(now)}
              FROM (SELECT account_id, sum(amount_minor) AS total FROM expired GROUP BY account_id) e
              WHERE a.organization_id = ${tenant.organizationId} AND a.workspace_id = ${tenant.workspaceId} AND a.id = e.account_id
              RETURNING a.id
            )
            SELECT ${sql.literal(holds.selectList("expired"))} FROM expired ORDER BY expires_at, id`),
          (rows) => rows.map(toHold)
        ))
    }
  })
)
