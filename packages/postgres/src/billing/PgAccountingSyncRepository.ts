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
 */
import { Effect, Layer, Option } from "effect"
import { type Tenant } from "@erpkit/kernel"
import { AccountingSync, AccountingSyncRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { assertTenant, clampLimit, jsonRows, sameTenant, single, type TenantColumns, tenantOf, touched } from "./shared.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"

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

const syncColumns = (p = "") => `${p}id, ${p}organization_id AS "organizationId", ${p}workspace_id AS "workspaceId",
  ${p}entity_type AS "entityType", ${p}entity_id AS "entityId", ${p}status, ${p}attempts, ${p}next_attempt_at AS "nextAttemptAt",
  ${p}last_error AS "lastError", ${p}external_id AS "externalId", ${p}created_at AS "createdAt", ${p}updated_at AS "updatedAt",
  ${p}synced_at AS "syncedAt"`

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

export const layer = Layer.effect(
  Port.AccountingSyncRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const columns = sql.literal(syncColumns())
    const scope = (tenant: Tenant.Tenant) => sql`organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId}`
    const select = (tenant: Tenant.Tenant, id: string, lock: boolean) =>
      db.inTenant(tenant)(Effect.flatMap(
        SqlState.orDie(sql<SyncRow>`SELECT ${columns} FROM billing.accounting_syncs WHERE ${scope(tenant)} AND id = ${id}
          ${lock ? sql`FOR NO KEY UPDATE` : sql``}`),
        (rows) => Effect.map(single<SyncRow>("AccountingSync", id)(rows), toSync)
      ))
    const findByEntity = (tenant: Tenant.Tenant, entityType: AccountingSync.SyncEntityType, entityId: string) =>
      db.inTenant(tenant)(Effect.gen(function*() {
        yield* Storable.checkOrDie(entityId, ["entityId"])
        const rows = yield* SqlState.orDie(sql<SyncRow>`SELECT ${columns} FROM billing.accounting_syncs
          WHERE ${scope(tenant)} AND entity_type = ${entityType} AND entity_id = ${entityId}`)
        return Option.map(Option.fromNullishOr(rows[0]), toSync)
      }))

    const insertRow = (tenant: Tenant.Tenant, s: AccountingSync.AccountingSync) => sql`
      INSERT INTO billing.accounting_syncs (id, organization_id, workspace_id, entity_type, entity_id, status, attempts,
        next_attempt_at, last_error, external_id, created_at, updated_at, synced_at)
      VALUES (${s.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${s.entityType}, ${s.entityId}, ${s.status}, ${s.attempts},
        ${toTimestamptz(s.nextAttemptAt)}, ${s.lastError}::text, ${s.externalId}::text, ${toTimestamptz(s.createdAt)}, ${toTimestamptz(s.updatedAt)},
        ${toTimestamptzOrNull(s.syncedAt)}::timestamptz)`

    const enqueue: Port.AccountingSyncRepository["Service"]["enqueue"] = (tenant, s) =>
      db.inTenant(tenant)(Effect.gen(function*() {
        yield* assertTenant("AccountingSync", s.id, tenant, s.tenant)
        yield* Storable.checkOrDie([s.entityId, s.lastError, s.externalId], ["sync"])
        const rows = yield* SqlState.orDie(sql<SyncRow & { readonly inserted: boolean }>`
          WITH inserted AS (
            ${insertRow(tenant, s)}
            ON CONFLICT (organization_id, workspace_id, entity_type, entity_id) DO NOTHING
            RETURNING *
          )
          SELECT ${sql.literal(syncColumns())}, true AS inserted FROM inserted
          UNION ALL
          SELECT ${columns}, false AS inserted FROM billing.accounting_syncs
          WHERE ${scope(tenant)} AND entity_type = ${s.entityType} AND entity_id = ${s.entityId} AND NOT EXISTS (SELECT 1 FROM inserted)`)
        const row = rows[0]
        if (row !== undefined) return { sync: toSync(row), inserted: row.inserted }
        const existing = yield* findByEntity(tenant, s.entityType, s.entityId)
        if (Option.isNone(existing)) return yield* Effect.die(new Error(`accounting sync for ${s.entityType} ${s.entityId} vanished`))
        return { sync: existing.value, inserted: false }
      }))

    const insert: Port.AccountingSyncRepository["Service"]["insert"] = (tenant, s) =>
      Effect.gen(function*() {
        yield* assertTenant("AccountingSync", s.id, tenant, s.tenant)
        yield* Storable.checkOrDie([s.entityId, s.lastError, s.externalId], ["sync"])
        yield* db.write(tenant, { tables: ["billing.accounting_syncs"], statement: insertRow(tenant, s) })
      })

    const service: Port.AccountingSyncRepository["Service"] = {
      enqueue,
      insert,
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      findByEntity,
      update: (tenant, s) =>
        !sameTenant(tenant, s.tenant) ? touched("AccountingSync", s.id)([]) : db.inTenant(tenant)(Effect.gen(function*() {
          yield* Storable.checkOrDie([s.lastError, s.externalId], ["sync"])
          const rows = yield* SqlState.orDie(sql`
            UPDATE billing.accounting_syncs SET status = ${s.status}, attempts = ${s.attempts}, next_attempt_at = ${toTimestamptz(s.nextAttemptAt)},
              last_error = ${s.lastError}::text, external_id = ${s.externalId}::text, updated_at = ${toTimestamptz(s.updatedAt)},
              synced_at = ${toTimestamptzOrNull(s.syncedAt)}::timestamptz
            WHERE ${scope(tenant)} AND id = ${s.id}
            RETURNING id`)
          yield* touched("AccountingSync", s.id)(rows)
        })),
      list: (tenant, query = {}) =>
        db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<SyncRow>`SELECT ${columns} FROM billing.accounting_syncs WHERE ${scope(tenant)}
            ${query.status === undefined ? sql`` : sql`AND status = ${query.status}`}
            ORDER BY created_at, id LIMIT ${clampLimit(query.limit)}`),
          (rows) => rows.map(toSync)
        )),
      claimDue: (tenant, now, leaseUntil, limit, syncId) =>
        db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<SyncRow>`
            WITH due AS MATERIALIZED (
              SELECT id, next_attempt_at AS due_at FROM billing.accounting_syncs
              WHERE ${scope(tenant)} AND status = 'Pending' AND next_attempt_at <= ${toTimestamptz(now)}
                ${syncId === undefined ? sql`` : sql`AND id = ${syncId}`}
              ORDER BY next_attempt_at, id LIMIT ${Math.max(0, Math.floor(limit))}
              FOR NO KEY UPDATE SKIP LOCKED
            ), leased AS (
              UPDATE billing.accounting_syncs s SET next_attempt_at = ${toTimestamptz(leaseUntil)}, updated_at = ${toTimestamptz(now)}
              FROM due d
              WHERE s.id = d.id AND s.organization_id = ${tenant.organizationId} AND s.workspace_id = ${tenant.workspaceId}
              RETURNING s.*, d.due_at
            )
            SELECT ${sql.literal(syncColumns())} FROM leased ORDER BY due_at, id`),
          (rows) => rows.map(toSync)
        )),
      appendLog: (tenant, entries) => {
        if (entries.length === 0) return Effect.void
        const foreign = entries.find((e) => !sameTenant(e.tenant, tenant))
        if (foreign !== undefined) return Effect.die(new Error(`AccountingSyncLogEntry ${foreign.id} belongs to another tenant than the one given`))
        return db.inTenant(tenant)(Effect.andThen(
          Storable.checkOrDie(entries.map((e) => [e.entityId, e.error, e.externalId]), ["entries"]),
          SqlState.orDie(sql`
            INSERT INTO billing.accounting_sync_log (id, organization_id, workspace_id, sync_id, entity_type, entity_id, attempt, outcome,
              error, external_id, status_after, next_attempt_at, at)
            SELECT x.id, ${tenant.organizationId}, ${tenant.workspaceId}, x.sync_id, x.entity_type, x.entity_id, x.attempt, x.outcome, x.error,
              x.external_id, x.status_after,
              CASE WHEN x.next_attempt_at IS NULL THEN NULL ELSE timestamptz 'epoch' + x.next_attempt_at * interval '1 millisecond' END,
              timestamptz 'epoch' + x.at * interval '1 millisecond'
            FROM jsonb_to_recordset(${jsonRows(entries.map((e, ord) => ({
              ord, id: e.id, sync_id: e.syncId, entity_type: e.entityType, entity_id: e.entityId, attempt: e.attempt, outcome: e.outcome,
              error: e.error, external_id: e.externalId, status_after: e.statusAfter, next_attempt_at: e.nextAttemptAt, at: e.at
            })))}::jsonb) AS x(ord integer, id uuid, sync_id uuid, entity_type text, entity_id text, attempt integer, outcome text,
              error text, external_id text, status_after text, next_attempt_at bigint, at bigint)
            ORDER BY x.ord`)
        ))
      },
      log: (tenant, syncId) =>
        db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<LogRow>`
            SELECT id, organization_id AS "organizationId", workspace_id AS "workspaceId", sync_id AS "syncId", entity_type AS "entityType",
              entity_id AS "entityId", attempt, outcome, error, external_id AS "externalId", status_after AS "statusAfter",
              next_attempt_at AS "nextAttemptAt", at
            FROM billing.accounting_sync_log WHERE ${scope(tenant)} AND sync_id = ${syncId} ORDER BY seq LIMIT 10000`),
          (rows) => rows.map(toLogEntry)
        ))
    }
    return service
  })
)
