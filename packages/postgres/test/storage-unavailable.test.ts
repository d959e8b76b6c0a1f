/**
 * A lost connection is the kernel's typed `StorageUnavailable`, alone in the command's error channel,
 * with the outcome a host can act on (real server only: a backend is terminated with
 * `pg_terminate_backend` from a separate admin connection at a chosen point of the command):
 *
 * - killed mid-command, before COMMIT was sent → `not-applied`; nothing is written, and sending the
 *   command again with the same idempotency key applies it once;
 * - killed while COMMIT runs (a deferred trigger holds the COMMIT open) → `unknown`; sending it again
 *   with the same key ends with exactly one effect;
 * - killed after the handler refused, so that ROLLBACK is lost → the refusal alone (no COMMIT was sent).
 */
import { describe, expect, layer } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Option, Redacted } from "effect"
import { PgClient } from "@effect/sql-pg"
import { SqlClient } from "effect/sql"
import { Errors } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import { PgDatabase } from "../src/Database.ts"
import * as SqlState from "../src/SqlState.ts"
import { AfterInsert, createItem, grants, Items, testModule } from "./fixtures.ts"
import { freshTenant, serverTarget } from "./targets.ts"

const adminUrl = process.env["DATABASE_URL"] || process.env["ERPKIT_TEST_SERVER_URL"]

interface Activity {
  readonly state: string | null
  readonly query: string | null
}

/** Terminates backend `pid` from an admin connection once its `pg_stat_activity` row satisfies `when`, and waits until it is gone. */
const killWhen = (pid: number, when: (row: Activity) => boolean) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const activity = (p: number) => sql<Activity>`SELECT state, query FROM pg_stat_activity WHERE pid = ${p}`
    for (let row = (yield* activity(pid))[0]; row === undefined || !when(row); row = (yield* activity(pid))[0]) {
      yield* Effect.sleep("5 millis")
    }
    yield* sql`SELECT pg_terminate_backend(${pid})`
    while ((yield* activity(pid)).length > 0) yield* Effect.sleep("5 millis")
  }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(adminUrl!), maxConnections: 1 })), Effect.orDie)

/**
 * Runs `command` with a hook after its insert that publishes the backend's pid (and, when `wait`, waits
 * until `killWhen` has terminated it), while a helper fiber kills that backend when `when` holds.
 */
const withKill = <A, E, R>(command: Effect.Effect<A, E, R>, when: (row: Activity) => boolean, wait: boolean) =>
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const pid = yield* Deferred.make<number>()
    const killed = yield* Deferred.make<void>()
    yield* Effect.forkChild(Effect.flatMap(Deferred.await(pid), (p) => Effect.andThen(killWhen(p, when), Deferred.succeed(killed, undefined))))
    const hook = () =>
      Effect.gen(function*() {
        const rows = yield* SqlState.orDie(db.sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`)
        yield* Deferred.succeed(pid, rows[0]!.pid)
        if (wait) yield* Deferred.await(killed)
      })
    const exit = yield* Effect.exit(command.pipe(Effect.provideService(AfterInsert, hook)))
    yield* Deferred.await(killed)
    return exit
  })

/** The one typed failure of `exit` (a cause with more than one reason fails the test). */
const onlyFailure = <A, E>(exit: Exit.Exit<A, E>): E => {
  expect(Exit.isFailure(exit)).toBe(true)
  if (Exit.isSuccess(exit)) throw new Error("expected a failure")
  expect(exit.cause.reasons.length, Cause.pretty(exit.cause)).toBe(1)
  const error = Cause.findErrorOption(exit.cause)
  expect(Option.isSome(error), Cause.pretty(exit.cause)).toBe(true)
  return (error as Option.Some<E>).value
}

/** A deferred constraint trigger that holds COMMIT open for a while when an item's note says so. */
const slowCommit = Effect.gen(function*() {
  const db = yield* PgDatabase
  yield* db.sql.unsafe(`CREATE OR REPLACE FUNCTION testctx.slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.note = 'slow-commit' THEN PERFORM pg_sleep(1); END IF; RETURN NULL; END $$`).unprepared.pipe(Effect.orDie)
  yield* db.sql.unsafe(`DROP TRIGGER IF EXISTS items_slow_commit ON testctx.items`).unprepared.pipe(Effect.orDie)
  yield* db.sql.unsafe(`CREATE CONSTRAINT TRIGGER items_slow_commit AFTER INSERT ON testctx.items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION testctx.slow_commit()`).unprepared.pipe(Effect.orDie)
})

const manager = (tenant = freshTenant()) => ({ ...actor(["Sales Manager"], tenant), tenant })

if (adminUrl === undefined || adminUrl === "") {
  console.log("[postgres tests] storage-unavailable.test.ts: SKIPPED — killing backends needs a real server (set DATABASE_URL)")
  describe.skip("StorageUnavailable (needs a server)", () => {})
} else {
  const target = serverTarget("storage-unavailable.test.ts")
  describe(target.name, () => {
    layer(target.layer({ modules: [testModule], grants }), { excludeTestServices: true, timeout: "120 seconds" })("StorageUnavailable", (it) => {
      it.effect("a backend killed before COMMIT: StorageUnavailable not-applied, nothing written; the same key applies it once", () =>
        Effect.gen(function*() {
          const who = manager()
          const input = { code: "L-1", note: "" }
          const exit = yield* withKill(createItem(who, input, { idempotencyKey: "lost-1" }), (a) => a.state === "idle in transaction", true)
          const error = onlyFailure(exit)
          expect(error).toBeInstanceOf(Errors.StorageUnavailable)
          expect(error).toMatchObject({ _tag: "StorageUnavailable", outcome: "not-applied", retryable: true })
          expect(yield* Items.use((r) => r.list(who.tenant))).toEqual([])
          const again = yield* createItem(who, input, { idempotencyKey: "lost-1" })
          expect((yield* Items.use((r) => r.list(who.tenant))).map((i) => i.id)).toEqual([again.id])
        }))

      it.effect("a backend killed while COMMIT runs: StorageUnavailable unknown; the same key ends with exactly one effect", () =>
        Effect.gen(function*() {
          yield* slowCommit
          const who = manager()
          const input = { code: "L-2", note: "slow-commit" }
          const exit = yield* withKill(createItem(who, input, { idempotencyKey: "lost-2" }), (a) => a.state === "active" && a.query === "COMMIT", false)
          const error = onlyFailure(exit)
          expect(error).toMatchObject({ _tag: "StorageUnavailable", outcome: "unknown", retryable: true })
          const again = yield* createItem(who, input, { idempotencyKey: "lost-2" })
          expect((yield* Items.use((r) => r.list(who.tenant))).map((i) => i.id)).toEqual([again.id])
        }))

      it.effect("a domain refusal whose ROLLBACK is lost reports the refusal alone, and nothing is written", () =>
        Effect.gen(function*() {
          const who = manager()
          const exit = yield* withKill(createItem(who, { code: "L-3", note: "", failAfterWrites: true }), (a) => a.state === "idle in transaction", true)
          const error = onlyFailure(exit)
          expect(error).toMatchObject({ _tag: "Conflict", entity: "Item" })
          expect(yield* Items.use((r) => r.list(who.tenant))).toEqual([])
        }))

      it.effect("a unit of work outside a command (PgDatabase.unitOfWork) reports the same typed failure", () =>
        Effect.gen(function*() {
          const db = yield* PgDatabase
          const tenant = freshTenant()
          const work = db.unitOfWork(Effect.gen(function*() {
            yield* Items.use((r) => r.insert(tenant, { id: crypto.randomUUID(), code: "L-4", note: "", quantity: 0 }))
            const hook = yield* AfterInsert
            yield* hook(tenant)
            yield* Items.use((r) => r.insert(tenant, { id: crypto.randomUUID(), code: "L-5", note: "", quantity: 0 }))
          }))
          const error = onlyFailure(yield* withKill(work, (a) => a.state === "idle in transaction", true))
          expect(error).toMatchObject({ _tag: "StorageUnavailable", outcome: "not-applied" })
          expect(yield* Items.use((r) => r.list(tenant))).toEqual([])
        }))
    })
  })
}
