/**
 * Accounting sync. Creating an invoice or a payment enqueues, in the same unit of work, a
 * Pending sync record (one per entity: enqueueing again is a no-op) and the outbox event
 * `billing.AccountingSyncRequested`. The sync handler (on that event) and the `runAccountingSync` job
 * (for retries) push the entity to the host's `AccountingSystem`; every attempt's outcome is appended
 * to the accounting sync log.
 *
 *   Pending → Synced     the push succeeded (externalId kept)
 *   Pending → Pending    it failed and may be retried: attempts + 1, nextAttemptAt = now + backoff
 *   Pending → GaveUp     it failed for good (not retryable) or `maxAttempts` failed attempts
 *   GaveUp  → Pending    `retryAccountingSync` (a person fixed the cause)
 *
 * Backoff is exponential and deterministic: base × 2^(attempts − 1), at most `maxDelayMillis`.
 * A claimed record is leased (its nextAttemptAt moves to the lease end) so concurrent runs do not
 * push it twice; a run that dies mid-push leaves it to be retried when the lease ends, and the sync
 * id travels as the external system's idempotency key, so a repeated push is recognised there.
 */
import { type Errors, StateMachine, Tenant } from "@erpkit/kernel"
import { Result, Schema } from "effect"
import { AccountingSyncId, AccountingSyncLogId } from "./Ids.ts"
import { move } from "./internal/machine.ts"
import { Instant } from "./Values.ts"

export const SyncEntityType = Schema.Literals(["Invoice", "Payment"])
export type SyncEntityType = typeof SyncEntityType.Type

export const SyncStatus = Schema.Literals(["Pending", "Synced", "GaveUp"])
export type SyncStatus = typeof SyncStatus.Type

export const machine = StateMachine.make<SyncStatus>({
  name: "AccountingSync",
  states: ["Pending", "Synced", "GaveUp"],
  initial: [{ state: "Pending", label: "createInvoice / recordPayment (enqueue)" }],
  terminal: ["Synced"],
  transitions: [
    { from: "Pending", to: "Pending", label: "attempt failed (retry after backoff)" },
    { from: "Pending", to: "Synced", label: "attempt succeeded" },
    { from: "Pending", to: "GaveUp", label: "not retryable, or maxAttempts failed" },
    { from: "GaveUp", to: "Pending", label: "retryAccountingSync" }
  ]
})

export interface RetryPolicy {
  readonly baseDelayMillis: number
  readonly maxDelayMillis: number
  /** Failed attempts after which the sync gives up. */
  readonly maxAttempts: number
}

export const defaultRetryPolicy: RetryPolicy = {
  baseDelayMillis: 60_000,
  maxDelayMillis: 6 * 3_600_000,
  maxAttempts: 8
}

/** Delay before the next attempt after `attempts` failed ones (1, 2, …): base × 2^(attempts − 1), capped. */
export const backoffMillis = (policy: RetryPolicy, attempts: number): number =>
  Math.min(policy.maxDelayMillis, policy.baseDelayMillis * 2 ** Math.min(Math.max(attempts - 1, 0), 30))

export class AccountingSync extends Schema.Class<AccountingSync>("AccountingSync")({
  id: AccountingSyncId,
  tenant: Tenant.Tenant,
  entityType: SyncEntityType,
  entityId: Schema.String,
  status: SyncStatus,
  /** Attempts made so far (each one has a log entry). */
  attempts: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0))),
  /** When the next attempt is due (Pending), or the end of a running attempt's lease. */
  nextAttemptAt: Instant,
  lastError: Schema.NullOr(Schema.String),
  /** The accounting system's id of the record, once synced. */
  externalId: Schema.NullOr(Schema.String),
  createdAt: Instant,
  updatedAt: Instant,
  syncedAt: Schema.NullOr(Instant)
}) {}

export const AttemptOutcome = Schema.Literals(["Succeeded", "Failed"])

/** One attempt, as the seed's `billing.accounting_sync_log` records it. Append-only. */
export class AccountingSyncLogEntry extends Schema.Class<AccountingSyncLogEntry>("AccountingSyncLogEntry")({
  id: AccountingSyncLogId,
  tenant: Tenant.Tenant,
  syncId: AccountingSyncId,
  entityType: SyncEntityType,
  entityId: Schema.String,
  /** 1, 2, 3, … per sync. */
  attempt: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1))),
  outcome: AttemptOutcome,
  error: Schema.NullOr(Schema.String),
  externalId: Schema.NullOr(Schema.String),
  /** The sync's status after the attempt. */
  statusAfter: SyncStatus,
  nextAttemptAt: Schema.NullOr(Instant),
  at: Instant
}) {}

export const enqueue = (
  id: AccountingSyncId,
  tenant: Tenant.Tenant,
  entityType: SyncEntityType,
  entityId: string,
  now: number
): AccountingSync =>
  new AccountingSync({
    id,
    tenant,
    entityType,
    entityId,
    status: "Pending",
    attempts: 0,
    nextAttemptAt: now,
    lastError: null,
    externalId: null,
    createdAt: now,
    updatedAt: now,
    syncedAt: null
  })

/** The job's predicate: Pending and due (`nextAttemptAt ≤ now`). */
export const isDue = (s: AccountingSync, now: number): boolean => s.status === "Pending" && s.nextAttemptAt <= now

/** Claimed by a run until `leaseUntil`. */
export const lease = (s: AccountingSync, leaseUntil: number, now: number): AccountingSync =>
  new AccountingSync({ ...s, nextAttemptAt: leaseUntil, updatedAt: now })

type StateError = Errors.Immutable | Errors.InvalidTransition

export const succeeded = (
  s: AccountingSync,
  externalId: string,
  now: number
): Result.Result<AccountingSync, StateError> =>
  Result.map(
    move(machine, s.id, s.status, "Synced"),
    (status) =>
      new AccountingSync({
        ...s,
        status,
        attempts: s.attempts + 1,
        externalId,
        lastError: null,
        updatedAt: now,
        syncedAt: now
      })
  )

export const failed = (
  s: AccountingSync,
  error: string,
  retryable: boolean,
  now: number,
  policy: RetryPolicy
): Result.Result<AccountingSync, StateError> => {
  const attempts = s.attempts + 1
  const giveUp = !retryable || attempts >= policy.maxAttempts
  return Result.map(
    move(machine, s.id, s.status, giveUp ? "GaveUp" : "Pending"),
    (status) =>
      new AccountingSync({
        ...s,
        status,
        attempts,
        lastError: error,
        updatedAt: now,
        nextAttemptAt: giveUp ? s.nextAttemptAt : now + backoffMillis(policy, attempts)
      })
  )
}

/** GaveUp → Pending, due at once; the attempt count starts again (the log keeps the history). */
export const requeue = (s: AccountingSync, now: number): Result.Result<AccountingSync, StateError> =>
  Result.map(
    move(machine, s.id, s.status, "Pending"),
    (status) => new AccountingSync({ ...s, status, attempts: 0, nextAttemptAt: now, updatedAt: now })
  )

/** Named invariants, checked in tests. */
export const invariants: ReadonlyArray<readonly [string, (s: AccountingSync) => boolean]> = [
  ["Synced has an external id", (s) => s.status !== "Synced" || (s.externalId !== null && s.syncedAt !== null)],
  ["GaveUp has an error", (s) => s.status !== "GaveUp" || s.lastError !== null]
]
