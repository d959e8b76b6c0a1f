/**
 * The append-only log of accounting sync attempts, `billing.accounting_sync_log`: appended by ONE
 * INSERT from `jsonb_to_recordset` (in the given order; `seq` keeps it), read back in that order.
 */
import { Effect } from "effect"
import type { Tenant } from "@erpkit/kernel"
import { AccountingSync } from "@erpkit/billing"
import type { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { epochMillisToTimestamptz, fromTimestamptz, fromTimestamptzOrNull } from "../sql/Timestamps.ts"
import { jsonRows, sameTenant, type TenantColumns, tenantOf } from "./shared.ts"

type Db = PgDatabase["Service"]

interface LogRow extends TenantColumns {
  readonly id: string
  readonly syncId: string
  readonly entityType: AccountingSync.SyncEntityType
  readonly entityId: string
  readonly attempt: number
  readonly outcome: "Succeeded" | "Failed"
  readonly error: string | null
  readonly externalId: string | null
  readonly statusAfter: AccountingSync.SyncStatus
  readonly nextAttemptAt: Date | null
  readonly at: Date
}

const toLogEntry = (row: LogRow): AccountingSync.AccountingSyncLogEntry =>
  new AccountingSync.AccountingSyncLogEntry({
    id: row.id as AccountingSync.AccountingSyncLogEntry["id"],
    tenant: tenantOf(row),
    syncId: row.syncId as AccountingSync.AccountingSyncLogEntry["syncId"],
    entityType: row.entityType,
    entityId: row.entityId,
    attempt: row.attempt,
    outcome: row.outcome,
    error: row.error,
    externalId: row.externalId,
    statusAfter: row.statusAfter,
    nextAttemptAt: fromTimestamptzOrNull(row.nextAttemptAt),
    at: fromTimestamptz(row.at)
  })

const logColumns =
  `x.id, x.sync_id, x.entity_type, x.entity_id, x.attempt, x.outcome, x.error, x.external_id, x.status_after,
  CASE WHEN x.next_attempt_at IS NULL THEN NULL ELSE ${epochMillisToTimestamptz("x.next_attempt_at")} END, ${
    epochMillisToTimestamptz("x.at")
  }`

/** Appends `entries` at once, in order. */
export const appendLog =
  (db: Db) =>
  (tenant: Tenant.Tenant, entries: ReadonlyArray<AccountingSync.AccountingSyncLogEntry>): Effect.Effect<void> => {
    if (entries.length === 0) return Effect.void
    const foreign = entries.find((e) => !sameTenant(e.tenant, tenant))
    if (foreign !== undefined) {
      return Effect.die(new Error(`AccountingSyncLogEntry ${foreign.id} belongs to another tenant than the one given`))
    }
    const sql = db.sql
    const rows = jsonRows(
      entries.map((e, ord) => ({
        ord,
        id: e.id,
        sync_id: e.syncId,
        entity_type: e.entityType,
        entity_id: e.entityId,
        attempt: e.attempt,
        outcome: e.outcome,
        error: e.error,
        external_id: e.externalId,
        status_after: e.statusAfter,
        next_attempt_at: e.nextAttemptAt,
        at: e.at
      }))
    )
    return db.inTenant(tenant)(
      Effect.andThen(
        Storable.checkOrDie(entries.map((e) => [e.entityId, e.error, e.externalId]), ["entries"]),
        SqlState.orDie(sql`
      INSERT INTO billing.accounting_sync_log (organization_id, workspace_id, id, sync_id, entity_type, entity_id,
        attempt, outcome, error, external_id, status_after, next_attempt_at, at)
      SELECT ${tenant.organizationId}, ${tenant.workspaceId}, ${sql.literal(logColumns)}
      FROM jsonb_to_recordset(${rows}::jsonb) AS x(ord integer, id uuid, sync_id uuid, entity_type text, entity_id text,
        attempt integer, outcome text, error text, external_id text, status_after text, next_attempt_at bigint,
        at bigint)
      ORDER BY x.ord`)
      )
    )
  }

/** A sync's log, oldest first (at most 10 000). */
export const log =
  (db: Db) =>
  (tenant: Tenant.Tenant, syncId: string): Effect.Effect<ReadonlyArray<AccountingSync.AccountingSyncLogEntry>> =>
    db.inTenant(tenant)(Effect.map(
      SqlState.orDie(db.sql<LogRow>`
      SELECT id, organization_id AS "organizationId", workspace_id AS "workspaceId", sync_id AS "syncId",
        entity_type AS "entityType", entity_id AS "entityId", attempt, outcome, error, external_id AS "externalId",
        status_after AS "statusAfter", next_attempt_at AS "nextAttemptAt", at
      FROM billing.accounting_sync_log
      WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND sync_id = ${syncId}
      ORDER BY seq LIMIT 10000`),
      (rows) => rows.map(toLogEntry)
    ))
