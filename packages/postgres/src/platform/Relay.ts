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
import { Cause, Clock, Context, Duration, Effect, Fiber, Layer, Metric, Queue, Random } from "effect"
import type { DomainEvent } from "@erpkit/kernel"
import { PgClient } from "@effect/sql-pg"
import { PgDatabase } from "../Database.ts"
import * as Store from "./RelayStore.ts"
import { RelaySignal } from "./RelaySignal.ts"

/**
 * Relay lag: from the moment an event happened (`occurredAt`, the command's clock) to its delivery to a
 * handler, in milliseconds, by event type and handler. Exported with the host's metrics (OTLP,
 * Prometheus) like every effect `Metric`.
 */
export const relayLag = Metric.histogram("erpkit_relay_lag_ms", {
  description: "time from an event to its delivery to a handler (ms)",
  boundaries: [10, 50, 100, 250, 500, 1000, 2500, 5000, 10_000, 30_000, 60_000, 300_000]
})

/** Deliveries by handler and outcome. */
export const relayDeliveries = Metric.counter("erpkit_relay_deliveries_total", {
  description: "outbox deliveries by handler",
  incremental: true
})

const recordLag = (c: Store.Claimed) =>
  Effect.flatMap(
    Clock.currentTimeMillis,
    (now) =>
      Effect.andThen(
        Metric.update(
          relayLag.pipe(Metric.withAttributes({ type: c.event.type, handler: c.handler })),
          Math.max(0, now - c.event.occurredAt)
        ),
        Metric.update(relayDeliveries.pipe(Metric.withAttributes({ handler: c.handler })), 1)
      )
  )

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
  /** How long a stopping relay waits for the cycle in flight before interrupting it (default 5 s). */
  readonly stopGraceMillis?: number
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

export type DeliveryRow = Store.DeliveryRow

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
export class ListenCapability
  extends Context.Service<ListenCapability, { readonly available: boolean }>()("@erpkit/postgres/ListenCapability")
{}

const errorText = (cause: Cause.Cause<unknown>): string =>
  Cause.pretty(cause).replaceAll("\u0000", "\uFFFD").slice(0, 2_000)

const sumReports = (a: CycleReport, b: CycleReport): CycleReport => ({
  dispatched: a.dispatched + b.dispatched,
  delivered: a.delivered + b.delivered,
  failed: a.failed + b.failed,
  dead: a.dead + b.dead
})

/** How failed deliveries are retried: `maxAttempts`, and an exponential delay from `base` up to `cap`. */
interface RetrySettings {
  readonly maxAttempts: number
  readonly base: number
  readonly cap: number
}

/** Equal jitter on an exponential delay, from effect's `Random`. */
const backoffMillis = (retry: RetrySettings, attempts: number) => {
  const exponential = Math.min(retry.cap, retry.base * 2 ** Math.max(0, attempts - 1))
  return Random.nextBetween(exponential / 2, exponential)
}

/**
 * Runs one claimed delivery's handler (in the relay layer's context) and records its outcome: delivered,
 * or failed with a backoff, or dead after `maxAttempts`. The handler's failure never escapes: it is the
 * delivery's state, so one handler cannot stop the cycle for the others.
 */
const deliverWith =
  <R>(
    db: PgDatabase["Service"],
    handlers: ReadonlyMap<string, OutboxHandler<R>>,
    context: Context.Context<R>,
    retry: RetrySettings
  ) =>
  (c: Store.Claimed) =>
    Effect.suspend(() => handlers.get(c.handler)!.handle(c.event)).pipe(
      Effect.provideContext(context),
      Effect.exit,
      Effect.flatMap((exit) => {
        if (exit._tag === "Success") {
          return Effect.as(Effect.andThen(Store.markDelivered(db, c), recordLag(c)), "delivered" as const)
        }
        const dead = c.attempts >= retry.maxAttempts
        return Effect.flatMap(
          backoffMillis(retry, c.attempts),
          (delay) =>
            Effect.as(
              Store.markFailed(db, c, dead, errorText(exit.cause), delay),
              dead ? "dead" as const : "failed" as const
            )
        )
      }),
      Effect.tap((outcome) => Effect.annotateCurrentSpan("erpkit.relay.outcome", outcome)),
      Effect.withSpan("erpkit.relay.deliver", {
        attributes: {
          "erpkit.event.type": c.event.type,
          "erpkit.event.id": c.event.id,
          "erpkit.relay.handler": c.handler,
          "erpkit.relay.attempt": c.attempts,
          "erpkit.tenant.organization_id": c.event.tenant.organizationId
        }
      })
    )

/** Cycles until one finds nothing to do (or `cyclesMax` ran), summing their reports. */
const drainWith = (runOnce: Effect.Effect<CycleReport>) => (cyclesMax = 100): Effect.Effect<CycleReport> =>
  Effect.gen(function*() {
    let total: CycleReport = { dispatched: 0, delivered: 0, failed: 0, dead: 0 }
    for (let i = 0; i < cyclesMax; i++) {
      const r = yield* runOnce
      total = sumReports(total, r)
      if (r.dispatched === 0 && r.delivered + r.failed + r.dead === 0) break
    }
    return total
  })

const makeRelay = <R>(options: RelayOptions<R>) =>
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const context = yield* Effect.context<R>()
    const batch = Math.max(1, Math.min(options.batchSizeMax ?? 100, 1_000))
    const retry: RetrySettings = {
      maxAttempts: options.maxAttempts ?? 10,
      base: options.retryBaseMillis ?? 1_000,
      cap: options.retryMaxMillis ?? 300_000
    }
    const handlers = new Map(options.handlers.map((h) => [h.name, h]))
    if (handlers.size !== options.handlers.length) {
      return yield* Effect.die(new Error("outbox handler names must be unique"))
    }
    const deliver = deliverWith(db, handlers, context, retry)

    const runOnce: Effect.Effect<CycleReport> = Effect.gen(function*() {
      const dispatched = yield* Store.fanOut(db, options.handlers, batch)
      const claimed = yield* Store.claim(db, [...handlers.keys()], batch, options.leaseMillis ?? 60_000)
      const outcomes = yield* Effect.forEach(claimed, deliver, { concurrency: options.concurrency ?? 4 })
      const count = (o: string) => outcomes.filter((x) => x === o).length
      return { dispatched, delivered: count("delivered"), failed: count("failed"), dead: count("dead") }
    })

    return {
      runOnce,
      drain: drainWith(runOnce),
      deliveries: (eventId: string) => Store.deliveries(db, eventId),
      deadLetters: (handler: string, limit = 100) => Store.deadLetters(db, handler, limit),
      redrive: (handler: string, eventId?: string) => Store.redrive(db, handler, eventId)
    }
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
        yield* Effect.forkScoped(
          Effect.forever(Effect.andThen(Queue.take(notifications), Queue.offer(wakeUps, undefined))).pipe(
            Effect.catchCause((cause) => Effect.logWarning("outbox relay: LISTEN stopped, polling only", cause))
          )
        )
      }
      const poll = Duration.fromInputUnsafe(options.pollInterval ?? "1 second")
      const cycle = relay.drain().pipe(
        Effect.catchCause((cause) => Effect.logError("outbox relay cycle failed", cause))
      )
      // A graceful stop lets the cycle in flight finish (its leases would otherwise hold those events
      // until they expire), up to `stopGraceMillis`; a handler stuck longer is interrupted and its
      // events stay pending for the next relay.
      let stopping = false
      const fiber = yield* Effect.forkScoped(
        Effect.whileLoop({
          while: () => !stopping,
          body: () => Effect.andThen(cycle, Effect.raceFirst(Queue.take(wakeUps), Effect.sleep(poll))),
          step: () => {}
        })
      )
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => void (stopping = true)).pipe(
          Effect.andThen(Queue.offer(wakeUps, undefined)),
          Effect.andThen(Effect.timeoutOption(Fiber.await(fiber), Duration.millis(options.stopGraceMillis ?? 5_000))),
          Effect.asVoid
        )
      )
      return relay
    })
  )
