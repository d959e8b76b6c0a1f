/**
 * The kernel `Outbox` port on `platform.outbox`. `append` writes in the caller's unit of work (one
 * statement for the whole batch, deferred with `PgDatabase.write` so it travels with the next statement); the insert
 * trigger NOTIFYs relays at commit, and `afterCommit` wakes
 * in-process relays (PGlite has no second connection to LISTEN on).
 */
import { Effect, Layer } from "effect"
import { type DomainEvent, Outbox } from "@erpkit/kernel"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { RelaySignal } from "./RelaySignal.ts"
import { epochMillisToTimestamptz, fromTimestamptz } from "../sql/Timestamps.ts"

export const outboxLimitMax = 10_000

interface OutboxRow {
  readonly id: string
  readonly type: string
  readonly organizationId: string
  readonly workspaceId: string
  readonly aggregateType: string
  readonly aggregateId: string
  readonly occurredAt: Date
  readonly payload: unknown
}

/** The select list of an event row; `p` is a table alias prefix such as `"o."`. */
export const eventColumns = (
  p = ""
) => `${p}id, ${p}type, ${p}organization_id AS "organizationId", ${p}workspace_id AS "workspaceId",
  ${p}aggregate_type AS "aggregateType", ${p}aggregate_id AS "aggregateId",
  ${p}occurred_at AS "occurredAt", ${p}payload`

const occurredAt = epochMillisToTimestamptz("x.occurred_at_ms")

export const toEvent = (row: OutboxRow): DomainEvent.DomainEvent => ({
  id: row.id as DomainEvent.DomainEvent["id"],
  type: row.type,
  tenant: { organizationId: row.organizationId, workspaceId: row.workspaceId } as DomainEvent.DomainEvent["tenant"],
  aggregateType: row.aggregateType,
  aggregateId: row.aggregateId,
  occurredAt: fromTimestamptz(row.occurredAt),
  payload: row.payload as DomainEvent.DomainEvent["payload"]
})

const clampLimit = (limit: number | undefined): number =>
  limit === undefined ? outboxLimitMax : Math.max(0, Math.min(outboxLimitMax, Math.floor(limit)))

export const layer = Layer.effect(
  Outbox.Outbox,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const signal = yield* RelaySignal
    const sql = db.sql

    const appendTenant = (events: ReadonlyArray<DomainEvent.DomainEvent>) =>
      Effect.gen(function*() {
        const rows = yield* Storable.jsonTextOrDie(
          events.map((e) => ({
            id: e.id,
            organization_id: e.tenant.organizationId,
            workspace_id: e.tenant.workspaceId,
            type: e.type,
            aggregate_type: e.aggregateType,
            aggregate_id: e.aggregateId,
            occurred_at_ms: e.occurredAt,
            payload: e.payload
          })),
          ["events"]
        )
        yield* db.write(events[0]!.tenant, {
          tables: ["platform.outbox"],
          statement: sql`
          INSERT INTO platform.outbox (id, organization_id, workspace_id, type, aggregate_type, aggregate_id,
            occurred_at, payload)
          SELECT x.id, x.organization_id, x.workspace_id, x.type, x.aggregate_type, x.aggregate_id,
                 ${sql.literal(occurredAt)}, x.payload
          FROM jsonb_to_recordset(${rows}::jsonb) AS x(id uuid, organization_id uuid, workspace_id uuid, type text,
            aggregate_type text, aggregate_id text, occurred_at_ms numeric, payload jsonb)`
        })
        yield* sql.afterCommit(signal.wake)
      })

    const append = (events: ReadonlyArray<DomainEvent.DomainEvent>): Effect.Effect<void> => {
      if (events.length === 0) return Effect.void
      const groups = groupByTenant(events)
      // the command's own unit of work: deferred, no join (joining flushes the deferred writes)
      return Effect.flatMap(db.defers(groups[0]![0]!.tenant), (defers) =>
        defers && groups.length === 1 ?
          appendTenant(groups[0]!) :
          db.transaction(
            Effect.forEach(groups, (group) => db.inTenant(group[0]!.tenant)(appendTenant(group)), { discard: true })
          ))
    }

    const list: Outbox.Outbox["Service"]["list"] = (tenant, query = {}) =>
      db.inTenant(tenant)(Effect.map(
        SqlState.orDie(sql<OutboxRow>`
            SELECT ${sql.literal(eventColumns())} FROM platform.outbox
            WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId}
              ${query.aggregateId === undefined ? sql`` : sql`AND aggregate_id = ${query.aggregateId}`}
              ${query.type === undefined ? sql`` : sql`AND type = ${query.type}`}
            ORDER BY seq LIMIT ${clampLimit(query.limit)}`),
        (rows) => rows.map(toEvent)
      ))

    return { append, list }
  })
)

const groupByTenant = (
  events: ReadonlyArray<DomainEvent.DomainEvent>
): ReadonlyArray<ReadonlyArray<DomainEvent.DomainEvent>> => {
  const groups = new Map<string, Array<DomainEvent.DomainEvent>>()
  for (const event of events) {
    const k = `${event.tenant.organizationId}/${event.tenant.workspaceId}`
    const group = groups.get(k)
    if (group === undefined) groups.set(k, [event])
    else group.push(event)
  }
  return [...groups.values()]
}
