/**
 * The `MapStore` takes part in the kernel unit of work as the participation contract on
 * `UnitOfWork` asks: a unit that fails (typed failure, defect, interruption) leaves both stores as they
 * were, nested units join, outsiders never see uncommitted rows, and a participant whose commit fails
 * rolls the memory store back too.
 */
import { assert, describe, it } from "@effect/vitest"
import { Errors, MemoryStore, UnitOfWork } from "@erpkit/kernel"
import { Cause, Deferred, Effect, Exit, Fiber, Layer, Option } from "effect"
import { MapStore } from "../src/MapStore.ts"
import { layerUnitOfWork } from "../src/layers.ts"

const stores = Layer.merge(MemoryStore.MemoryStore.layer, MapStore.layer)
const layer = layerUnitOfWork.pipe(Layer.provideMerge(stores))

/** Writes key `k` to a table of each store (what one command does to a memory port and the replaced one). */
const writeBoth = (k: string) =>
  Effect.gen(function*() {
    yield* (yield* MemoryStore.MemoryStore).table<string>("memory").put(k, "row")
    yield* (yield* MapStore).table<string>("map").put(k, "row")
  })

/** What each store holds under `k`, as committed (read outside any unit of work). */
const readBoth = (k: string) =>
  Effect.gen(function*() {
    const memory = yield* (yield* MemoryStore.MemoryStore).table<string>("memory").get(k)
    const map = yield* (yield* MapStore).table<string>("map").get(k)
    return [Option.isSome(memory), Option.isSome(map)]
  })

describe("a MapStore enlisted in the memory unit of work", () => {
  it.effect("commits with the unit of work, once, however deeply units nest", () =>
    Effect.gen(function*() {
      const store = yield* MapStore
      const before = store.commits()
      yield* UnitOfWork.run(UnitOfWork.run(writeBoth("nested")))
      assert.deepStrictEqual(yield* readBoth("nested"), [true, true])
      assert.strictEqual(store.commits() - before, 1)
    }).pipe(Effect.provide(layer)))

  it.effect("a typed failure, a defect or an interruption leaves neither store changed", () =>
    Effect.gen(function*() {
      const failed = yield* Effect.exit(UnitOfWork.run(Effect.andThen(writeBoth("failed"), Effect.fail("boom"))))
      const died = yield* Effect.exit(UnitOfWork.run(Effect.andThen(writeBoth("died"), Effect.die("bug"))))
      const interrupted = yield* Effect.exit(UnitOfWork.run(Effect.andThen(writeBoth("interrupted"), Effect.interrupt)))
      assert.isTrue(Exit.isFailure(failed) && Exit.isFailure(died) && Exit.isFailure(interrupted))
      for (const k of ["failed", "died", "interrupted"]) assert.deepStrictEqual(yield* readBoth(k), [false, false], k)
    }).pipe(Effect.provide(layer)))

  it.effect("readers outside the unit of work see none of its rows until it commits", () =>
    Effect.gen(function*() {
      const written = yield* Deferred.make<void>()
      const release = yield* Deferred.make<void>()
      const unit = yield* Effect.forkChild(
        UnitOfWork.run(
          Effect.andThen(
            writeBoth("pending"),
            Effect.andThen(Deferred.succeed(written, undefined), Deferred.await(release))
          )
        )
      )
      yield* Deferred.await(written)
      assert.deepStrictEqual(yield* readBoth("pending"), [false, false])
      yield* Deferred.succeed(release, undefined)
      yield* Fiber.join(unit)
      assert.deepStrictEqual(yield* readBoth("pending"), [true, true])
    }).pipe(Effect.provide(layer)))

  it.effect("a participant whose commit fails rolls the memory store back and surfaces StorageUnavailable", () =>
    Effect.gen(function*() {
      const lost = new Errors.StorageUnavailable({
        retryable: true,
        outcome: "not-applied",
        sqlState: "",
        reason: "connection lost at commit"
      })
      const store = yield* MapStore
      // the MapStore losing its connection as it commits: it dies, as ports have no error channel for it
      const failing: UnitOfWork.Participant = {
        transaction: (effect) => store.transaction(Effect.andThen(effect, (a) => Effect.as(Effect.die(lost), a)))
      }
      const uow = UnitOfWork.enlist(yield* UnitOfWork.UnitOfWork, failing)
      const exit = yield* Effect.exit(uow.transaction(writeBoth("lost")))
      assert.isTrue(Exit.isFailure(exit))
      if (Exit.isFailure(exit)) assert.deepStrictEqual(Cause.findErrorOption(exit.cause), Option.some(lost))
      assert.deepStrictEqual(yield* readBoth("lost"), [false, false])
    }).pipe(Effect.provide(layer)))
})
