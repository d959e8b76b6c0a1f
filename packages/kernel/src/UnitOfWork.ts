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

export class UnitOfWork extends Context.Service<UnitOfWork, {
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E | StorageUnavailable, R>
}>()("@erpkit/kernel/UnitOfWork") {
  /** Transactions of the in-memory store (serializable, with real rollback). */
  static readonly layerMemory = Layer.effect(
    UnitOfWork,
    Effect.map(MemoryStore, (store) => ({ transaction: (effect) => surfaceStorageFailure(store.transaction(effect)) }))
  )
}

/** `effect` in the current unit of work (a new one, or the enclosing one it joins). */
export const run = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | StorageUnavailable, R | UnitOfWork> =>
  Effect.flatMap(UnitOfWork, (uow) => uow.transaction(effect))

/** A unit of work on behalf of `tenant` (jobs and processes that run outside a command use this). */
export const runFor = <A, E, R>(
  tenant: Tenant,
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, E | StorageUnavailable, R | UnitOfWork> => run(effect).pipe(Effect.provideService(CurrentTenant, tenant))

/**
 * `run` with a `StorageUnavailable` failure turned back into a defect: the signature units of work had
 * before the store's failures were typed. Kept so callers can move to `run` one by one.
 * @deprecated use `run`, which reports the store's failures as a typed `StorageUnavailable`.
 */
export const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | UnitOfWork> => dieOnStorageFailure(run(effect))

/**
 * `runFor` with a `StorageUnavailable` failure turned back into a defect (see `transaction`).
 * @deprecated use `runFor`.
 */
export const transactionFor = <A, E, R>(tenant: Tenant, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | UnitOfWork> =>
  dieOnStorageFailure(runFor(tenant, effect))

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
export const surfaceStorageFailure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E | StorageUnavailable, R> =>
  Effect.catchCause(effect, (cause) => Effect.failCause(settleStorageFailure(cause)))
