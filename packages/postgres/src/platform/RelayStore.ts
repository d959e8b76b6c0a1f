/**
 * The relay's statements on `platform.outbox` and `platform.outbox_deliveries`, each in its own short
 * transaction as `erpkit_relay` (cross-tenant, outbox tables only). `Relay.ts` composes them.
 */
import { Effect } from "effect"
import type { DomainEvent } from "@erpkit/kernel"
import type { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import { eventColumns, toEvent } from "./PgOutbox.ts"

export interface Subscription {
  readonly name: string
  readonly types?: ReadonlyArray<string> | undefined
}

export interface Claimed {
  readonly handler: string
  readonly attempts: number
  readonly event: DomainEvent.DomainEvent
}

export interface DeliveryRow {
  readonly eventId: string
  readonly handler: string
  readonly status: "pending" | "delivered" | "dead"
  readonly attempts: number
  readonly lastError: string | null
}

type Db = PgDatabase["Service"]

/** Pending events → one delivery row per subscribed handler; the events become `dispatched`. */
export const fanOut = (db: Db, subscriptions: ReadonlyArray<Subscription>, batch: number): Effect.Effect<number> => {
  const sql = db.sql
  return db.asRelay(Effect.gen(function*() {
    const events = yield* sql<{ id: string; type: string; organizationId: string; workspaceId: string }>`
      SELECT id, type, organization_id AS "organizationId", workspace_id AS "workspaceId" FROM platform.outbox
      WHERE status = 'pending' ORDER BY seq LIMIT ${batch} FOR UPDATE SKIP LOCKED`
    if (events.length === 0) return 0
    const rows = events.flatMap((e) =>
      subscriptions.filter((s) => s.types === undefined || s.types.includes(e.type)).map((s) => ({
        event_id: e.id,
        handler: s.name,
        organization_id: e.organizationId,
        workspace_id: e.workspaceId
      }))
    )
    if (rows.length > 0) {
      yield* sql`
        INSERT INTO platform.outbox_deliveries (event_id, handler, organization_id, workspace_id)
        SELECT x.event_id, x.handler, x.organization_id, x.workspace_id
        FROM jsonb_to_recordset(${
          JSON.stringify(rows)
        }::jsonb) AS x(event_id uuid, handler text, organization_id uuid, workspace_id uuid)
        ON CONFLICT DO NOTHING`
    }
    yield* sql`
      UPDATE platform.outbox SET status = 'dispatched', dispatched_at = now(), dispatch_attempts = dispatch_attempts + 1
      WHERE id IN ${sql.in(events.map((e) => e.id))}`
    return events.length
  })).pipe(SqlState.orDie)
}

/** Due pending deliveries of these handlers: `attempts + 1` and a lease, committed before any handler runs. */
export const claim = (
  db: Db,
  handlers: ReadonlyArray<string>,
  batch: number,
  leaseMillis: number
): Effect.Effect<ReadonlyArray<Claimed>> => {
  if (handlers.length === 0) return Effect.succeed([])
  const sql = db.sql
  return db.asRelay(sql<{ handler: string; attempts: number } & Parameters<typeof toEvent>[0]>`
      WITH due AS (
        SELECT event_id, handler FROM platform.outbox_deliveries
        WHERE status = 'pending' AND next_attempt_at <= now() AND handler IN ${sql.in(handlers)}
        ORDER BY next_attempt_at LIMIT ${batch} FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE platform.outbox_deliveries d
        SET attempts = d.attempts + 1, next_attempt_at = now() + ${leaseMillis} * interval '1 millisecond'
        FROM due WHERE d.event_id = due.event_id AND d.handler = due.handler
        RETURNING d.event_id, d.handler, d.attempts
      )
      SELECT claimed.handler, claimed.attempts, ${sql.literal(eventColumns("o."))}
      FROM claimed JOIN platform.outbox o ON o.id = claimed.event_id`).pipe(
    SqlState.orDie,
    Effect.map((rows) => rows.map((r) => ({ handler: r.handler, attempts: r.attempts, event: toEvent(r) })))
  )
}

export const markDelivered = (db: Db, c: Claimed): Effect.Effect<void> =>
  Effect.asVoid(
    db.asRelay(db.sql`
    UPDATE platform.outbox_deliveries SET status = 'delivered', delivered_at = now(), last_error = NULL
    WHERE event_id = ${c.event.id} AND handler = ${c.handler}`).pipe(SqlState.orDie)
  )

/** Back to pending after `retryInMillis`, or dead. */
export const markFailed = (
  db: Db,
  c: Claimed,
  dead: boolean,
  error: string,
  retryInMillis: number
): Effect.Effect<void> =>
  Effect.asVoid(
    db.asRelay(db.sql`
    UPDATE platform.outbox_deliveries
    SET status = ${dead ? "dead" : "pending"}, last_error = ${error},
        next_attempt_at = now() + ${Math.round(retryInMillis)} * interval '1 millisecond'
    WHERE event_id = ${c.event.id} AND handler = ${c.handler}`).pipe(SqlState.orDie)
  )

const deliveryColumns = `event_id AS "eventId", handler, status, attempts, last_error AS "lastError"`

export const deliveries = (db: Db, eventId: string): Effect.Effect<ReadonlyArray<DeliveryRow>> =>
  db.asRelay(db.sql<DeliveryRow>`
    SELECT ${db.sql.literal(deliveryColumns)} FROM platform.outbox_deliveries
    WHERE event_id = ${eventId} ORDER BY handler`).pipe(SqlState.orDie)

export const deadLetters = (db: Db, handler: string, limit: number): Effect.Effect<ReadonlyArray<DeliveryRow>> =>
  db.asRelay(db.sql<DeliveryRow>`
    SELECT ${db.sql.literal(deliveryColumns)} FROM platform.outbox_deliveries
    WHERE status = 'dead' AND handler = ${handler}
    ORDER BY created_at, event_id LIMIT ${Math.max(0, Math.min(limit, 1_000))}`).pipe(SqlState.orDie)

export const redrive = (db: Db, handler: string, eventId: string | undefined): Effect.Effect<number> =>
  db.asRelay(db.sql<{ eventId: string }>`
    UPDATE platform.outbox_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now()
    WHERE status = 'dead' AND handler = ${handler} ${
      eventId === undefined ? db.sql`` : db.sql`AND event_id = ${eventId}`
    }
    RETURNING event_id AS "eventId"`).pipe(SqlState.orDie, Effect.map((rows) => rows.length))
