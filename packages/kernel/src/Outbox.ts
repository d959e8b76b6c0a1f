/**
 * The transactional outbox: a command appends its events in its own unit of work, so an event exists
 * exactly when the change that raised it committed. Relays (the Postgres adapter's, or a host's)
 * deliver them to handlers afterwards, at least once.
 */
import { Context, Effect, Layer, Order, Array as Arr } from "effect"
import type { DomainEvent } from "./DomainEvent.ts"
import { MemoryStore } from "./MemoryStore.ts"
import { type Tenant, sameTenant } from "./Tenant.ts"

export interface OutboxQuery {
  readonly aggregateId?: string
  readonly type?: string
  /** At most this many, oldest first. */
  readonly limit?: number
}

export class Outbox extends Context.Service<Outbox, {
  readonly append: (events: ReadonlyArray<DomainEvent>) => Effect.Effect<void>
  /** Committed events of a tenant, oldest first. */
  readonly list: (tenant: Tenant, query?: OutboxQuery) => Effect.Effect<ReadonlyArray<DomainEvent>>
}>()("@erpkit/kernel/Outbox") {
  static readonly layerMemory = Layer.effect(
    Outbox,
    Effect.map(MemoryStore, (store) => {
      const rows = store.table<{ readonly seq: number; readonly event: DomainEvent }>("platform.outbox")
      let seq = 0
      return {
        append: (events) =>
          store.transaction(
            Effect.forEach(events, (event) => rows.put(event.id, { seq: ++seq, event }), { discard: true })
          ),
        list: (tenant, query = {}) =>
          Effect.map(
            rows.find(({ event }) =>
              sameTenant(event.tenant, tenant) &&
              (query.aggregateId === undefined || event.aggregateId === query.aggregateId) &&
              (query.type === undefined || event.type === query.type)
            ),
            (found) =>
              Arr.sort(found, Order.mapInput(Order.Number, (r: { readonly seq: number }) => r.seq)).slice(
                0,
                query.limit ?? Number.MAX_SAFE_INTEGER
              ).map((r) => r.event)
          )
      }
    })
  )
}
