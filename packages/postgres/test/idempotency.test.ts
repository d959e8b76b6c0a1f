import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { Errors, Idempotency, Outbox, UnitOfWork } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import { CurrentIsolation } from "../src/Database.ts"
import { createItem, grants, Items, testModule } from "./fixtures.ts"
import { freshTenant, targets } from "./targets.ts"
import { checkThenActIdempotency } from "./billing/controls.ts"

const manager = () => actor(["Sales Manager"], freshTenant())

for (const target of targets("idempotency.test.ts")) {
  describe(target.name, () => {
    layer(target.layer({ modules: [testModule], grants }), { excludeTestServices: true, timeout: "120 seconds" })(
      "idempotency",
      (it) => {
        it.effect("same key + same input replays the first result without a second effect", () =>
          Effect.gen(function*() {
            const who = manager()
            const first = yield* createItem(who, { code: "I-1", note: "n" }, { idempotencyKey: "order-42" })
            const again = yield* createItem(who, { code: "I-1", note: "n" }, { idempotencyKey: "order-42" })
            expect(again).toEqual(first)
            expect((yield* Items.use((r) => r.list(who.tenant))).length).toBe(1)
            expect((yield* Outbox.Outbox.use((o) => o.list(who.tenant))).length).toBe(1)
            const record = yield* Idempotency.Idempotency.use((i) =>
              i.find(who.tenant, "order-42" as Idempotency.IdempotencyKey)
            )
            expect(Option.map(record, (r) => [r.command, r.result])).toEqual(Option.some(["test.createItem", first]))
          }))

        it.effect("same key + different input fails with IdempotencyKeyReused and writes nothing", () =>
          Effect.gen(function*() {
            const who = manager()
            yield* createItem(who, { code: "I-2", note: "n" }, { idempotencyKey: "k" })
            const error = yield* Effect.flip(createItem(who, { code: "I-3", note: "n" }, { idempotencyKey: "k" }))
            expect(error).toBeInstanceOf(Errors.IdempotencyKeyReused)
            expect((yield* Items.use((r) => r.list(who.tenant))).map((i) => i.code)).toEqual(["I-2"])
          }))

        it.effect("keys are per tenant: the same key in another tenant is a new command", () =>
          Effect.gen(function*() {
            const a = manager()
            const b = manager()
            const ra = yield* createItem(a, { code: "T", note: "" }, { idempotencyKey: "shared" })
            const rb = yield* createItem(b, { code: "T", note: "" }, { idempotencyKey: "shared" })
            expect(ra.id).not.toBe(rb.id)
          }))

        it.effect("a replay whose re-execution fails still replays, also nested in a handling unit of work", () =>
          Effect.gen(function*() {
            const who = manager()
            const first = yield* createItem(who, { code: "R-1", note: "n" }, { idempotencyKey: "again" })
            // re-running it would meet the unique code (a typed Conflict that aborts the transaction)
            expect(yield* createItem(who, { code: "R-1", note: "n" }, { idempotencyKey: "again" })).toEqual(first)
            const nested = yield* UnitOfWork.transactionFor(
              who.tenant,
              Effect.catch(
                createItem(who, { code: "R-1", note: "n" }, { idempotencyKey: "again" }),
                (error) => Effect.succeed(error)
              )
            )
            expect(nested).toEqual(first)
            // a failure that is not a replay stays a failure
            const error = yield* Effect.flip(createItem(who, { code: "R-1", note: "n" }, { idempotencyKey: "other" }))
            expect(error).toBeInstanceOf(Errors.Conflict)
            expect((yield* Items.use((r) => r.list(who.tenant))).length).toBe(1)
          }))

        for (const isolation of ["read committed", "serializable"] as const) {
          it.effect(`8 concurrent duplicates (${isolation}) produce one effect and eight equal results`, () =>
            Effect.gen(function*() {
              const who = manager()
              const results = yield* Effect.all(
                Array.from(
                  { length: 8 },
                  () => createItem(who, { code: "C", note: "once" }, { idempotencyKey: "dup" })
                ),
                { concurrency: "unbounded" }
              ).pipe(Effect.provideService(CurrentIsolation, isolation))
              expect(new Set(results.map((r) => r.id)).size).toBe(1)
              expect((yield* Items.use((r) => r.list(who.tenant))).length).toBe(1)
              expect((yield* Outbox.Outbox.use((o) => o.list(who.tenant))).length).toBe(1)
            }))
        }

        if (target.name === "server") {
          // PGlite has one connection: its duplicates run one after the other and cannot race
          it.effect("control: with a check-then-act store, 8 concurrent duplicates don't all get the same result", () =>
            Effect.gen(function*() {
              const who = manager()
              const naive = checkThenActIdempotency(yield* Effect.context<any>())
              const round = (k: number) =>
                Effect.map(
                  Effect.all(
                    Array.from(
                      { length: 8 },
                      () =>
                        Effect.exit(createItem(who, { code: `C${k}`, note: "once" }, { idempotencyKey: `dup-${k}` }))
                          .pipe(Effect.provideContext(naive))
                    ),
                    { concurrency: "unbounded" }
                  ),
                  (exits) =>
                    new Set(exits.filter(Exit.isSuccess).map((e) => e.value.id)).size +
                    exits.filter(Exit.isFailure).length
                )
              // copies that acted on their own: more than one item made, or copies refused by the unique code
              const outcomes = yield* Effect.forEach([0, 1, 2, 3, 4], round)
              expect(outcomes.filter((n) => n > 1).length).toBeGreaterThan(0)
            }))
        }
      }
    )
  })
}
