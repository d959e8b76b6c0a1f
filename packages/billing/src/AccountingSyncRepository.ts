/**
 * Ports of the accounting sync: the sync records with their log (`AccountingSyncRepository`,
 * tables `billing.accounting_syncs` and `billing.accounting_sync_log`) and the external system itself
 * (`AccountingSystem`, implemented by the host: 1C, QuickBooks, SAP, …).
 *
 * Lock order: a sync row is locked on its own, after nothing else (the sync never locks invoices or
 * payments; it reads them unlocked).
 */
import { type Errors, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer, Option, type Schema } from "effect"
import * as AccountingSync from "./AccountingSync.ts"
import type { AccountingSystemError } from "./BillingError.ts"
import type { AccountingSyncId } from "./Ids.ts"
import { defaultListLimit, sortBy, tables, tenantTable } from "./internal/memory.ts"
import type { Changed } from "./Values.ts"

export interface SyncQuery {
  readonly status?: AccountingSync.SyncStatus
  /** At most this many, oldest first (createdAt, then id); default 1000. */
  readonly limit?: number
}

/** The append-only accounting sync log in memory. */
const memorySyncLog = (
  store: MemoryStore.MemoryStore["Service"]
): Pick<AccountingSyncRepository["Service"], "appendLog" | "log"> => {
  const logRows = tenantTable<
    {
      readonly id: string
      readonly tenant: Tenant.Tenant
      readonly seq: number
      readonly entry: AccountingSync.AccountingSyncLogEntry
    }
  >(store, tables.accountingSyncLog, "AccountingSyncLogEntry")
  // Attempts are read back in the order appended; ids and timestamps do not give that order, a counter does.
  let seq = 0
  return {
    appendLog: (tenant, entries) =>
      store.transaction(
        Effect.forEach(
          entries,
          (entry) => logRows.insert(tenant, { id: entry.id, tenant: entry.tenant, seq: ++seq, entry }),
          { discard: true }
        )
      ),
    log: (tenant, syncId) =>
      Effect.map(
        logRows.find(tenant, (row) => row.entry.syncId === syncId),
        (found) => sortBy(found, (row) => row.seq).map((row) => row.entry)
      )
  }
}

export class AccountingSyncRepository extends Context.Service<AccountingSyncRepository, {
  /**
   * Adds `sync` unless the entity already has one (unique (tenant, entity_type, entity_id)); returns
   * the row that is there afterwards and whether it is the new one. Postgres: `INSERT … ON CONFLICT
   * (tenant, entity_type, entity_id) DO NOTHING RETURNING *`, then a select when nothing came back.
   */
  readonly enqueue: (
    tenant: Tenant.Tenant,
    sync: AccountingSync.AccountingSync
  ) => Effect.Effect<{ readonly sync: AccountingSync.AccountingSync; readonly inserted: boolean }>
  /**
   * Adds the sync of an entity created in this unit of work, which cannot have one yet (a second
   * sync for the entity is a defect). Unlike `enqueue` nobody waits for its result, so Postgres may
   * send it together with the unit of work's other writes (`PgDatabase.write`).
   */
  readonly insert: (tenant: Tenant.Tenant, sync: AccountingSync.AccountingSync) => Effect.Effect<void>
  readonly get: (
    tenant: Tenant.Tenant,
    id: AccountingSyncId
  ) => Effect.Effect<AccountingSync.AccountingSync, Errors.NotFound>
  /** Like `get`, and locks the row until the unit of work ends (Postgres `FOR UPDATE`); memory: plain get. */
  readonly getForUpdate: (
    tenant: Tenant.Tenant,
    id: AccountingSyncId
  ) => Effect.Effect<AccountingSync.AccountingSync, Errors.NotFound>
  readonly findByEntity: (
    tenant: Tenant.Tenant,
    entityType: AccountingSync.SyncEntityType,
    entityId: string
  ) => Effect.Effect<Option.Option<AccountingSync.AccountingSync>>
  readonly update: (tenant: Tenant.Tenant, sync: AccountingSync.AccountingSync) => Effect.Effect<void, Errors.NotFound>
  readonly list: (
    tenant: Tenant.Tenant,
    query?: SyncQuery
  ) => Effect.Effect<ReadonlyArray<AccountingSync.AccountingSync>>
  /**
   * Claims due syncs as ONE set-based operation: every row with `AccountingSync.isDue(row, now)`
   * (Pending, nextAttemptAt ≤ now), only `syncId` when given, at most `limit`, earliest due first,
   * gets `nextAttemptAt = leaseUntil, updatedAt = now` (`AccountingSync.lease`); returns each leased
   * row before and after the lease (its audit entry). Postgres: `UPDATE … WHERE id IN (SELECT id … WHERE status =
   * 'Pending' AND next_attempt_at <=
   * $now ORDER BY next_attempt_at, id LIMIT $limit FOR UPDATE SKIP LOCKED) RETURNING *`, so concurrent
   * runs never claim the same row.
   */
  readonly claimDue: (
    tenant: Tenant.Tenant,
    now: number,
    leaseUntil: number,
    limit: number,
    syncId?: AccountingSyncId
  ) => Effect.Effect<ReadonlyArray<Changed<AccountingSync.AccountingSync>>>
  /** Appends attempts to the accounting sync log; there is no update or delete. */
  readonly appendLog: (
    tenant: Tenant.Tenant,
    entries: ReadonlyArray<AccountingSync.AccountingSyncLogEntry>
  ) => Effect.Effect<void>
  /** A sync's attempts, in the order appended (attempt 1, 2, …). */
  readonly log: (
    tenant: Tenant.Tenant,
    syncId: AccountingSyncId
  ) => Effect.Effect<ReadonlyArray<AccountingSync.AccountingSyncLogEntry>>
}>()("@erpkit/billing/AccountingSyncRepository") {
  static readonly layerMemory = Layer.effect(
    AccountingSyncRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = tenantTable<AccountingSync.AccountingSync>(store, tables.accountingSyncs, "AccountingSync")
      const findByEntity = (tenant: Tenant.Tenant, entityType: AccountingSync.SyncEntityType, entityId: string) =>
        Effect.map(
          rows.find(tenant, (s) => s.entityType === entityType && s.entityId === entityId),
          (found) => Option.fromNullishOr(found[0])
        )
      const enqueue = (tenant: Tenant.Tenant, sync: AccountingSync.AccountingSync) =>
        store.transaction(
          Effect.flatMap(findByEntity(tenant, sync.entityType, sync.entityId), (existing) =>
            Option.isSome(existing)
              ? Effect.succeed({ sync: existing.value, inserted: false as boolean })
              : Effect.as(rows.insert(tenant, sync), { sync, inserted: true as boolean }))
        )
      return {
        enqueue,
        insert: (tenant, sync) =>
          Effect.flatMap(enqueue(tenant, sync), ({ inserted }) =>
            inserted
              ? Effect.void
              : Effect.die(new Error(`${sync.entityType} ${sync.entityId} already has an accounting sync`))),
        get: rows.get,
        getForUpdate: rows.get,
        findByEntity,
        update: rows.update,
        list: (tenant, query = {}) =>
          Effect.map(
            rows.find(tenant, (s) => query.status === undefined || s.status === query.status),
            (found) => sortBy(found, (s) => s.createdAt).slice(0, query.limit ?? defaultListLimit)
          ),
        claimDue: (tenant, now, leaseUntil, limit, syncId) =>
          store.transaction(Effect.gen(function*() {
            const due = sortBy(
              yield* rows.find(
                tenant,
                (s) => AccountingSync.isDue(s, now) && (syncId === undefined || s.id === syncId)
              ),
              (s) => s.nextAttemptAt
            ).slice(0, Math.max(0, limit))
            const leased = due.map((before) => ({ before, after: AccountingSync.lease(before, leaseUntil, now) }))
            yield* Effect.forEach(leased, (s) => Effect.orDie(rows.update(tenant, s.after)), { discard: true })
            return leased
          })),
        ...memorySyncLog(store)
      }
    })
  )
}

/** What billing hands the accounting system: the entity as JSON (amounts as decimal strings). */
export interface AccountingRecord {
  readonly tenant: Tenant.Tenant
  /** Use it as the idempotency key on the external side: a repeated push of the same sync must not duplicate. */
  readonly syncId: AccountingSyncId
  readonly entityType: AccountingSync.SyncEntityType
  readonly entityId: string
  readonly payload: Schema.Json
}

/**
 * Port: the external accounting system. `push` returns the external id, or fails with
 * `AccountingSystemError { reason, retryable }`; a defect (a thrown bug in the adapter) is recorded
 * as a retryable failure too, so one bad adapter call cannot stop the job.
 */
export class AccountingSystem extends Context.Service<
  AccountingSystem,
  {
    readonly push: (record: AccountingRecord) => Effect.Effect<{ readonly externalId: string }, AccountingSystemError>
  }
>()("@erpkit/billing/AccountingSystem") {}
