/**
 * The envelope every domain event travels in, from the command that raised it through the outbox to
 * handlers. The payload is JSON (already encoded by the context's event schema) so any transport or
 * table can carry it unchanged.
 */
import { Effect, Schema } from "effect"
import { EventId, IdGenerator } from "./Ids.ts"
import { Tenant } from "./Tenant.ts"

export const DomainEvent = Schema.Struct({
  id: EventId,
  /** `<context>.<Event>`, e.g. `billing.InvoiceIssued`. */
  type: Schema.String,
  tenant: Tenant,
  aggregateType: Schema.String,
  aggregateId: Schema.String,
  /** UTC epoch milliseconds from `Clock`. */
  occurredAt: Schema.Number,
  payload: Schema.Json
})
export type DomainEvent = typeof DomainEvent.Type

/** What a command supplies; the envelope adds the id and the time. */
export interface EventDraft {
  readonly type: string
  readonly aggregateType: string
  readonly aggregateId: string
  readonly payload: Schema.Json
}

export const envelope = (
  tenant: Tenant,
  occurredAt: number,
  draft: EventDraft
): Effect.Effect<DomainEvent, never, IdGenerator> =>
  Effect.map(IdGenerator.use((g) => g.next), (id) => ({ ...draft, id: id as EventId, tenant, occurredAt }))
