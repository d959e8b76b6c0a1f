/**
 * The host's own store of this example: tables of rows in plain JavaScript `Map`s, standing in for
 * whatever a host keeps its data in. It meets the kernel `UnitOfWork` participation contract:
 *
 * - a transaction joins the one of this store already open on the fiber (a `Context.Reference`);
 * - its writes go to a private overlay, invisible to everyone else, and reach the tables only when
 *   the outermost transaction succeeds: a failure, defect or interruption drops them (real rollback);
 * - writers are serialized by one permit, so concurrent units of work lose no update;
 * - a write outside any transaction is a transaction of its own (autocommit).
 *
 * `UnitOfWork.enlist(memory, store)` then makes every unit of work open this store's transaction
 * inside the memory one (layers.ts).
 */
import { Context, Effect, Layer, Option, Semaphore } from "effect"

/** A row removed in the overlay (distinct from every row value). */
const removed: unique symbol = Symbol("removed")
type Overlay = Map<string, Map<string, unknown>>

interface OpenTransaction {
  readonly store: object
  readonly writes: Overlay
}

/** The transaction of a `MapStore` the current fiber runs in, if any. */
const CurrentTransaction = Context.Reference<OpenTransaction | undefined>(
  "@erpkit/example-custom-adapter/MapStore/CurrentTransaction",
  { defaultValue: () => undefined }
)

/** One table: rows by key. Reads see the committed rows, plus the current transaction's own writes. */
export interface MapTable<V> {
  readonly get: (key: string) => Effect.Effect<Option.Option<V>>
  readonly put: (key: string, row: V) => Effect.Effect<void>
  readonly remove: (key: string) => Effect.Effect<void>
  readonly values: Effect.Effect<ReadonlyArray<V>>
}

/** A Map-backed transactional store; it is a `UnitOfWork.Participant` (it has `transaction`). */
export class MapStore extends Context.Service<MapStore, {
  /** Runs `effect` atomically in this store; joins this store's transaction open on the fiber. */
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly table: <V>(name: string) => MapTable<V>
  /** How many transactions committed (tests use it to see that a failed one did not). */
  readonly commits: () => number
}>()("@erpkit/example-custom-adapter/MapStore") {
  static readonly layer = Layer.sync(MapStore, () => makeMapStore())
}

/** A fresh, empty store. */
export const makeMapStore = (): MapStore["Service"] => {
  const identity = {}
  const permit = Semaphore.makeUnsafe(1)
  const committed = new Map<string, Map<string, unknown>>()
  let commits = 0

  const commit = (writes: Overlay) =>
    Effect.sync(() => {
      // synchronous: no other fiber can see a half-applied transaction
      for (const [name, rows] of writes) {
        const table = committed.get(name) ?? new Map<string, unknown>()
        for (const [key, row] of rows) {
          if (row === removed) table.delete(key)
          else table.set(key, row)
        }
        committed.set(name, table)
      }
      commits++
    })

  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(CurrentTransaction, (open) => {
      if (open?.store === identity) return effect
      return permit.withPermits(1)(Effect.suspend(() => {
        const tx: OpenTransaction = { store: identity, writes: new Map() }
        // commit only on success; on failure, defect or interruption the overlay is simply dropped
        return effect.pipe(Effect.provideService(CurrentTransaction, tx), Effect.tap(() => commit(tx.writes)))
      }))
    })

  const overlay: Effect.Effect<Overlay | undefined> = Effect.map(
    CurrentTransaction,
    (open) => open?.store === identity ? open.writes : undefined
  )

  const table = <V>(name: string): MapTable<V> => {
    const rowsOf = (writes: Overlay | undefined): Map<string, V> => {
      const rows = new Map(committed.get(name) ?? []) as Map<string, unknown>
      for (const [key, row] of writes?.get(name) ?? []) {
        if (row === removed) rows.delete(key)
        else rows.set(key, row)
      }
      return rows as Map<string, V>
    }
    const write = (key: string, row: unknown) =>
      transaction(Effect.flatMap(overlay, (writes) =>
        Effect.sync(() => {
          const rows = writes!.get(name) ?? new Map<string, unknown>()
          rows.set(key, row)
          writes!.set(name, rows)
        })))
    return {
      get: (key) =>
        Effect.map(overlay, (writes) => {
          const pending = writes?.get(name)
          const row = pending?.has(key) ? pending.get(key) : committed.get(name)?.get(key)
          return row === undefined || row === removed ? Option.none() : Option.some(row as V)
        }),
      put: (key, row) => write(key, row),
      remove: (key) => write(key, removed),
      values: Effect.map(overlay, (writes) => [...rowsOf(writes).values()])
    }
  }

  return { transaction, table, commits: () => commits }
}
