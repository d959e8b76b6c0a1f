import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Exit, Fiber, Option, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as Actor from "../src/Actor.ts"
import { AuditLog } from "../src/AuditLog.ts"
import * as Command from "../src/Command.ts"
import { IdempotencyKeyReused } from "../src/Errors.ts"
import { MemoryStore } from "../src/MemoryStore.ts"
import { Outbox } from "../src/Outbox.ts"
import { UnitOfWork } from "../src/UnitOfWork.ts"
import { actor, layerTestPlatform, tenantA, tenantB } from "../src/testing/index.ts"

const grants: Actor.Grants = { "Finance Manager": [Actor.permission("test.counter.add")] }
const platform = layerTestPlatform(grants)

class Overdraw extends Schema.TaggedError<Overdraw>()("Overdraw", { balance: Schema.Number }) {}

/** A tiny command over one memory table: adds to a named counter, refusing to go below zero. */
const addToCounter = Command.make({
  name: "test.addToCounter",
  input: Schema.Struct({ name: Schema.String.pipe(Schema.check(Schema.isMaxLength(20))), delta: Schema.Int }),
  output: Schema.Struct({ name: Schema.String, value: Schema.Number }),
  permission: Actor.permission("test.counter.add"),
  handler: (input, _ctx) =>
    Effect.gen(function*() {
      const table = (yield* MemoryStore).table<number>("test.counters")
      const before = Option.getOrElse(yield* table.get(input.name), () => 0)
      yield* table.put(input.name, before + input.delta) // written before the check: rollback must undo it
      if (before + input.delta < 0) return yield* new Overdraw({ balance: before })
      return {
        result: { name: input.name, value: before + input.delta },
        events: [{
          type: "test.CounterChanged",
          aggregateType: "Counter",
          aggregateId: input.name,
          payload: { value: before + input.delta }
        }],
        changes: [{
          entityType: "Counter",
          entityId: input.name,
          action: before === 0 ? "CREATE" as const : "UPDATE" as const,
          oldValues: { value: before },
          newValues: { value: before + input.delta }
        }]
      }
    })
})

const counter = (name: string) => Effect.flatMap(MemoryStore, (s) => s.table<number>("test.counters").get(name))

const finance = actor(["Finance Manager"])

describe("command pipeline on the memory platform", () => {
  it.effect("commits the change, its outbox event and its audit entry together", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_700_000_000_000)
      const result = yield* addToCounter(finance, { name: "a", delta: 5 })
      assert.deepStrictEqual(result, { name: "a", value: 5 })
      const events = yield* Outbox.use((o) => o.list(tenantA))
      assert.strictEqual(events.length, 1)
      assert.strictEqual(events[0]!.occurredAt, 1_700_000_000_000)
      assert.deepStrictEqual(events[0]!.tenant, tenantA)
      const audit = yield* AuditLog.use((a) => a.byEntity(tenantA, "Counter", "a"))
      assert.deepStrictEqual(audit.map((e) => [e.action, e.changedFields, e.actorId]), [[
        "CREATE",
        ["value"],
        finance.userId
      ]])
    }).pipe(Effect.provide(platform)))

  it.effect("rolls back every write of a failed command", () =>
    Effect.gen(function*() {
      yield* addToCounter(finance, { name: "a", delta: 5 })
      const error = yield* Effect.flip(addToCounter(finance, { name: "a", delta: -9 }))
      assert.strictEqual(error._tag, "Overdraw")
      assert.deepStrictEqual(yield* counter("a"), Option.some(5))
      assert.strictEqual((yield* Outbox.use((o) => o.list(tenantA))).length, 1)
      assert.strictEqual((yield* AuditLog.use((a) => a.byActor(tenantA, finance.userId))).length, 1)
    }).pipe(Effect.provide(platform)))

  it.effect("rolls back on defects and interruption too", () =>
    Effect.gen(function*() {
      const store = yield* MemoryStore
      const uow = yield* UnitOfWork
      const table = store.table<number>("t")
      const died = yield* Effect.exit(uow.transaction(Effect.andThen(table.put("x", 1), Effect.die("boom"))))
      assert.isTrue(Exit.isFailure(died))
      assert.isTrue(Option.isNone(yield* table.get("x")))
      const fiber = yield* Effect.forkChild(uow.transaction(Effect.andThen(table.put("y", 1), Effect.never)))
      yield* Effect.yieldNow
      yield* Fiber.interrupt(fiber)
      assert.isTrue(Option.isNone(yield* table.get("y")))
    }).pipe(Effect.provide(platform)))

  it.effect("isolates an open transaction from readers outside it", () =>
    Effect.gen(function*() {
      const store = yield* MemoryStore
      const table = store.table<number>("t")
      const written = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const writer = yield* Effect.forkChild(store.transaction(Effect.gen(function*() {
        yield* table.put("k", 1)
        yield* Deferred.succeed(written, undefined)
        yield* Deferred.await(release)
      })))
      yield* Deferred.await(written)
      assert.isTrue(Option.isNone(yield* table.get("k")), "uncommitted write visible outside")
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(writer)
      assert.deepStrictEqual(yield* table.get("k"), Option.some(1))
    }).pipe(Effect.provide(platform)))

  it.effect("serializes concurrent commands: no lost update", () =>
    Effect.gen(function*() {
      yield* Effect.forEach(
        Array.from({ length: 50 }, (_, i) => i),
        () => addToCounter(finance, { name: "hot", delta: 1 }),
        { concurrency: 10 }
      )
      assert.deepStrictEqual(yield* counter("hot"), Option.some(50))
    }).pipe(Effect.provide(platform)))

  it.effect("rejects junk input and forged actors with ValidationError, writing nothing", () =>
    Effect.gen(function*() {
      for (const input of [
        null,
        {},
        { name: 1, delta: 1 },
        { name: "a", delta: 1.5 },
        { name: "x".repeat(10_000), delta: 1 },
        { name: "a", delta: Number.NaN }
      ]) {
        const error = yield* Effect.flip(Command.untyped(addToCounter)(finance, input))
        assert.strictEqual(error._tag, "ValidationError")
      }
      const forged = yield* Effect.flip(
        Command.untyped(addToCounter)({ ...finance, roles: ["Root; DROP TABLE"] }, { name: "a", delta: 1 })
      )
      assert.strictEqual(forged._tag, "ValidationError")
      if (forged._tag === "ValidationError") assert.strictEqual(forged.issues[0]!.path[0], "actor")
      // a well-formed role nobody granted anything is no error of shape: it holds no permission
      const unknown = yield* Effect.flip(addToCounter({ ...finance, roles: ["Root"] }, { name: "a", delta: 1 }))
      assert.strictEqual(unknown._tag, "Forbidden")
      assert.isTrue(Option.isNone(yield* counter("a")))
      assert.strictEqual((yield* Outbox.use((o) => o.list(tenantA))).length, 0)
    }).pipe(Effect.provide(platform)))

  it.effect("refuses actors without the permission with Forbidden", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(addToCounter(actor(["Sales Rep"]), { name: "a", delta: 1 }))
      assert.strictEqual(error._tag, "Forbidden")
      assert.isTrue(Option.isNone(yield* counter("a")))
      // the system actor (jobs, processes) holds every permission
      assert.strictEqual((yield* addToCounter(Actor.system(tenantA), { name: "a", delta: 1 })).value, 1)
    }).pipe(Effect.provide(platform)))

  it.effect("replays an idempotent command and refuses the key for other input", () =>
    Effect.gen(function*() {
      const first = yield* addToCounter(finance, { name: "a", delta: 3 }, { idempotencyKey: "k1" })
      const again = yield* addToCounter(finance, { name: "a", delta: 3 }, { idempotencyKey: "k1" })
      assert.deepStrictEqual(again, first)
      assert.deepStrictEqual(yield* counter("a"), Option.some(3))
      const clash = yield* Effect.flip(addToCounter(finance, { name: "a", delta: 4 }, { idempotencyKey: "k1" }))
      assert.instanceOf(clash, IdempotencyKeyReused)
      // keys are per tenant: tenant B may use the same key for its own command
      const other = yield* addToCounter(
        actor(["Finance Manager"], tenantB),
        { name: "b", delta: 1 },
        { idempotencyKey: "k1" }
      )
      assert.strictEqual(other.value, 1)
      // concurrent duplicates produce one effect
      yield* Effect.forEach(
        [1, 2, 3, 4, 5, 6, 7, 8],
        () => addToCounter(finance, { name: "c", delta: 2 }, { idempotencyKey: "k2" }),
        { concurrency: 8 }
      )
      assert.deepStrictEqual(yield* counter("c"), Option.some(2))
    }).pipe(Effect.provide(platform)))
})
