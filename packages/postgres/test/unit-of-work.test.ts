import { describe, expect, layer } from "@effect/vitest"
import { randomUUID } from "node:crypto"
import { Cause, Deferred, Effect, Exit, Fiber, Ref } from "effect"
import { AuditLog, Outbox, Errors, UnitOfWork } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import { CrossTenantTransaction, CurrentIsolation, CurrentLockTimeout, PgDatabase } from "../src/Database.ts"
import * as SqlState from "../src/SqlState.ts"
import { AfterInsert, createItem, grants, Items, testModule } from "./fixtures.ts"
import { freshTenant, targets } from "./targets.ts"

const manager = (tenant = freshTenant()) => ({ ...actor(["Sales Manager"], tenant), tenant })

/** A sequence the fail_times helper counts draws on (sequences ignore rollbacks). */
const counter = Effect.gen(function*() {
  const db = yield* PgDatabase
  const name = `testctx.c_${randomUUID().replaceAll("-", "")}`
  yield* db.sql.unsafe(`CREATE SEQUENCE ${name}`).unprepared.pipe(Effect.orDie)
  yield* db.sql.unsafe(`GRANT USAGE ON SEQUENCE ${name} TO erpkit_app`).unprepared.pipe(Effect.orDie)
  return name
})

const failTimes = (db: PgDatabase["Service"], name: string, times: number, code: string): Effect.Effect<void> =>
  Effect.asVoid(SqlState.orDie(db.sql`SELECT testctx.fail_times(${name}::regclass, ${times}, ${code})`))

for (const target of targets("unit-of-work.test.ts")) {
  describe(target.name, () => {
    layer(target.layer({ modules: [testModule], grants }), { excludeTestServices: true, timeout: "120 seconds" })(
      "unit of work",
      (it) => {
        it.effect("a command commits its row, outbox event, audit entry together (Command.make on Postgres)", () =>
          Effect.gen(function*() {
            const who = manager()
            const result = yield* createItem(who, { code: "A-1", note: "first" })
            const items = yield* Items.use((r) => r.list(who.tenant))
            const events = yield* Outbox.Outbox.use((o) => o.list(who.tenant))
            const audit = yield* AuditLog.AuditLog.use((a) => a.byEntity(who.tenant, "Item", result.id))
            expect(items.map((i) => i.code)).toEqual(["A-1"])
            expect(events.map((e) => [e.type, e.aggregateId])).toEqual([["test.ItemCreated", result.id]])
            expect(audit.map((a) => [a.action, a.actorId, a.command])).toEqual([[
              "CREATE",
              who.userId,
              "test.createItem"
            ]])
          }))

        it.effect("a failed command writes nothing: no row, no outbox event, no audit entry, no idempotency key", () =>
          Effect.gen(function*() {
            const who = manager()
            const exit = yield* Effect.exit(
              createItem(who, { code: "B-1", note: "x", failAfterWrites: true }, { idempotencyKey: "k-fail" })
            )
            expect(Exit.isFailure(exit)).toBe(true)
            expect(yield* Items.use((r) => r.list(who.tenant))).toEqual([])
            expect(yield* Outbox.Outbox.use((o) => o.list(who.tenant))).toEqual([])
            // the key was not taken: the same key now runs the command for real
            const ok = yield* createItem(who, { code: "B-1", note: "x" }, { idempotencyKey: "k-fail" })
            expect((yield* Items.use((r) => r.list(who.tenant))).map((i) => i.id)).toEqual([ok.id])
          }))

        it.effect("RetryUnitOfWork: a defect asking for a retry reruns the unit of work, through typed handlers", () =>
          Effect.gen(function*() {
            const attempts = yield* Ref.make<ReadonlyArray<number>>([])
            const db = yield* PgDatabase
            const result = yield* UnitOfWork.transactionFor(
              freshTenant(),
              Effect.gen(function*() {
                const attempt = yield* db.attempt
                yield* Ref.update(attempts, (xs) => [...xs, attempt])
                // a typed-error handler in between does not stop it
                return yield* Effect.catch(
                  attempt < 3
                    ? Effect.die(new SqlState.RetryUnitOfWork({ reason: "test" }))
                    : Effect.succeed(`done on attempt ${attempt}`),
                  () => Effect.succeed("swallowed")
                )
              })
            )
            expect([result, yield* Ref.get(attempts)]).toEqual(["done on attempt 3", [1, 2, 3]])
          }))

        it.effect("a defect inside the unit of work rolls back too", () =>
          Effect.gen(function*() {
            const who = manager()
            const exit = yield* Effect.exit(
              createItem(who, { code: "C-1", note: "x" }).pipe(
                Effect.provideService(AfterInsert, () => Effect.die("boom"))
              )
            )
            expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
            expect(yield* Items.use((r) => r.list(who.tenant))).toEqual([])
          }))

        it.effect("nested transactions join the outer one: an outer failure rolls back the inner writes", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const tenant = freshTenant()
            const insert = (code: string) =>
              Items.use((r) => r.insert(tenant, { id: randomUUID(), code, note: "", quantity: 0 }))
            const pids = yield* Ref.make<ReadonlyArray<unknown>>([])
            const pid = Effect.flatMap(
              SqlState.orDie(db.sql<{ pid: number }>`SELECT pg_backend_pid() AS pid, txid_current() AS tx`),
              (rows) => Ref.update(pids, (p) => [...p, rows[0]])
            )
            const exit = yield* Effect.exit(db.transaction(Effect.gen(function*() {
              yield* insert("N-1")
              yield* pid
              yield* db.transaction(Effect.andThen(insert("N-2"), pid))
              return yield* Effect.fail("outer fails")
            })))
            expect(Exit.isFailure(exit)).toBe(true)
            const seen = yield* Ref.get(pids)
            expect(seen).toHaveLength(2)
            expect(seen[1]).toEqual(seen[0])
            expect(yield* Items.use((r) => r.list(tenant))).toEqual([])
          }))

        it.effect("23505 maps to the kernel Conflict and is not retried", () =>
          Effect.gen(function*() {
            const who = manager()
            const attempts = yield* Ref.make(0)
            yield* createItem(who, { code: "DUP", note: "one" })
            const error = yield* Effect.flip(
              createItem(who, { code: "DUP", note: "two" }).pipe(
                Effect.provideService(AfterInsert, () => Ref.update(attempts, (n) => n + 1))
              )
            )
            expect(error).toBeInstanceOf(Errors.Conflict)
            expect((error as Errors.Conflict).reason).toContain("items_code_unique")
            expect(yield* Ref.get(attempts)).toBe(0)
          }))

        it.effect("23514 (CHECK) maps to a typed ConstraintViolation", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const error = yield* Effect.flip(
              Items.use((r) => r.insert(tenant, { id: randomUUID(), code: "neg", note: "", quantity: -1 }))
            )
            expect(error._tag).toBe("ConstraintViolation")
            expect(error._tag === "ConstraintViolation" && [error.kind, error.sqlState, error.table]).toEqual([
              "check",
              "23514",
              "testctx.items"
            ])
          }))

        for (const code of ["40001", "40P01", "55P03"]) {
          it.effect(`SQLSTATE ${code} retries the whole transaction (bounded) and then commits once`, () =>
            Effect.gen(function*() {
              const who = manager()
              const db = yield* PgDatabase
              const seq = yield* counter
              const result = yield* createItem(who, { code: `R-${code}`, note: "" }).pipe(
                Effect.provideService(AfterInsert, () => failTimes(db, seq, 2, code))
              )
              expect((yield* Items.use((r) => r.list(who.tenant))).map((i) => i.id)).toEqual([result.id])
              expect((yield* Outbox.Outbox.use((o) => o.list(who.tenant))).length).toBe(1)
            }))
        }

        it.effect("retries stop after 8 attempts and the failure surfaces as a defect", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const seq = yield* counter
            const exit = yield* Effect.exit(db.transaction(failTimes(db, seq, 1_000, "40001")))
            expect(Exit.isFailure(exit) && SqlState.isRetryableCause(exit.cause)).toBe(true)
            const drawn = yield* SqlState.orDie(
              db.sql<{ n: string }>`SELECT last_value::text AS n FROM ${db.sql(seq.split(".")[0]!)}.${
                db.sql(seq.split(".")[1]!)
              }`
            )
            expect(drawn[0]?.n).toBe("8")
          }))

        it.effect("a non-retryable error (23514 raised) runs exactly once", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const seq = yield* counter
            const exit = yield* Effect.exit(db.transaction(failTimes(db, seq, 1_000, "23514")))
            expect(Exit.isFailure(exit)).toBe(true)
            const drawn = yield* SqlState.orDie(
              db.sql<{ n: string }>`SELECT last_value::text AS n FROM ${db.sql(seq.split(".")[0]!)}.${
                db.sql(seq.split(".")[1]!)
              }`
            )
            expect(drawn[0]?.n).toBe("1")
          }))

        it.effect("one transaction serves one tenant: binding another is a CrossTenantTransaction defect", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const a = freshTenant()
            const b = freshTenant()
            const exit = yield* Effect.exit(
              db.transaction(Effect.andThen(Items.use((r) => r.list(a)), Items.use((r) => r.list(b))))
            )
            expect(Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof CrossTenantTransaction).toBe(true)
          }))

        it.effect("a nested transactionFor another tenant cannot join a bound unit of work", () =>
          Effect.gen(function*() {
            const a = freshTenant()
            const b = freshTenant()
            const exit = yield* Effect.exit(UnitOfWork.transactionFor(a, UnitOfWork.transactionFor(b, Effect.void)))
            expect(Exit.isFailure(exit) && Cause.squash(exit.cause) instanceof CrossTenantTransaction).toBe(true)
            const same = yield* Effect.exit(
              UnitOfWork.transactionFor(a, UnitOfWork.transactionFor(a, Effect.succeed(1)))
            )
            expect(same).toEqual(Exit.succeed(1))
          }))

        if (target.name === "server") {
          it.effect("a real serialization failure (SERIALIZABLE write skew) is retried and both commands commit", () =>
            Effect.gen(function*() {
              const db = yield* PgDatabase
              const tenant = freshTenant()
              const arrived = yield* Ref.make(0)
              const bothRead = yield* Deferred.make<void>()
              const maxAttempt = yield* Ref.make(0)
              const writer = (code: string) =>
                db.inTenant(tenant)(Effect.gen(function*() {
                  const attempt = yield* db.attempt
                  yield* Ref.update(maxAttempt, (m) => Math.max(m, attempt))
                  const rows = yield* SqlState.orDie(
                    db.sql<
                      { n: number }
                    >`SELECT count(*)::int AS n FROM testctx.items WHERE organization_id = ${tenant.organizationId}`
                  )
                  if (attempt === 1) {
                    if ((yield* Ref.updateAndGet(arrived, (n) => n + 1)) === 2) {
                      yield* Deferred.succeed(bothRead, undefined)
                    }
                    yield* Deferred.await(bothRead)
                  }
                  yield* Items.use((r) =>
                    r.insert(tenant, { id: randomUUID(), code, note: `saw ${rows[0]!.n}`, quantity: 0 })
                  )
                })).pipe(Effect.provideService(CurrentIsolation, "serializable"))
              yield* Effect.all([writer("S-1"), writer("S-2")], { concurrency: 2 })
              const items = yield* Items.use((r) => r.list(tenant))
              expect(items.map((i) => i.note).sort()).toEqual(["saw 0", "saw 1"])
              expect(yield* Ref.get(maxAttempt)).toBeGreaterThanOrEqual(2)
            }))

          it.effect("a backend killed mid-transaction: nothing commits, not retried, the pool recovers", () =>
            Effect.gen(function*() {
              const db = yield* PgDatabase
              const tenant = freshTenant()
              const pid = yield* Deferred.make<number>()
              const killed = yield* Deferred.make<void>()
              const attempts = yield* Ref.make(0)
              yield* Effect.forkChild(Effect.gen(function*() {
                const victim = yield* Deferred.await(pid)
                yield* SqlState.orDie(db.sql`SELECT pg_terminate_backend(${victim})`)
                yield* Deferred.succeed(killed, undefined)
              }))
              const exit = yield* Effect.exit(
                db.inTenant(tenant)(Effect.gen(function*() {
                  yield* Ref.update(attempts, (n) => n + 1)
                  yield* Items.use((r) => r.insert(tenant, { id: randomUUID(), code: "K-1", note: "", quantity: 0 }))
                  const rows = yield* SqlState.orDie(db.sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`)
                  yield* Deferred.succeed(pid, rows[0]!.pid)
                  yield* Deferred.await(killed)
                  yield* Items.use((r) => r.insert(tenant, { id: randomUUID(), code: "K-2", note: "", quantity: 0 }))
                }))
              )
              expect(Exit.isFailure(exit)).toBe(true)
              expect(yield* Ref.get(attempts)).toBe(1)
              expect(yield* Items.use((r) => r.list(tenant))).toEqual([])
              const after = yield* createItem(manager(tenant), { code: "K-3", note: "" })
              expect((yield* Items.use((r) => r.list(tenant))).map((i) => i.id)).toEqual([after.id])
            }))

          it.effect("a real lock timeout (55P03) is retried until the lock holder commits", () =>
            Effect.gen(function*() {
              const db = yield* PgDatabase
              const tenant = freshTenant()
              const id = randomUUID()
              yield* Items.use((r) => r.insert(tenant, { id, code: "L", note: "", quantity: 0 }))
              const locked = yield* Deferred.make<void>()
              const release = yield* Deferred.make<void>()
              const attempts = yield* Ref.make(0)
              const bump = SqlState.orDie(db.sql`UPDATE testctx.items SET quantity = quantity + 1 WHERE id = ${id}
                  AND organization_id = ${tenant.organizationId}`)
              const holder = yield* Effect.forkChild(
                db.inTenant(tenant)(Effect.gen(function*() {
                  yield* bump
                  yield* Deferred.succeed(locked, undefined)
                  yield* Deferred.await(release)
                }))
              )
              yield* Deferred.await(locked)
              const retried = yield* Deferred.make<void>()
              const attempt = Effect.flatMap(
                Ref.updateAndGet(attempts, (n) => n + 1),
                (n) => (n === 3 ? Deferred.succeed(retried, undefined) : Effect.void)
              )
              const waiter = yield* Effect.forkChild(
                db.inTenant(tenant)(Effect.andThen(attempt, bump)).pipe(Effect.provideService(CurrentLockTimeout, 50))
              )
              yield* Deferred.await(retried) // two 50 ms lock timeouts have been retried: the third attempt has started
              yield* Deferred.succeed(release, undefined)
              yield* Fiber.join(holder)
              yield* Fiber.join(waiter)
              expect(yield* Ref.get(attempts)).toBeGreaterThanOrEqual(3)
              expect((yield* Items.use((r) => r.list(tenant)))[0]?.quantity).toBe(2)
            }))

          it.effect("a real deadlock (40P01) is retried and both transactions commit", () =>
            Effect.gen(function*() {
              const db = yield* PgDatabase
              const tenant = freshTenant()
              const [x, y] = [randomUUID(), randomUUID()]
              yield* Items.use((r) =>
                Effect.andThen(
                  r.insert(tenant, { id: x, code: "X", note: "", quantity: 0 }),
                  r.insert(tenant, { id: y, code: "Y", note: "", quantity: 0 })
                )
              )
              const arrived = yield* Ref.make(0)
              const bothLocked = yield* Deferred.make<void>()
              const maxAttempt = yield* Ref.make(0)
              const bump = (id: string) =>
                SqlState.orDie(db.sql`UPDATE testctx.items SET quantity = quantity + 1 WHERE id = ${id}
                    AND organization_id = ${tenant.organizationId}`)
              const locker = (first: string, second: string) =>
                db.inTenant(tenant)(Effect.gen(function*() {
                  const attempt = yield* db.attempt
                  yield* Ref.update(maxAttempt, (m) => Math.max(m, attempt))
                  yield* bump(first)
                  if (attempt === 1) {
                    if ((yield* Ref.updateAndGet(arrived, (n) => n + 1)) === 2) {
                      yield* Deferred.succeed(bothLocked, undefined)
                    }
                    yield* Deferred.await(bothLocked)
                  }
                  yield* bump(second)
                }))
              yield* Effect.all([locker(x, y), locker(y, x)], { concurrency: 2 })
              const items = yield* Items.use((r) => r.list(tenant))
              expect(items.map((i) => i.quantity)).toEqual([2, 2])
              expect(yield* Ref.get(maxAttempt)).toBe(2)
            }))
        }
      }
    )
  })
}
