/**
 * `CreditHoldRepository` on `billing.credit_holds`. `expire` is ONE statement: a CTE expires the due
 * Pending holds (oldest expiry first, at most `limit`, `FOR UPDATE SKIP LOCKED` so a hold a command is
 * posting or voiding right now is left for the next run) and lowers each affected account's `holds_minor`
 * by the sum it released, holds before accounts as the lock order says; it returns both, before and
 * after (the job's audit entries).
 */
import { Effect, Layer } from "effect"
import { CreditHold, CreditHoldRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import { accountColumnsAs, toAccountAs } from "./PgClientAccountRepository.ts"
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

type Db = PgDatabase["Service"]

/**
 * Expires the due holds and releases their accounts in ONE statement; returns each hold and each
 * account before (the `due` and `locked` CTEs lock them, holds first, and hold their values) and after
 * (the UPDATEs' RETURNING), in expiry order.
 */
const expire = (db: Db): Service["expire"] => (tenant, now, limit) => {
  const sql = db.sql
  const columns = [
    holds.selectListAs("x", ""),
    holds.selectListAs("d", "old."),
    accountColumnsAs("r", "account."),
    accountColumnsAs("l", "oldAccount.")
  ]
  return db.inTenant(tenant)(Effect.map(
    SqlState.orDie(sql<Record<string, unknown>>`
      WITH due AS MATERIALIZED (
        SELECT h.* FROM billing.credit_holds h
        WHERE h.organization_id = ${tenant.organizationId} AND h.workspace_id = ${tenant.workspaceId}
          AND h.status = 'Pending' AND h.expires_at <= ${toTimestamptz(now)}
        ORDER BY h.expires_at, h.id LIMIT ${Math.max(0, Math.floor(limit))}
        FOR NO KEY UPDATE SKIP LOCKED
      ), expired AS (
        UPDATE billing.credit_holds h SET status = 'Expired', resolved_at = ${toTimestamptz(now)}
        FROM due d
        WHERE h.id = d.id AND h.organization_id = ${tenant.organizationId} AND h.workspace_id = ${tenant.workspaceId}
          AND h.status = 'Pending'
        RETURNING h.*
      ), locked AS MATERIALIZED (
        SELECT a.* FROM billing.client_accounts a
        WHERE a.organization_id = ${tenant.organizationId} AND a.workspace_id = ${tenant.workspaceId}
          AND a.id IN (SELECT account_id FROM expired)
        ORDER BY a.id
        FOR NO KEY UPDATE OF a
      ), released AS (
        UPDATE billing.client_accounts a SET holds_minor = a.holds_minor - e.total, updated_at = ${toTimestamptz(now)}
        FROM (SELECT account_id, sum(amount_minor) AS total FROM expired GROUP BY account_id) e, locked l
        WHERE a.organization_id = ${tenant.organizationId} AND a.workspace_id = ${tenant.workspaceId}
          AND a.id = e.account_id AND l.id = a.id
        RETURNING a.*
      )
      SELECT ${sql.literal(columns.join(", "))}
      FROM expired x JOIN due d ON d.id = x.id JOIN released r ON r.id = x.account_id JOIN locked l
        ON l.id = x.account_id
      ORDER BY x.expires_at, x.id`),
    (rows) => {
      const accounts = new Map(
        rows.map((
          row
        ) => [row["account.id"], { before: toAccountAs(row, "oldAccount."), after: toAccountAs(row, "account.") }])
      )
      return {
        holds: rows.map((row) => ({ before: holds.decodeAs(row, "old."), after: holds.decodeAs(row, "") })),
        accounts: [...accounts.values()]
      }
    }
  ))
}

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
      expire: expire(db)
    }
  })
)
