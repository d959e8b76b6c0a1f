/**
 * Running the accounting sync: the `runAccountingSync` job, the outbox handler for
 * `billing.AccountingSyncRequested`, a manual requeue and the queries.
 *
 * One run, with the system actor (or anyone holding `billing.jobs.run`):
 *   1. claim (one unit of work, one set-based port operation): due Pending syncs get a lease;
 *   2. for each, outside any unit of work: read the invoice or payment, push it to `AccountingSystem`
 *      (no database transaction stays open while the external system answers);
 *   3. record the outcome (one unit of work per sync): the sync row, its log entry, the outbox event.
 * Step 3 checks that the sync is still Pending with the attempt count it was claimed with, so a run
 * whose lease ran out while another run took the sync over records nothing (`SyncLeaseLost`).
 */
// `Ids` is imported as a type so declaration emit can name the kernel types commands infer.
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import { Actor, Command, type DomainEvent, type Errors, type Ids, UnitOfWork } from "@erpkit/kernel"
import { Cause, Context, Effect, Exit, Option, Schema } from "effect"
import * as AccountingSync from "./AccountingSync.ts"
import { AccountingSyncRepository, AccountingSystem } from "./AccountingSyncRepository.ts"
import { SyncLeaseLost } from "./BillingError.ts"
import * as BillingEvent from "./BillingEvent.ts"
import { AccountingSyncId, AccountingSyncLogId } from "./Ids.ts"
import { audit, freshIds } from "./internal/command.ts"
import * as Invoice from "./Invoice.ts"
import { InvoiceRepository } from "./InvoiceRepository.ts"
import * as Payment from "./Payment.ts"
import { PaymentRepository } from "./PaymentRepository.ts"
import { permissions } from "./Permissions.ts"
import { BatchSizeMax, defaultBatchSizeMax, Text } from "./Values.ts"

/** The retry policy of the sync (backoff and give-up); hosts override it with `Effect.provideService`. */
export const RetryPolicy = Context.Reference<AccountingSync.RetryPolicy>("@erpkit/billing/AccountingSyncRetryPolicy", {
  defaultValue: () => AccountingSync.defaultRetryPolicy
})

export const RunAccountingSyncInput = Schema.Struct({
  /** 1 … 10 000; default 1 000. */
  batchSizeMax: Schema.optionalKey(BatchSizeMax),
  /** How long a claimed sync is reserved for this run: 1 s … 1 h, default 5 min. */
  leaseSeconds: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 3600 })))),
  /** Only this sync (the outbox handler's case). */
  syncId: Schema.optionalKey(AccountingSyncId)
})

export const defaultLeaseSeconds = 300

/** Step 1: leases the due syncs. */
export const claimAccountingSyncs = Command.make({
  name: "billing.claimAccountingSyncs",
  input: RunAccountingSyncInput,
  output: Schema.Struct({ syncs: Schema.Array(AccountingSync.AccountingSync) }),
  permission: permissions.jobsRun,
  handler: Effect.fnUntraced(function*(input, context) {
    const leaseUntil = context.now + (input.leaseSeconds ?? defaultLeaseSeconds) * 1000
    const leased = yield* (yield* AccountingSyncRepository).claimDue(
      context.tenant,
      context.now,
      leaseUntil,
      input.batchSizeMax ?? defaultBatchSizeMax,
      input.syncId
    )
    // the lease is a change of the sync (its nextAttemptAt): audited like any other (TEN-07)
    return {
      result: { syncs: leased.map((s) => s.after) },
      changes: leased.map((s) => audit(AccountingSync.AccountingSync, s.before, s.after))
    }
  })
})

export const AttemptOutcome = Schema.Union([
  Schema.TaggedStruct("Succeeded", { externalId: Text(200) }),
  Schema.TaggedStruct("Failed", { reason: Text(2000), retryable: Schema.Boolean })
])
export type AttemptOutcome = typeof AttemptOutcome.Type

export const RecordAttemptInput = Schema.Struct({
  syncId: AccountingSyncId,
  /** The sync's `attempts` when it was claimed (guards against a stale lease). */
  claimedAttempts: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(0))),
  outcome: AttemptOutcome
})

/** Step 3 (used by the run; exported for hosts that push on their own): records one attempt. */
export const recordAccountingSyncAttempt = Command.make({
  name: "billing.recordAccountingSyncAttempt",
  input: RecordAttemptInput,
  output: Schema.Struct({ sync: AccountingSync.AccountingSync, entry: AccountingSync.AccountingSyncLogEntry }),
  permission: permissions.jobsRun,
  handler: Effect.fnUntraced(function*(input, context) {
    const repo = yield* AccountingSyncRepository
    const before = yield* repo.getForUpdate(context.tenant, input.syncId)
    if (before.status !== "Pending" || before.attempts !== input.claimedAttempts) {
      return yield* new SyncLeaseLost({
        syncId: before.id,
        status: before.status,
        attempts: before.attempts,
        claimedAttempts: input.claimedAttempts
      })
    }
    const policy = yield* RetryPolicy
    const outcome = input.outcome
    const after = yield* Effect.fromResult(
      outcome._tag === "Succeeded"
        ? AccountingSync.succeeded(before, outcome.externalId, context.now)
        : AccountingSync.failed(before, outcome.reason, outcome.retryable, context.now, policy)
    )
    const [id] = yield* freshIds(AccountingSyncLogId, 1)
    const entry = new AccountingSync.AccountingSyncLogEntry({
      id: id!,
      tenant: context.tenant,
      syncId: after.id,
      entityType: after.entityType,
      entityId: after.entityId,
      attempt: after.attempts,
      outcome: outcome._tag,
      error: outcome._tag === "Failed" ? outcome.reason : null,
      externalId: outcome._tag === "Succeeded" ? outcome.externalId : null,
      statusAfter: after.status,
      nextAttemptAt: after.status === "Pending" ? after.nextAttemptAt : null,
      at: context.now
    })
    yield* Effect.orDie(repo.update(context.tenant, after))
    yield* repo.appendLog(context.tenant, [entry])
    const ref = { syncId: after.id, entityType: after.entityType, entityId: after.entityId }
    const events = after.status === "Synced"
      ? [
        BillingEvent.draft({
          _tag: "AccountingSynced",
          ...ref,
          externalId: after.externalId ?? "",
          attempts: after.attempts
        })
      ]
      : after.status === "GaveUp"
      ? [
        BillingEvent.draft({
          _tag: "AccountingSyncGaveUp",
          ...ref,
          attempts: after.attempts,
          lastError: after.lastError ?? ""
        })
      ]
      : []
    return { result: { sync: after, entry }, events, changes: [audit(AccountingSync.AccountingSync, before, after)] }
  })
})

const encodeInvoice = Schema.encodeSync(Schema.toCodecJson(Invoice.Invoice))
const encodePayment = Schema.encodeSync(Schema.toCodecJson(Payment.Payment))

/** The entity as JSON, read in the tenant's scope; gone (a deleted draft) is a failure that will not heal. */
const payloadOf = (sync: AccountingSync.AccountingSync) =>
  UnitOfWork.runFor(
    sync.tenant,
    Effect.gen(function*() {
      if (sync.entityType === "Invoice") {
        return encodeInvoice(yield* (yield* InvoiceRepository).get(sync.tenant, sync.entityId as never)) as Schema.Json
      }
      return encodePayment(yield* (yield* PaymentRepository).get(sync.tenant, sync.entityId as never)) as Schema.Json
    })
  )

/** A push that takes longer counts as a retryable failure (well inside the default lease of 300 s). */
export const pushTimeoutSeconds = 30

/** Step 2: one push, its outcome as data (typed failures, adapter defects and timeouts alike). */
const push = (sync: AccountingSync.AccountingSync) =>
  Effect.gen(function*() {
    const payload = yield* Effect.exit(payloadOf(sync))
    if (Exit.isFailure(payload)) {
      // a lost database is worth another try; an entity that cannot be read is not
      const lost = Cause.findErrorOption(payload.cause)
      const retryable = lost._tag === "Some" && (lost.value as { readonly _tag?: string })._tag === "StorageUnavailable"
      return {
        _tag: "Failed",
        reason: `${sync.entityType} ${sync.entityId} cannot be read: ${Cause.pretty(payload.cause).slice(0, 500)}`,
        retryable
      } as const
    }
    const system = yield* AccountingSystem
    const pushed = yield* Effect.exit(
      system.push({
        tenant: sync.tenant,
        syncId: sync.id,
        entityType: sync.entityType,
        entityId: sync.entityId,
        payload: payload.value
      }).pipe(Effect.timeoutOption(`${pushTimeoutSeconds} seconds`))
    )
    if (Exit.isSuccess(pushed)) {
      return Option.isSome(pushed.value)
        ? { _tag: "Succeeded", externalId: pushed.value.value.externalId.slice(0, 200) || "-" } as const
        : { _tag: "Failed", reason: `no answer within ${pushTimeoutSeconds} s`, retryable: true } as const
    }
    const error = Cause.findErrorOption(pushed.cause)
    return error._tag === "Some"
      ? {
        _tag: "Failed",
        reason: error.value.reason.slice(0, 2000) || "failed",
        retryable: error.value.retryable
      } as const
      : {
        _tag: "Failed",
        reason: `adapter defect: ${Cause.pretty(pushed.cause).slice(0, 1900)}`,
        retryable: true
      } as const
  })

export interface SyncAttempt {
  readonly syncId: AccountingSyncId
  readonly entityType: AccountingSync.SyncEntityType
  readonly entityId: string
  readonly outcome: AttemptOutcome["_tag"]
  readonly status: AccountingSync.SyncStatus
}

/**
 * X-07, the `runAccountingSync` job: claims due syncs (at most `batchSizeMax`), pushes each and records
 * the outcome. Returns one entry per recorded attempt; a sync another run took over is skipped.
 */
export const runAccountingSync = (actor: Actor.Actor, input: Command.InputOf<typeof claimAccountingSyncs>) =>
  Effect.gen(function*() {
    const { syncs } = yield* claimAccountingSyncs(actor, input)
    const attempts: Array<SyncAttempt> = []
    for (const sync of syncs) {
      const outcome = yield* push(sync)
      const recorded = yield* Effect.exit(
        recordAccountingSyncAttempt(actor, { syncId: sync.id, claimedAttempts: sync.attempts, outcome })
      )
      if (Exit.isSuccess(recorded)) {
        const s = recorded.value.sync
        attempts.push({
          syncId: s.id,
          entityType: s.entityType,
          entityId: s.entityId,
          outcome: outcome._tag,
          status: s.status
        })
      } else if (Cause.hasDies(recorded.cause) || Cause.hasInterrupts(recorded.cause)) {
        return yield* Effect.failCause(recorded.cause)
      }
    }
    return { attempts }
  }).pipe(Effect.withSpan("billing.runAccountingSync"))

/**
 * The outbox handler: on `billing.AccountingSyncRequested`, pushes that one sync at once (as the
 * system actor of the event's tenant). Other events are ignored. Delivered twice, the second delivery
 * finds the sync no longer due and does nothing.
 */
export const handleEvent = (event: DomainEvent.DomainEvent) =>
  event.type !== "billing.AccountingSyncRequested"
    ? Effect.succeed({ attempts: [] as ReadonlyArray<SyncAttempt> })
    : Effect.flatMap(
      Effect.orDie(BillingEvent.decodePayload(event.payload)),
      (payload) =>
        payload._tag !== "AccountingSyncRequested"
          ? Effect.succeed({ attempts: [] as ReadonlyArray<SyncAttempt> })
          : runAccountingSync(Actor.system(event.tenant), { syncId: payload.syncId, batchSizeMax: 1 })
    )

/** GaveUp → Pending, due now (after someone fixed the cause). */
export const retryAccountingSync = Command.make({
  name: "billing.retryAccountingSync",
  input: Schema.Struct({ syncId: AccountingSyncId }),
  output: AccountingSync.AccountingSync,
  permission: permissions.accountingSyncRetry,
  handler: Effect.fnUntraced(function*(input, context) {
    const repo = yield* AccountingSyncRepository
    const before = yield* repo.getForUpdate(context.tenant, input.syncId)
    const after = yield* Effect.fromResult(AccountingSync.requeue(before, context.now))
    yield* Effect.orDie(repo.update(context.tenant, after))
    return {
      result: after,
      events: [
        BillingEvent.draft({
          _tag: "AccountingSyncRequested",
          syncId: after.id,
          entityType: after.entityType,
          entityId: after.entityId
        })
      ],
      changes: [audit(AccountingSync.AccountingSync, before, after)]
    }
  })
})

export const listAccountingSyncs = Command.query({
  name: "billing.listAccountingSyncs",
  input: Schema.Struct({
    status: Schema.optionalKey(AccountingSync.SyncStatus),
    limit: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))))
  }),
  permission: permissions.accountingSyncRead,
  handler: (input, context) => AccountingSyncRepository.use((repo) => repo.list(context.tenant, input))
})

/** The accounting sync log of one sync (every attempt, oldest first). */
export const accountingSyncLog = Command.query({
  name: "billing.accountingSyncLog",
  input: Schema.Struct({ syncId: AccountingSyncId }),
  permission: permissions.accountingSyncRead,
  handler: (input, context) =>
    Effect.gen(function*() {
      const repo = yield* AccountingSyncRepository
      yield* repo.get(context.tenant, input.syncId)
      return yield* repo.log(context.tenant, input.syncId)
    })
})

export const findAccountingSync = Command.query({
  name: "billing.findAccountingSync",
  input: Schema.Struct({ entityType: AccountingSync.SyncEntityType, entityId: Text(100) }),
  permission: permissions.accountingSyncRead,
  handler: (input, context) =>
    AccountingSyncRepository.use((repo) => repo.findByEntity(context.tenant, input.entityType, input.entityId))
})
