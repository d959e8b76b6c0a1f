/**
 * One unit of work per command: everything a command writes (its aggregates, ledger postings, outbox
 * events, audit entries, idempotency record) commits together or not at all. Processes that span
 * contexts run their steps inside one `transaction`, which nested calls join.
 */
import { Context, Effect, Layer } from "effect"
import { MemoryStore } from "./MemoryStore.ts"
import { CurrentTenant, type Tenant } from "./Tenant.ts"

export class UnitOfWork extends Context.Service<UnitOfWork, {
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
}>()("@erpkit/kernel/UnitOfWork") {
  /** Transactions of the in-memory store (serializable, with real rollback). */
  static readonly layerMemory = Layer.effect(
    UnitOfWork,
    Effect.map(MemoryStore, (store) => ({ transaction: store.transaction }))
  )
}

export const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | UnitOfWork> =>
  Effect.flatMap(UnitOfWork, (uow) => uow.transaction(effect))

/** A unit of work on behalf of `tenant` (jobs and processes that run outside a command use this). */
export const transactionFor = <A, E, R>(tenant: Tenant, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R | UnitOfWork> =>
  transaction(effect).pipe(Effect.provideService(CurrentTenant, tenant))
