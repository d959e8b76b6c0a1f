import { describe, expect, layer } from "@effect/vitest"
import { randomUUID } from "node:crypto"
import { Deferred, Duration, Effect, Fiber, Layer, Metric, Ref } from "effect"
import * as fc from "fast-check"
import { type DomainEvent, Outbox } from "@erpkit/kernel"
import { PgDatabase } from "../src/Database.ts"
import * as Relay from "../src/platform/Relay.ts"
import * as SqlState from "../src/SqlState.ts"
import { actor } from "@erpkit/kernel/testing"
import { createItem, grants, Items, testModule } from "./fixtures.ts"
import { freshTenant, targets } from "./targets.ts"

const event = (
  tenant: ReturnType<typeof freshTenant>,
  type: string,
  payload: DomainEvent.DomainEvent["payload"],
  occurredAt = 1_763_700_000_123
): DomainEvent.DomainEvent => ({
  id: randomUUID() as DomainEvent.DomainEvent["id"],
  type,
  tenant,
  aggregateType: "Thing",
  aggregateId: randomUUID(),
  occurredAt,
  payload
})

const append = (events: ReadonlyArray<DomainEvent.DomainEvent>) => Outbox.Outbox.use((o) => o.append(events))

/**
 * The relay schedules with the database's now() (backoff and lease are `next_attempt_at`): instead of
 * waiting for them, the test moves an event's pending deliveries a day into the past, as the login
 * (RLS does not apply to it). Nothing else depends on the wall clock.
 */
const makeDue = (eventId: string) =>
  Effect.flatMap(PgDatabase, (db) => SqlState.orDie(db.sql`
    UPDATE platform.outbox_deliveries SET next_attempt_at = next_attempt_at - interval '1 day'
      WHERE event_id = ${eventId} AND status = 'pending'`))

/** A handler that records the event ids it saw, failing while `failing(id, call)` says so. */
const recorder = (name: string, types: ReadonlyArray<string>, failing: (call: number) => boolean = () => false) =>
  Effect.map(Ref.make<ReadonlyArray<string>>([]), (seen) => ({
    seen,
    handler: {
      name,
      types,
      handle: (e: DomainEvent.DomainEvent) =>
        Effect.flatMap(
          Ref.updateAndGet(seen, (s) => [...s, e.id]),
          (s) =>
            failing(s.length)
              ? Effect.fail(new Error(`handler ${name} refuses call ${s.length} with a 'quote' and \\ backslash`))
              : Effect.void
        )
    } satisfies Relay.OutboxHandler
  }))

for (const target of targets("outbox.test.ts")) {
  describe(target.name, () => {
    layer(target.layer({ modules: [testModule], grants }), { excludeTestServices: true, timeout: "120 seconds" })(
      "outbox and relay",
      (it) => {
        it.effect("append + list: oldest first, by aggregate / type / limit, tenant-scoped, payload verbatim", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const other = freshTenant()
            const tricky = {
              s: "it's \"quoted\" \\ back; DROP TABLE platform.outbox; --",
              unicode: "Алматы ✓ 😀",
              n: 12.5,
              nested: [{ a: null, b: true }],
              empty: ""
            }
            const e1 = event(tenant, "t.A", tricky)
            const e2 = event(tenant, "t.B", { i: 2 }, 1_763_700_000_999)
            const e3 = { ...event(tenant, "t.A", { i: 3 }), aggregateId: e1.aggregateId }
            yield* append([e1, e2])
            yield* append([e3])
            yield* append([event(other, "t.A", { i: 4 })])
            const all = yield* Outbox.Outbox.use((o) => o.list(tenant))
            expect(all).toEqual([e1, e2, e3])
            expect((yield* Outbox.Outbox.use((o) => o.list(tenant, { aggregateId: e1.aggregateId }))).map((e) => e.id))
              .toEqual([e1.id, e3.id])
            expect((yield* Outbox.Outbox.use((o) => o.list(tenant, { type: "t.B" }))).map((e) => e.id)).toEqual([e2.id])
            expect((yield* Outbox.Outbox.use((o) => o.list(tenant, { limit: 2 }))).map((e) => e.id)).toEqual([
              e1.id,
              e2.id
            ])
            expect((yield* Outbox.Outbox.use((o) => o.list(other))).length).toBe(1)
          }))

        it.effect("the relay delivers each committed event to each subscribed handler, never again after success", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const type = `t.${randomUUID()}`
            const a = yield* recorder(`a-${randomUUID()}`, [type])
            const b = yield* recorder(`b-${randomUUID()}`, [type, "t.unrelated"])
            const events = [
              event(tenant, type, { n: 1 }),
              event(tenant, type, { n: 2 }),
              event(tenant, "t.not-subscribed", {})
            ]
            yield* append(events)
            const relay = Relay.layerManual({ handlers: [a.handler, b.handler], batchSizeMax: 2 })
            const first = yield* Effect.flatMap(Relay.OutboxRelay, (r) => r.drain()).pipe(Effect.provide(relay))
            const again = yield* Effect.flatMap(Relay.OutboxRelay, (r) => r.drain()).pipe(Effect.provide(relay))
            expect([...(yield* Ref.get(a.seen))].sort()).toEqual([events[0]!.id, events[1]!.id].sort())
            expect([...(yield* Ref.get(b.seen))].sort()).toEqual([events[0]!.id, events[1]!.id].sort())
            expect(first.delivered).toBe(4)
            expect(again.delivered).toBe(0)
            const rows = yield* Effect.flatMap(Relay.OutboxRelay, (r) => r.deliveries(events[0]!.id)).pipe(
              Effect.provide(relay)
            )
            expect(rows.map((r) => [r.status, r.attempts])).toEqual([["delivered", 1], ["delivered", 1]])
          }))

        it.effect("deliveries are measured: the relay-lag histogram and the deliveries counter, by handler", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const type = `t.${randomUUID()}`
            const a = yield* recorder(`lag-${randomUUID()}`, [type])
            yield* append([event(tenant, type, { n: 1 }), event(tenant, type, { n: 2 })])
            const relay = Relay.layerManual({ handlers: [a.handler] })
            yield* Effect.flatMap(Relay.OutboxRelay, (r) => r.drain()).pipe(Effect.provide(relay))
            const count = yield* Metric.value(
              Relay.relayDeliveries.pipe(Metric.withAttributes({ handler: a.handler.name }))
            )
            expect(count.count).toBe(2)
            const lag = yield* Metric.value(
              Relay.relayLag.pipe(Metric.withAttributes({ type, handler: a.handler.name }))
            )
            expect(lag.count).toBe(2)
            // the events happened at 1_763_700_000_123 (November 2025): their lag is at least the time since
            expect(lag.min).toBeGreaterThan(0)
          }))

        it.effect("two relays at once (SKIP LOCKED + leases) deliver each event once per handler, none failing", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const type = `t.${randomUUID()}`
            const h = yield* recorder(`shared-${randomUUID()}`, [type])
            const events = Array.from({ length: 60 }, (_, i) => event(tenant, type, { i }))
            yield* append(events)
            const relay = Relay.layerManual({ handlers: [h.handler], batchSizeMax: 7 })
            const reports = yield* Effect.all(
              [1, 2].map(() => Effect.flatMap(Relay.OutboxRelay, (r) => r.drain()).pipe(Effect.provide(relay))),
              { concurrency: 2 }
            )
            const seen = yield* Ref.get(h.seen)
            expect(seen.length).toBe(60)
            expect(new Set(seen)).toEqual(new Set(events.map((e) => e.id)))
            expect(reports[0]!.delivered + reports[1]!.delivered).toBe(60)
          }))

        it.effect("occurredAt (epoch ms) round-trips exactly through timestamptz", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const instants = [
              0,
              1,
              999,
              1_763_700_000_123,
              253_402_300_799_999,
              ...fc.sample(fc.integer({ min: 0, max: 4_102_444_800_000 }), { numRuns: 30, seed: 7 })
            ]
            const events = instants.map((ms) => event(tenant, "t.Time", {}, ms))
            yield* append(events)
            expect((yield* Outbox.Outbox.use((o) => o.list(tenant))).map((e) => e.occurredAt)).toEqual(instants)
          }))

        it.effect("a failing handler is retried with backoff while the successful one is not re-run", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const type = `t.${randomUUID()}`
            const ok = yield* recorder(`ok-${randomUUID()}`, [type])
            const flaky = yield* recorder(`flaky-${randomUUID()}`, [type], (call) => call <= 2)
            const e = event(tenant, type, {})
            yield* append([e])
            const relay = Relay.layerManual({
              handlers: [ok.handler, flaky.handler],
              maxAttempts: 5,
              retryBaseMillis: 60_000
            })
            const rows = yield* Effect.gen(function*() {
              const r = yield* Relay.OutboxRelay
              const first = yield* r.runOnce
              expect([first.delivered, first.failed]).toEqual([1, 1])
              const immediately = yield* r.runOnce
              expect(immediately.failed + immediately.delivered).toBe(0) // not due yet: backoff
              for (let i = 0; i < 10 && (yield* Ref.get(flaky.seen)).length < 3; i++) {
                yield* makeDue(e.id) // the backoff is over
                yield* r.runOnce
              }
              return yield* r.deliveries(e.id)
            }).pipe(Effect.provide(relay))
            expect(yield* Ref.get(ok.seen)).toEqual([e.id])
            expect(yield* Ref.get(flaky.seen)).toEqual([e.id, e.id, e.id])
            expect(rows.map((r) => r.status)).toEqual(["delivered", "delivered"])
          }))

        it.effect("after maxAttempts failures the delivery is dead-lettered with the last error, not tried again", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const type = `t.${randomUUID()}`
            const bad = yield* recorder(`bad-${randomUUID()}`, [type], () => true)
            const e = event(tenant, type, {})
            yield* append([e])
            const relay = Relay.layerManual({ handlers: [bad.handler], maxAttempts: 3, retryBaseMillis: 60_000 })
            const rows = yield* Effect.gen(function*() {
              const r = yield* Relay.OutboxRelay
              for (let i = 0; i < 10; i++) {
                yield* r.runOnce
                yield* makeDue(e.id) // the backoff is over (a dead delivery is no longer pending: untouched)
              }
              return yield* r.deliveries(e.id)
            }).pipe(Effect.provide(relay))
            expect((yield* Ref.get(bad.seen)).length).toBe(3)
            expect(rows.map((r) => [r.status, r.attempts])).toEqual([["dead", 3]])
            expect(rows[0]?.lastError).toContain("refuses call 3 with a 'quote'")
          }))

        it.effect("dead letters are listed and can be re-driven: the handler then gets the event again", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const type = `t.${randomUUID()}`
            const h = yield* recorder(`redrive-${randomUUID()}`, [type], (call) => call === 1)
            const e = event(tenant, type, {})
            yield* append([e])
            const relay = Relay.layerManual({ handlers: [h.handler], maxAttempts: 1 })
            const [dead, redriven, report, after] = yield* Effect.gen(function*() {
              const r = yield* Relay.OutboxRelay
              yield* r.drain()
              const dead = yield* r.deadLetters(h.handler.name)
              const redriven = yield* r.redrive(h.handler.name)
              const report = yield* r.drain()
              return [dead, redriven, report, yield* r.deadLetters(h.handler.name)] as const
            }).pipe(Effect.provide(relay))
            expect(dead.map((d) => d.eventId)).toEqual([e.id])
            expect(redriven).toBe(1)
            expect(report.delivered).toBe(1)
            expect(after).toEqual([])
            expect(yield* Ref.get(h.seen)).toEqual([e.id, e.id])
          }))

        it.effect("at least once: a claim whose relay died is delivered again after its lease", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const type = `t.${randomUUID()}`
            const name = `crashy-${randomUUID()}`
            const started = yield* Deferred.make<void>()
            const hanging: Relay.OutboxHandler = {
              name,
              types: [type],
              handle: () => Effect.andThen(Deferred.succeed(started, undefined), Effect.never)
            }
            const e = event(tenant, type, {})
            yield* append([e])
            const fiber = yield* Effect.forkChild(
              Effect.flatMap(Relay.OutboxRelay, (r) => r.runOnce).pipe(
                Effect.provide(Relay.layerManual({ handlers: [hanging], leaseMillis: 60_000 }))
              )
            )
            yield* Deferred.await(started)
            yield* Fiber.interrupt(fiber) // the "crash": claimed, never settled
            const second = yield* recorder(name, [type])
            const relay = Relay.layerManual({ handlers: [second.handler], leaseMillis: 60_000 })
            const early = yield* Effect.flatMap(Relay.OutboxRelay, (r) => r.runOnce).pipe(Effect.provide(relay))
            expect(early.delivered).toBe(0) // still leased
            yield* makeDue(e.id) // the lease is over
            const late = yield* Effect.flatMap(Relay.OutboxRelay, (r) => r.runOnce).pipe(Effect.provide(relay))
            expect(late.delivered).toBe(1)
            expect(yield* Ref.get(second.seen)).toEqual([e.id])
            const rows = yield* Effect.flatMap(Relay.OutboxRelay, (r) => r.deliveries(e.id)).pipe(Effect.provide(relay))
            expect(rows.map((r) => [r.status, r.attempts])).toEqual([["delivered", 2]])
          }))

        it.effect("the background relay is woken by a committed append (no polling: poll interval is one hour)", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const type = `t.${randomUUID()}`
            const got = yield* Deferred.make<string>()
            const primed = yield* Deferred.make<void>()
            const primer = event(tenant, type, {})
            const handler: Relay.OutboxHandler = {
              name: `wake-${randomUUID()}`,
              types: [type],
              handle: (e) => (e.id === primer.id ? Deferred.succeed(primed, undefined) : Deferred.succeed(got, e.id))
            }
            const e = event(tenant, type, {})
            yield* append([primer])
            const id = yield* Effect.scoped(Effect.gen(function*() {
              yield* Layer.build(Relay.layer({ handlers: [handler], pollInterval: "1 hour" }))
              yield* Deferred.await(primed) // the relay's first cycle has run (it delivered the primer): now it waits
              yield* append([e])
              return yield* Deferred.await(got).pipe(Effect.timeout(Duration.seconds(10)))
            }))
            expect(id).toBe(e.id)
          }))

        it.effect("a handler may run a command of its own (a reaction): its unit of work is separate and commits", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const type = `t.${randomUUID()}`
            const reaction: Relay.OutboxHandler<Effect.Services<ReturnType<typeof createItem>>> = {
              name: `react-${randomUUID()}`,
              types: [type],
              handle: (e) =>
                Effect.asVoid(
                  createItem(actor(["Sales Manager"], e.tenant), { code: `from-${e.id}`, note: "reaction" })
                )
            }
            const e = event(tenant, type, {})
            yield* append([e])
            const report = yield* Effect.flatMap(Relay.OutboxRelay, (r) => r.drain()).pipe(
              Effect.provide(Relay.layerManual({ handlers: [reaction] }))
            )
            expect(report.delivered).toBe(1)
            expect((yield* Items.use((r) => r.list(tenant))).map((i) => i.code)).toEqual([`from-${e.id}`])
            // the reaction's own event is in the outbox, after the one that caused it
            expect((yield* Outbox.Outbox.use((o) => o.list(tenant))).map((x) => x.type)).toEqual([
              type,
              "test.ItemCreated"
            ])
          }))

        if (target.name === "server") {
          it.effect("LISTEN/NOTIFY: an insert committed by another client wakes the relay", () =>
            Effect.gen(function*() {
              const db = yield* PgDatabase
              const tenant = freshTenant()
              const type = `t.${randomUUID()}`
              const got = yield* Deferred.make<string>()
              const primed = yield* Deferred.make<void>()
              const primer = event(tenant, type, {})
              const handler: Relay.OutboxHandler = {
                name: `listen-${randomUUID()}`,
                types: [type],
                handle: (e) => (e.id === primer.id ? Deferred.succeed(primed, undefined) : Deferred.succeed(got, e.id))
              }
              const id = randomUUID()
              yield* append([primer])
              const received = yield* Effect.scoped(Effect.gen(function*() {
                yield* Layer.build(Relay.layer({ handlers: [handler], pollInterval: "1 hour", listen: true }))
                yield* Deferred.await(primed) // the first cycle has run (it delivered the primer): now it waits
                // raw SQL in its own transaction: no in-process signal, only the trigger's NOTIFY
                yield* db.inTenant(tenant)(SqlState.orDie(db.sql`
                INSERT INTO platform.outbox (id, organization_id, workspace_id, type, aggregate_type, aggregate_id,
                  occurred_at, payload)
                VALUES (${id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${type}, 'Thing', 'x', now(),
                  '{}'::jsonb)`))
                return yield* Deferred.await(got).pipe(Effect.timeout(Duration.seconds(10)))
              }))
              expect(received).toBe(id)
            }))
        }
      }
    )
  })
}
