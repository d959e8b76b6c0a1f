/**
 * The in-memory database behind every reference repository. Tables are persistent hash maps; a
 * transaction works on its own copy of the table map and publishes it only on success, so a failed,
 * defective or interrupted command leaves nothing behind (real rollback, not best effort). Writers
 * are serialized by one permit, which gives serializable isolation; readers outside a transaction
 * see the last committed state.
 */
import { Context, Effect, HashMap, Layer, type Option, Semaphore } from "effect"

type Tables = Map<string, HashMap.HashMap<string, unknown>>

interface OpenTransaction {
  readonly store: object
  readonly tables: Tables
}

/** The transaction the current fiber runs in, if any (set by `MemoryStore.transaction`). */
const CurrentTransaction = Context.Reference<OpenTransaction | undefined>(
  "@erpkit/kernel/MemoryStore/CurrentTransaction",
  { defaultValue: () => undefined }
)

export interface Table<V> {
  readonly get: (id: string) => Effect.Effect<Option.Option<V>>
  readonly put: (id: string, row: V) => Effect.Effect<void>
  readonly remove: (id: string) => Effect.Effect<void>
  readonly all: Effect.Effect<ReadonlyArray<V>>
  readonly find: (predicate: (row: V) => boolean) => Effect.Effect<ReadonlyArray<V>>
}

export class MemoryStore extends Context.Service<MemoryStore, {
  /** Runs `effect` atomically; joins the enclosing transaction of this store if there is one. */
  readonly transaction: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, R>
  readonly table: <V>(name: string) => Table<V>
}>()("@erpkit/kernel/MemoryStore") {
  static readonly layer = Layer.sync(MemoryStore, () => makeStore())
}

const makeStore = (): MemoryStore["Service"] => {
  const identity = {}
  const permit = Semaphore.makeUnsafe(1)
  let committed: Tables = new Map()

  const transaction = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(CurrentTransaction, (open) => {
      if (open?.store === identity) return effect
      return permit.withPermits(1)(Effect.suspend(() => {
        const tx: OpenTransaction = { store: identity, tables: new Map(committed) }
        return effect.pipe(
          Effect.provideService(CurrentTransaction, tx),
          Effect.tap(() => Effect.sync(() => void (committed = tx.tables)))
        )
      }))
    })

  /** The tables a statement sees: its transaction's copy, or the committed state. */
  const view: Effect.Effect<Tables | undefined> = Effect.map(
    CurrentTransaction,
    (open) => open?.store === identity ? open.tables : undefined
  )

  const table = <V>(name: string): Table<V> => {
    const rows = Effect.map(
      view,
      (tables) => ((tables ?? committed).get(name) ?? HashMap.empty()) as HashMap.HashMap<string, V>
    )
    const write = (f: (rows: HashMap.HashMap<string, V>) => HashMap.HashMap<string, V>) =>
      transaction(Effect.flatMap(view, (tables) =>
        Effect.sync(() => {
          const current = (tables!.get(name) ?? HashMap.empty()) as HashMap.HashMap<string, V>
          tables!.set(name, f(current) as HashMap.HashMap<string, unknown>)
        })))
    return {
      get: (id) => Effect.map(rows, (r) => HashMap.get(r, id)),
      put: (id, row) => write((r) => HashMap.set(r, id, row)),
      remove: (id) => write((r) => HashMap.remove(r, id)),
      all: Effect.map(rows, (r) => HashMap.toValues(r)),
      find: (predicate) => Effect.map(rows, (r) => HashMap.toValues(r).filter(predicate))
    }
  }

  return { transaction, table }
}

/**
 * Rows in creation order, ties by id: the order of an adapter's `ORDER BY created_at, id`. A table's
 * `find` returns hash order, which no database gives; a memory port's list sorts, so a host sees the
 * same order on memory and on Postgres (ids compare as lower-case strings, as `uuid` does bytewise).
 */
export const inCreationOrder = <V extends { readonly createdAt: number; readonly id: string }>(
  rows: ReadonlyArray<V>
): Array<V> => [...rows].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
