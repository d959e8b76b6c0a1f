/**
 * `StorageUnavailable` on the memory platform: an adapter that loses its store dies with it (ports have
 * no error channel); the unit of work reports it as ONE typed failure, rolls back, and a domain refusal
 * met before the store was lost stays the answer.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, Option, Schema } from "effect"
import * as Actor from "../src/Actor.ts"
import * as Command from "../src/Command.ts"
import { StorageUnavailable } from "../src/Errors.ts"
import { MemoryStore } from "../src/MemoryStore.ts"
import { settleStorageFailure, UnitOfWork } from "../src/UnitOfWork.ts"
import { actor, layerTestPlatform } from "../src/testing/index.ts"

const grants: Actor.Grants = { "Finance Manager": [Actor.permission("test.counter.add")] }
const platform = layerTestPlatform(grants)

class Refused extends Schema.TaggedError<Refused>()("Refused", {}) {}

const lost = (outcome: "not-applied" | "unknown") =>
  new StorageUnavailable({ retryable: true, outcome, sqlState: "57P01", reason: "backend terminated" })

/** Writes a counter, then fails as `mode` says. */
const write = Command.make({
  name: "test.write",
  input: Schema.Struct({ mode: Schema.Literals(["ok", "lost", "refused-then-lost"]) }),
  output: Schema.Number,
  permission: Actor.permission("test.counter.add"),
  handler: (input) =>
    Effect.gen(function*() {
      const table = (yield* MemoryStore).table<number>("test.counters")
      yield* table.put("c", 1)
      if (input.mode === "lost") return yield* Effect.die(lost("not-applied"))
      if (input.mode === "refused-then-lost") {
        return yield* Effect.failCause(Cause.combine(Cause.fail(new Refused()), Cause.die(lost("not-applied"))))
      }
      return { result: 1 }
    })
})

const counter = Effect.flatMap(MemoryStore, (s) => s.table<number>("test.counters").get("c"))

describe("StorageUnavailable", () => {
  it.effect("a store lost mid-command is one typed failure, and nothing is written", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(write(actor(["Finance Manager"]), { mode: "lost" }))
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) {
        assert.strictEqual(exit.cause.reasons.length, 1)
        const error = Cause.findErrorOption(exit.cause)
        assert.isTrue(
          Option.isSome(error) && error.value instanceof StorageUnavailable && error.value.outcome === "not-applied"
        )
      }
      assert.isTrue(Option.isNone(yield* counter))
    }).pipe(Effect.provide(platform)))

  it.effect("a domain refusal followed by a lost store reports the refusal alone", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(write(actor(["Finance Manager"]), { mode: "refused-then-lost" }))
      assert.strictEqual(error._tag, "Refused")
      assert.isTrue(Option.isNone(yield* counter))
    }).pipe(Effect.provide(platform)))

  it.effect("UnitOfWork.transaction surfaces a dying StorageUnavailable as a failure", () =>
    Effect.gen(function*() {
      const uow = yield* UnitOfWork
      const error = yield* Effect.flip(uow.transaction(Effect.die(lost("unknown"))))
      assert.strictEqual(error.outcome, "unknown")
    }).pipe(Effect.provide(platform)))

  it("settleStorageFailure keeps causes without a storage failure as they are", () => {
    const cause = Cause.combine(Cause.fail(new Refused()), Cause.die(new Error("bug")))
    assert.strictEqual(settleStorageFailure(cause), cause)
    const settled = settleStorageFailure(Cause.combine(Cause.die(new Error("driver")), Cause.die(lost("unknown"))))
    assert.strictEqual(settled.reasons.length, 1)
    assert.isTrue(Cause.isFailReason(settled.reasons[0]!))
  })
})
