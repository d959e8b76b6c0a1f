/**
 * One unit of work per command: everything a command writes (its aggregates, ledger postings, outbox
 * events, audit entries, idempotency record) commits together or not at all. Processes that span
 * contexts run their steps inside one `transaction`, which nested calls join.
 *
 * A unit of work may fail with `StorageUnavailable` besides its own errors: the store was lost (a
 * dropped connection, a terminated backend) or gave up on a transient conflict. Repositories have no
 * error channel for it, so an adapter dies with a `StorageUnavailable` where it meets the failure and
 * the unit of work reports it as a typed failure (`surfaceStorageFailure`), alone, never mixed with a
 * defect or a domain error.
 */
import { Cause, Context, Effect, Layer } from "effect"
import { StorageUnavailable } from "./Errors.ts"
import { MemoryStore } from "./MemoryStore.ts"
import { CurrentTenant, type Tenant } from "./Tenant.ts"

/**
 * The unit of work port: `transaction(effect)` runs `effect` so that every write it makes through any
 * port commits together or not at all; a nested call joins the open unit (no savepoints: one outcome).
 *
 * **Participation contract.** Every store a port writes to must take part in the unit of work, or a
 * failed command keeps that store's writes (the contract suites' "a failed unit of work leaves nothing
 * behind" catches it). Two ways:
 *
 * 1. One store for every port (the Postgres adapter): implement `UnitOfWork` over its transaction.
 * 2. A store beside the kernel `MemoryStore` (one port replaced, the others from memory): give the
 *    store a {@link Participant} `transaction` and enlist it in the memory unit of work:
 *    `Layer.effect(UnitOfWork, Effect.map(UnitOfWork, (memory) => enlist(memory, myStore)))`
 *    provided with `UnitOfWork.layerMemory` (docs/custom-adapter.md has the whole recipe).
 *
 * A participant's `transaction` must
 * - join: run `effect` in this store's transaction when one is open on the fiber (a `Context.Reference`,
 *   as `MemoryStore` does; fibers forked inside inherit it), else open one;
 * - keep writes private until commit and drop them on failure, defect or interruption (real rollback,
 *   not best effort: buffer the writes, or copy on write, or undo them in `Effect.onExit`);
 * - commit once, in the outermost call, only when `effect` succeeded;
 * - serialize writers (a permit per store) so concurrent units of work cannot lose updates;
 * - die with `StorageUnavailable` when the store is lost: ports have no error channel for it, and the
 *   unit of work reports it as a typed failure (`surfaceStorageFailure`).
 * A port method called outside any unit of work is its own transaction (autocommit); several calls
 * are atomic together only inside one unit of work, where commands and jobs always run.
 *
 * **Failure and commit order.** `enlist` opens the participant's transaction inside the memory one, so
 * the participant commits first and the `MemoryStore` last. The memory commit is a reference swap that
 * cannot fail; when the participant's commit fails, its error reaches the memory unit, which rolls
 * back: nothing is applied anywhere. Hence at most one store whose commit can fail per unit of work,
 * and it must be the innermost. Two such stores cannot be atomic without two-phase commit, which
 * erpkit does not do: keep those ports in one database.
 *
 * **Serializable** (the memory unit of work): writer units run one at a time (one permit), so each
 * sees every unit committed before it and none running beside it; the outcome is that of some serial
 * order, and readers outside a unit see only committed state. An enlisted participant keeps this when
 * it takes its own permit after the memory one (`enlist` fixes that order, so no deadlock). A database
 * adapter need not be serializable (Postgres runs READ COMMITTED by default) but must honour the ports'
 * locks: a `getForUpdate` row stays locked until the unit ends, so read-modify-write loses no update.
 */
export class UnitOfWork extends Context.Service<
  UnitOfWork,
  { readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | StorageUnavailable, R> }
>()("@erpkit/kernel/UnitOfWork") {
  /** Transactions of the in-memory store (serializable, with real rollback). */
  static readonly layerMemory = Layer.effect(
    UnitOfWork,
    Effect.map(MemoryStore, (store) => ({ transaction: (effect) => surfaceStorageFailure(store.transaction(effect)) }))
  )
}

/**
 * A store that joins units of work beside the one a `UnitOfWork` is built on (see the participation
 * contract on `UnitOfWork`).
 */
export interface Participant {
  /** Runs `effect` atomically in this store; joins this store's transaction already open on the fiber. */
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | StorageUnavailable, R>
}

/**
 * `outer` with `participant` enlisted: each unit of work opens the participant's transaction inside
 * its own, so the participant commits first and `outer` (whose commit must not fail, as the memory
 * store's cannot) last; a failure anywhere, the participant's commit included, rolls back both.
 */
export const enlist = (outer: UnitOfWork["Service"], participant: Participant): UnitOfWork["Service"] => ({
  transaction: (effect) => outer.transaction(participant.transaction(effect))
})

/**
 * `effect` in the current unit of work (a new one, or the enclosing one it joins). A store failure is
 * reported typed whether the adapter fails or dies with it (`surfaceStorageFailure`).
 */
export const run = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | StorageUnavailable, R | UnitOfWork> =>
  Effect.flatMap(UnitOfWork, (uow) => surfaceStorageFailure(uow.transaction(effect)))

/** A unit of work on behalf of `tenant` (jobs and processes that run outside a command use this). */
export const runFor = <A, E, R>(
  tenant: Tenant,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | StorageUnavailable, R | UnitOfWork> =>
  run(effect).pipe(Effect.provideService(CurrentTenant, tenant))

/**
 * `run` with a `StorageUnavailable` failure turned back into a defect: the signature units of work had
 * before the store's failures were typed. Kept so callers can move to `run` one by one.
 * @deprecated use `run`, which reports the store's failures as a typed `StorageUnavailable`.
 */
export const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | UnitOfWork> =>
  dieOnStorageFailure(run(effect))

/**
 * `runFor` with a `StorageUnavailable` failure turned back into a defect (see `transaction`).
 * @deprecated use `runFor`.
 */
export const transactionFor = <A, E, R>(
  tenant: Tenant,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E, R | UnitOfWork> => dieOnStorageFailure(runFor(tenant, effect))

const dieOnStorageFailure = <A, E, R>(effect: Effect.Effect<A, E | StorageUnavailable, R>): Effect.Effect<A, E, R> =>
  Effect.catch(effect, (error) => (error instanceof StorageUnavailable ? Effect.die(error) : Effect.fail(error as E)))

const storageFailureOf = (reason: Cause.Reason<unknown>): StorageUnavailable | undefined => {
  const value = Cause.isFailReason(reason) ? reason.error : Cause.isDieReason(reason) ? reason.defect : undefined
  return value instanceof StorageUnavailable ? value : undefined
}

/**
 * The one failure a unit of work reports when its store failed:
 *
 * - a domain failure (the handler refused) followed by a lost store (its ROLLBACK could not be sent):
 *   the domain failure alone. No COMMIT was sent, so nothing was applied, and the refusal is the
 *   command's real answer (sending it again would meet the same refusal);
 * - otherwise the first `StorageUnavailable` (failed or died) alone, as a typed failure: the defects
 *   that came with it (the raw driver error, a second lost statement) are the same outage.
 *
 * A cause without a `StorageUnavailable` is returned as it is.
 */
export const settleStorageFailure = <E>(cause: Cause.Cause<E>): Cause.Cause<E | StorageUnavailable> => {
  const storage = cause.reasons.map(storageFailureOf).find((s) => s !== undefined)
  if (storage === undefined) return cause
  const refusals = cause.reasons.filter((r) => Cause.isFailReason(r) && !(r.error instanceof StorageUnavailable))
  return refusals.length > 0 ? Cause.fromReasons(refusals) : Cause.fail(storage)
}

/** `effect` with its storage failures reported as one typed `StorageUnavailable` (`settleStorageFailure`). */
export const surfaceStorageFailure = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | StorageUnavailable, R> =>
  Effect.catchCause(effect, (cause) => Effect.failCause(settleStorageFailure(cause)))
