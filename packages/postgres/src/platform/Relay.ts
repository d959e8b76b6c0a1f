/**
 * The outbox relay: delivers every committed event at least once to each subscribed handler.
 *
 * One cycle (`runOnce`), all bounded by `batchSizeMax`:
 * 1. fan out: pending outbox rows (`FOR UPDATE SKIP LOCKED`, oldest first) get one delivery row per
 *    subscribed handler and become `dispatched`;
 * 2. claim: due pending deliveries (`FOR UPDATE SKIP LOCKED`) get `attempts + 1` and a lease
 *    (`next_attempt_at = now() + leaseMillis`) in a short transaction that commits before any handler
 *    runs, so handlers never hold locks or the (possibly single) connection, and a crashed relay's
 *    claims come back after the lease;
 * 3. run the handlers, then record each outcome: `delivered` (never seen again by that handler: the
 *    per-handler dedup), or back to `pending` with an exponential, jittered `next_attempt_at`, or
 *    `dead` after `maxAttempts`.
 *
 * Relays run as `erpkit_relay`, whose policies see every tenant's outbox and deliveries and nothing else.
 * Wake-ups: LISTEN `erpkit_outbox` (on a server; the insert trigger NOTIFYs at commit), in-process
 * `RelaySignal` after `Outbox.append` commits, and polling every `pollInterval` as the fallback.
 */
import { Cause, Context, Duration, Effect, Layer, Queue, Random } from "effect"
import { type DomainEvent } from "@erpkit/kernel"
import { PgClient } from "@effect/sql-pg"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import { eventColumns, toEvent } from "./PgOutbox.ts"
import { RelaySignal } from "./RelaySignal.ts"

export interface OutboxHandler<R = never> {
  /** Stable name: delivery state is kept per (event, handler name). */
  readonly name: string
  /** Event types it receives; omitted: every type. */
  readonly types?: ReadonlyArray<string>
  readonly handle: (event: DomainEvent.DomainEvent) => Effect.Effect<void, unknown, R>
}

export interface RelayOptions<R = never> {
  readonly handlers: ReadonlyArray<OutboxHandler<R>>
  /** Events fanned out and deliveries claimed per cycle. Default 100. */
  readonly batchSizeMax?: number
  /** Attempts per (event, handler) before the delivery is dead-lettered. Default 10. */
  readonly maxAttempts?: number
  readonly retryBaseMillis?: number
  readonly retryMaxMillis?: number
  /** How long a claim is exclusive; a delivery still unfinished after it is claimed again. Default 60 s. */
  readonly leaseMillis?: number
  /** Poll period when nothing wakes the relay. Default 1 s. */
  readonly pollInterval?: Duration.Input
  /** LISTEN for NOTIFY wake-ups. Default: on for servers, off for the embedded PGlite (one connection). */
  readonly listen?: boolean
  /** Handlers run concurrently per cycle, at most this many. Default 4. */
  readonly concurrency?: number
}

export interface CycleReport {
  readonly dispatched: number
  readonly delivered: number
  readonly failed: number
  readonly dead: number
}

export interface DeliveryRow {
  readonly eventId: string
  readonly handler: string
  readonly status: "pending" | "delivered" | "dead"
  readonly attempts: number
  readonly lastError: string | null
}

export class OutboxRelay extends Context.Service<OutboxRelay, {
  /** One fan-out + claim + deliver cycle. */
  readonly runOnce: Effect.Effect<CycleReport>
  /** Cycles until nothing is due (bounded by `cyclesMax`). */
  readonly drain: (cyclesMax?: number) => Effect.Effect<CycleReport>
  /** Delivery state of one event (for operators and tests). */
  readonly deliveries: (eventId: string) => Effect.Effect<ReadonlyArray<DeliveryRow>>
  /** Dead letters of a handler, oldest first, at most `limit` (default 100). */
  readonly deadLetters: (handler: string, limit?: number) => Effect.Effect<ReadonlyArray<DeliveryRow>>
  /** Puts a handler's dead letters (or one event's) back to pending with fresh attempts; returns how many. */
  readonly redrive: (handler: string, eventId?: string) => Effect.Effect<number>
}>()("@erpkit/postgres/OutboxRelay") {}

/** Whether the current connection can hold a LISTEN (set by `Postgres.layer*`). */
export class ListenCapability extends Context.Service<ListenCapability, { readonly available: boolean }>()(
  "@erpkit/postgres/ListenCapability"
) {}

const errorText = (cause: Cause.Cause<unknown>): string => Cause.pretty(cause).replaceAll("\u0000", "\uFFFD").slice(0, 2_000)

interface Claimed {
  readonly handler: string
  readonly attempts: number
  readonly event: DomainEvent.DomainEvent
}

const makeRelay = <R>(options: RelayOptions<R>) =>
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const context = yield* Effect.context<R>()
    const batch = Math.max(1, Math.min(options.batchSizeMax ?? 100, 1_000))
    const maxAttempts = options.maxAttempts ?? 10
    const base = options.retryBaseMillis ?? 1_000
    const cap = options.retryMaxMillis ?? 300_000
    const lease = options.leaseMillis ?? 60_000
    const handlers = new Map(options.handlers.map((h) => [h.name, h]))
    if (handlers.size !== options.handlers.length) return yield* Effect.die(new Error("outbox handler names must be unique"))
    const names = [...handlers.keys()]

    const fanOut = db.asRelay(Effect.gen(function*() {
      const events = yield* sql<{ id: string; type: string; organizationId: string; workspaceId: string }>`
        SELECT id, type, organization_id AS "organizationId", workspace_id AS "workspaceId" FROM platform.outbox
        WHERE status = 'pending' ORDER BY seq LIMIT ${batch} FOR UPDATE SKIP LOCKED`
      if (events.length === 0) return 0
      const rows = events.flatMap((e) =>
        options.handlers
          .filter((h) => h.types === undefined || h.types.includes(e.type))
          .map((h) => ({ event_id: e.id, handler: h.name, organization_id: e.organizationId, workspace_id: e.workspaceId }))
      )
      if (rows.length > 0) {
        yield* sql`
          INSERT INTO platform.outbox_deliveries (event_id, handler, organization_id, workspace_id)
          SELECT x.event_id, x.handler, x.organization_id, x.workspace_id
          FROM jsonb_to_recordset(${JSON.stringify(rows)}::jsonb) AS x(event_id uuid, handler text, organization_id uuid, workspace_id uuid)
          ON CONFLICT DO NOTHING`
      }
      yield* sql`
        UPDATE platform.outbox SET status = 'dispatched', dispatched_at = now(), dispatch_attempts = dispatch_attempts + 1
        WHERE id IN ${sql.in(events.map((e) => e.id))}`
      return events.length
    })).pipe(SqlState.orDie)

    const claim = names.length === 0 ? Effect.succeed<ReadonlyArray<Claimed>>([]) : db.asRelay(
      sql<{ handler: string; attempts: number } & Parameters<typeof toEvent>[0]>`
        WITH due AS (
          SELECT event_id, handler FROM platform.outbox_deliveries
          WHERE status = 'pending' AND next_attempt_at <= now() AND handler IN ${sql.in(names)}
          ORDER BY next_attempt_at LIMIT ${batch} FOR UPDATE SKIP LOCKED
        ), claimed AS (
          UPDATE platform.outbox_deliveries d
          SET attempts = d.attempts + 1, next_attempt_at = now() + ${lease} * interval '1 millisecond'
          FROM due WHERE d.event_id = due.event_id AND d.handler = due.handler
          RETURNING d.event_id, d.handler, d.attempts
        )
        SELECT claimed.handler, claimed.attempts, ${sql.literal(eventColumns("o."))}
        FROM claimed JOIN platform.outbox o ON o.id = claimed.event_id`
    ).pipe(
      SqlState.orDie,
      Effect.map((rows): ReadonlyArray<Claimed> => rows.map((r) => ({ handler: r.handler, attempts: r.attempts, event: toEvent(r) })))
    )

    const backoffMillis = (attempts: number) => {
      const exponential = Math.min(cap, base * 2 ** Math.max(0, attempts - 1))
      return Random.nextBetween(exponential / 2, exponential)
    }

    const settle = (c: Claimed, error: Cause.Cause<unknown> | undefined) =>
      Effect.gen(function*() {
        if (error === undefined) {
          yield* db.asRelay(sql`UPDATE platform.outbox_deliveries SET status = 'delivered', delivered_at = now(), last_error = NULL
            WHERE event_id = ${c.event.id} AND handler = ${c.handler}`)
          return "delivered" as const
        }
        const dead = c.attempts >= maxAttempts
        const delay = yield* backoffMillis(c.attempts)
        yield* db.asRelay(sql`UPDATE platform.outbox_deliveries
          SET status = ${dead ? "dead" : "pending"}, last_error = ${errorText(error)},
              next_attempt_at = now() + ${Math.round(delay)} * interval '1 millisecond'
          WHERE event_id = ${c.event.id} AND handler = ${c.handler}`)
        return dead ? "dead" as const : "failed" as const
      }).pipe(SqlState.orDie)

    const deliver = (c: Claimed) => {
      const handler = handlers.get(c.handler)!
      return Effect.suspend(() => handler.handle(c.event)).pipe(
        Effect.provideContext(context),
        Effect.exit,
        Effect.flatMap((exit) => settle(c, exit._tag === "Success" ? undefined : exit.cause))
      )
    }

    const runOnce: Effect.Effect<CycleReport> = Effect.gen(function*() {
      const dispatched = yield* fanOut
      const claimed = yield* claim
      const outcomes = yield* Effect.forEach(claimed, deliver, { concurrency: options.concurrency ?? 4 })
      const count = (o: string) => outcomes.filter((x) => x === o).length
      return { dispatched, delivered: count("delivered"), failed: count("failed"), dead: count("dead") }
    })

    const drain = (cyclesMax = 100): Effect.Effect<CycleReport> =>
      Effect.gen(function*() {
        const total = { dispatched: 0, delivered: 0, failed: 0, dead: 0 }
        for (let i = 0; i < cyclesMax; i++) {
          const r = yield* runOnce
          total.dispatched += r.dispatched
          total.delivered += r.delivered
          total.failed += r.failed
          total.dead += r.dead
          if (r.dispatched === 0 && r.delivered + r.failed + r.dead === 0) break
        }
        return total
      })

    const deliveries = (eventId: string) =>
      db.asRelay(sql<DeliveryRow>`
        SELECT event_id AS "eventId", handler, status, attempts, last_error AS "lastError"
        FROM platform.outbox_deliveries WHERE event_id = ${eventId} ORDER BY handler`).pipe(SqlState.orDie)

    const deadLetters = (handler: string, limit = 100) =>
      db.asRelay(sql<DeliveryRow>`
        SELECT event_id AS "eventId", handler, status, attempts, last_error AS "lastError"
        FROM platform.outbox_deliveries WHERE status = 'dead' AND handler = ${handler}
        ORDER BY created_at, event_id LIMIT ${Math.max(0, Math.min(limit, 1_000))}`).pipe(SqlState.orDie)

    const redrive = (handler: string, eventId?: string) =>
      db.asRelay(sql<{ eventId: string }>`
        UPDATE platform.outbox_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now()
        WHERE status = 'dead' AND handler = ${handler} ${eventId === undefined ? sql`` : sql`AND event_id = ${eventId}`}
        RETURNING event_id AS "eventId"`).pipe(SqlState.orDie, Effect.map((rows) => rows.length))

    return { runOnce, drain, deliveries, deadLetters, redrive }
  })

/** The relay service without a background fiber (call `runOnce` / `drain` yourself, e.g. from a job). */
export const layerManual = <R = never>(options: RelayOptions<R>) => Layer.effect(OutboxRelay, makeRelay(options))

/**
 * The relay as a scoped background fiber: it starts with the layer and stops with its scope. A failed
 * cycle (e.g. the database is down) is logged and retried on the next wake-up or poll.
 */
export const layer = <R = never>(options: RelayOptions<R>) =>
  Layer.effect(
    OutboxRelay,
    Effect.gen(function*() {
      const relay = yield* makeRelay(options)
      const signal = yield* RelaySignal
      const capability = yield* ListenCapability
      const wakeUps = yield* Queue.sliding<void>(1)
      yield* Effect.forkScoped(Effect.forever(Effect.andThen(signal.next, Queue.offer(wakeUps, undefined))))
      if (options.listen ?? capability.available) {
        const pg = yield* PgClient.PgClient
        const notifications = yield* pg.listen("erpkit_outbox").pipe(Effect.orDie)
        yield* Effect.forkScoped(Effect.forever(Effect.andThen(Queue.take(notifications), Queue.offer(wakeUps, undefined))).pipe(
          Effect.catchCause((cause) => Effect.logWarning("outbox relay: LISTEN stopped, polling only", cause))
        ))
      }
      const poll = Duration.fromInputUnsafe(options.pollInterval ?? "1 second")
      const cycle = relay.drain().pipe(
        Effect.catchCause((cause) => Effect.logError("outbox relay cycle failed", cause))
      )
      yield* Effect.forkScoped(
        Effect.forever(Effect.andThen(cycle, Effect.raceFirst(Queue.take(wakeUps), Effect.sleep(poll))))
      )
      return relay
    })
  )

