/**
 * `PgDatabase.write`: writes deferred in a unit of work travel as one statement before the next
 * statement or COMMIT; they are visible to the next read of the unit of work, roll back with it, and a
 * write whose expected row count misses kills the unit of work.
 */
import { describe, expect, layer } from "@effect/vitest"
import { randomUUID } from "node:crypto"
import { Cause, Effect, Exit } from "effect"
import { CurrentTenant, PgDatabase } from "../src/Database.ts"
import * as SqlState from "../src/SqlState.ts"
import { grants, testModule } from "./fixtures.ts"
import { freshTenant, targets } from "./targets.ts"

const table = Effect.gen(function*() {
  const db = yield* PgDatabase
  const name = `testctx.d_${randomUUID().replaceAll("-", "")}`
  yield* db.sql.unsafe(`CREATE TABLE ${name} (id integer PRIMARY KEY, v integer NOT NULL CHECK (v >= 0))`).unprepared
    .pipe(Effect.orDie)
  yield* db.sql.unsafe(`GRANT SELECT, INSERT, UPDATE ON ${name} TO erpkit_app`).unprepared.pipe(Effect.orDie)
  return name
})

const rows = (name: string) =>
  Effect.flatMap(
    PgDatabase,
    (db) => SqlState.orDie(db.sql.unsafe<{ id: number; v: number }>(`SELECT id, v FROM ${name} ORDER BY id`))
  )

for (const target of targets("deferred-writes.test.ts")) {
  describe(target.name, () => {
    layer(target.layer({ modules: [testModule], grants }), { excludeTestServices: true, timeout: "120 seconds" })(
      "deferred writes",
      (it) => {
        it.effect("queued writes are seen by the next statement of the unit of work and commit with it", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const name = yield* table
            const tenant = freshTenant()
            const seen = yield* db.transaction(Effect.gen(function*() {
              yield* db.write(tenant, {
                tables: [name],
                statement: db.sql.unsafe(`INSERT INTO ${name} VALUES (1, 1), (2, 2)`)
              })
              // same table: the insert is flushed first, then this update is queued
              yield* db.write(tenant, {
                tables: [name],
                statement: db.sql.unsafe(`UPDATE ${name} SET v = v + 10 WHERE id = 1 RETURNING id`),
                expect: { rows: 1, error: () => new Error("missed") }
              })
              return yield* db.inTenant(tenant)(rows(name))
            })).pipe(Effect.provideService(CurrentTenant, tenant))
            expect(seen).toEqual([{ id: 1, v: 11 }, { id: 2, v: 2 }])
            expect(yield* rows(name)).toEqual([{ id: 1, v: 11 }, { id: 2, v: 2 }])
          }))

        it.effect("queued writes go before COMMIT, several tables in one statement", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const [a, b] = [yield* table, yield* table]
            const tenant = freshTenant()
            yield* db.transaction(Effect.gen(function*() {
              yield* db.write(tenant, { tables: [a], statement: db.sql.unsafe(`INSERT INTO ${a} VALUES (1, 5)`) })
              yield* db.write(tenant, {
                tables: [b],
                statement: db.sql.unsafe(`INSERT INTO ${b} VALUES (7, 7) RETURNING id`),
                expect: { rows: 1, error: () => new Error("missed") }
              })
            })).pipe(Effect.provideService(CurrentTenant, tenant))
            expect(yield* rows(a)).toEqual([{ id: 1, v: 5 }])
            expect(yield* rows(b)).toEqual([{ id: 7, v: 7 }])
          }))

        it.effect("a failed unit of work drops its queued writes; a write error at the flush fails the unit", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const name = yield* table
            const tenant = freshTenant()
            const failed = yield* Effect.exit(
              db.transaction(
                Effect.andThen(
                  db.write(tenant, { tables: [name], statement: db.sql.unsafe(`INSERT INTO ${name} VALUES (1, 1)`) }),
                  Effect.fail("nope")
                )
              ).pipe(Effect.provideService(CurrentTenant, tenant))
            )
            expect(Exit.isFailure(failed)).toBe(true)
            const violated = yield* Effect.exit(
              db.transaction(Effect.gen(function*() {
                yield* db.write(tenant, {
                  tables: [name],
                  statement: db.sql.unsafe(`INSERT INTO ${name} VALUES (2, 2)`)
                })
                yield* db.write(tenant, {
                  tables: [`${name}_other`],
                  statement: db.sql.unsafe(`INSERT INTO ${name} VALUES (3, -1)`)
                })
              })).pipe(Effect.provideService(CurrentTenant, tenant))
            )
            expect(Exit.isFailure(violated) && Cause.hasDies(violated.cause)).toBe(true)
            expect(yield* rows(name)).toEqual([])
          }))

        it.effect("a write whose row count misses kills the unit of work and commits nothing", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const name = yield* table
            const tenant = freshTenant()
            const exit = yield* Effect.exit(
              db.transaction(Effect.gen(function*() {
                yield* db.write(tenant, {
                  tables: [`${name}_x`],
                  statement: db.sql.unsafe(`INSERT INTO ${name} VALUES (1, 1)`)
                })
                yield* db.write(tenant, {
                  tables: [name],
                  statement: db.sql.unsafe(`UPDATE ${name} SET v = 0 WHERE id = 999 RETURNING id`),
                  expect: { rows: 1, error: () => new Error("row 999 missed") }
                })
              })).pipe(Effect.provideService(CurrentTenant, tenant))
            )
            expect(Exit.isFailure(exit) && Cause.hasDies(exit.cause)).toBe(true)
            expect(String(Cause.squash((exit as Exit.Failure<unknown, unknown>).cause))).toContain("row 999 missed")
            expect(yield* rows(name)).toEqual([])
          }))

        it.effect("outside a unit of work a write runs at once", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const name = yield* table
            yield* db.write(freshTenant(), {
              tables: [name],
              statement: db.sql.unsafe(`INSERT INTO ${name} VALUES (4, 4)`)
            })
            expect(yield* rows(name)).toEqual([{ id: 4, v: 4 }])
          }))
      }
    )
  })
}
