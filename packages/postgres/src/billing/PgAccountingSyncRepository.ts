/**
 * `AccountingSyncRepository` (X-07) on `billing.accounting_syncs` and the append-only
 * `billing.accounting_sync_log`. Billing's core commands (createInvoice, recordPayment,
 * issuePaidInvoice) enqueue a sync in their unit of work, so it lives in the same database.
 *
 * - `enqueue` is one statement in the common case: `INSERT … ON CONFLICT DO NOTHING` in a CTE, unioned
 *   with the existing row; when a concurrent enqueue committed after the statement's snapshot, a
 *   second select (a fresh snapshot) finds it.
 * - `claimDue` is one UPDATE over a `FOR NO KEY UPDATE SKIP LOCKED` sub-select (concurrent runs never
 *   claim the same row).
 * - The attempt log is `AccountingSyncLog.ts`.
 */
import { Effect, Layer, Option } from "effect"
import type { Tenant } from "@erpkit/kernel"
import { AccountingSync, AccountingSyncRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import * as AccountingSyncLog from "./AccountingSyncLog.ts"
import { assertTenant, clampLimit, sameTenant, type TenantColumns, tenantOf, touched } from "./shared.ts"

interface SyncRow extends TenantColumns {
  readonly id: string
  readonly entityType: AccountingSync.SyncEntityType
  readonly entityId: string
  readonly status: AccountingSync.SyncStatus
  readonly attempts: number
  readonly nextAttemptAt: Date
  readonly lastError: string | null
  readonly externalId: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly syncedAt: Date | null
}

export const toSync = (row: SyncRow): AccountingSync.AccountingSync =>
  new AccountingSync.AccountingSync({
    id: row.id as AccountingSync.AccountingSync["id"],
    tenant: tenantOf(row),
    entityType: row.entityType,
    entityId: row.entityId,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: fromTimestamptz(row.nextAttemptAt),
    lastError: row.lastError,
    externalId: row.externalId,
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt),
    syncedAt: fromTimestamptzOrNull(row.syncedAt)
  })

type S = AccountingSync.AccountingSync

/** `billing.accounting_syncs` (alias `s`). */
export const syncs = TenantTable.make<S, SyncRow>({
  table: "billing.accounting_syncs",
  alias: "s",
  entity: "AccountingSync",
  columns: [
    column("id", (s) => s.id, { fixed: true }),
    column("entity_type", (s) => s.entityType, { fixed: true }),
    column("entity_id", (s) => s.entityId, { fixed: true }),
    column("status", (s) => s.status),
    column("attempts", (s) => s.attempts),
    column("next_attempt_at", (s) => toTimestamptz(s.nextAttemptAt)),
    column("last_error", (s) => s.lastError, { cast: "text" }),
    column("external_id", (s) => s.externalId, { cast: "text" }),
    column("created_at", (s) => toTimestamptz(s.createdAt), { fixed: true }),
    column("updated_at", (s) => toTimestamptz(s.updatedAt)),
    column("synced_at", (s) => toTimestamptzOrNull(s.syncedAt), { cast: "timestamptz" })
  ],
  decode: (row) => toSync(row)
})

type Db = PgDatabase["Service"]
type Service = Port.AccountingSyncRepository["Service"]

const findByEntity = (db: Db) => (tenant: Tenant.Tenant, entityType: AccountingSync.SyncEntityType, entityId: string) =>
  db.inTenant(tenant)(Effect.gen(function*() {
    yield* Storable.checkOrDie(entityId, ["entityId"])
    const rows = yield* SqlState.orDie(
      db.sql<SyncRow>`SELECT ${db.sql.literal(syncs.selectList())} FROM billing.accounting_syncs s
      WHERE ${syncs.scope(db.sql, tenant)} AND s.entity_type = ${entityType} AND s.entity_id = ${entityId}`
    )
    return Option.map(Option.fromNullishOr(rows[0]), toSync)
  }))

/**
 * Insert, or return the row another enqueue made (one statement; a second read when it committed after our snapshot).
 */
const enqueue = (db: Db): Service["enqueue"] => (tenant, s) =>
  db.inTenant(tenant)(Effect.gen(function*() {
    const sql = db.sql
    yield* assertTenant("AccountingSync", s.id, tenant, s.tenant)
    yield* Storable.checkOrDie([s.entityId, s.lastError, s.externalId], ["sync"])
    const rows = yield* SqlState.orDie(sql<SyncRow & { readonly inserted: boolean }>`
      WITH inserted AS (
        ${syncs.insert(sql, tenant, s)}
        ON CONFLICT (organization_id, workspace_id, entity_type, entity_id) DO NOTHING
        RETURNING *
      )
      SELECT ${sql.literal(syncs.selectList("inserted"))}, true AS inserted FROM inserted
      UNION ALL
      SELECT ${sql.literal(syncs.selectList())}, false AS inserted FROM billing.accounting_syncs s
      WHERE ${
        syncs.scope(sql, tenant)
      } AND s.entity_type = ${s.entityType} AND s.entity_id = ${s.entityId} AND NOT EXISTS (SELECT 1 FROM inserted)`)
    const row = rows[0]
    if (row !== undefined) return { sync: toSync(row), inserted: row.inserted }
    const existing = yield* findByEntity(db)(tenant, s.entityType, s.entityId)
    if (Option.isNone(existing)) {
      return yield* Effect.die(new Error(`accounting sync for ${s.entityType} ${s.entityId} vanished`))
    }
    return { sync: existing.value, inserted: false }
  }))

/** A new entity's sync: nobody waits for it, so the INSERT is deferred (`PgDatabase.write`). */
const insert = (db: Db): Service["insert"] => (tenant, s) =>
  Effect.gen(function*() {
    yield* assertTenant("AccountingSync", s.id, tenant, s.tenant)
    yield* Storable.checkOrDie([s.entityId, s.lastError, s.externalId], ["sync"])
    yield* db.write(tenant, { tables: ["billing.accounting_syncs"], statement: syncs.insert(db.sql, tenant, s) })
  })

/**
 * Leases the due Pending syncs (at most `limit`, earliest due first) until `leaseUntil`; each row
 * before (as locked by the `due` CTE) and after.
 */
const claimDue = (db: Db): Service["claimDue"] => (tenant, now, leaseUntil, limit, syncId) => {
  const sql = db.sql
  return db.inTenant(tenant)(Effect.map(
    SqlState.orDie(sql<Record<string, unknown>>`
      WITH due AS MATERIALIZED (
        SELECT s.* FROM billing.accounting_syncs s
        WHERE ${syncs.scope(sql, tenant)} AND s.status = 'Pending' AND s.next_attempt_at <= ${toTimestamptz(now)}
          ${syncId === undefined ? sql`` : sql`AND s.id = ${syncId}`}
        ORDER BY s.next_attempt_at, s.id LIMIT ${Math.max(0, Math.floor(limit))}
        FOR NO KEY UPDATE SKIP LOCKED
      ), leased AS (
        UPDATE billing.accounting_syncs s SET next_attempt_at = ${toTimestamptz(leaseUntil)}, updated_at = ${
          toTimestamptz(now)
        }
        FROM due d
        WHERE s.id = d.id AND ${syncs.scope(sql, tenant)}
        RETURNING s.*
      )
      SELECT ${sql.literal(`${syncs.selectListAs("leased", "")}, ${syncs.selectListAs("d", "old.")}`)}
      FROM leased JOIN due d ON d.id = leased.id ORDER BY d.next_attempt_at, d.id`),
    (rows) => rows.map((row) => ({ before: syncs.decodeAs(row, "old."), after: syncs.decodeAs(row, "") }))
  ))
}

const list = (db: Db): Service["list"] => (tenant, query = {}) => {
  const sql = db.sql
  return db.inTenant(tenant)(
    Effect.map(
      SqlState.orDie(
        sql<SyncRow>`SELECT ${sql.literal(syncs.selectList())} FROM billing.accounting_syncs s WHERE ${
          syncs.scope(sql, tenant)
        }
      ${query.status === undefined ? sql`` : sql`AND s.status = ${query.status}`}
      ORDER BY s.created_at, s.id LIMIT ${clampLimit(query.limit)}`
      ),
      (rows) => rows.map(toSync)
    )
  )
}

/** Runs at once, never deferred (as it always did), and tells `NotFound`. */
const update = (db: Db): Service["update"] => (tenant, s) =>
  !sameTenant(tenant, s.tenant)
    ? touched("AccountingSync", s.id)([])
    : Effect.andThen(
      Storable.checkOrDie([s.lastError, s.externalId], ["sync"]),
      TenantTable.updateLocked(db, syncs, tenant, s.id, syncs.update(db.sql, tenant, s.id, s), false)
    )

export const layer = Layer.effect(
  Port.AccountingSyncRepository,
  Effect.map(PgDatabase, (db): Service => {
    const select = TenantTable.get(db, syncs)
    return {
      enqueue: enqueue(db),
      insert: insert(db),
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      findByEntity: findByEntity(db),
      update: update(db),
      list: list(db),
      claimDue: claimDue(db),
      appendLog: AccountingSyncLog.appendLog(db),
      log: AccountingSyncLog.log(db)
    }
  })
)
