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
 *
 * No timing is involved (issue 13): the backend is killed at a point where it cannot move on by itself.
 * Mid-command, the hook publishes the pid only after its own query answered, and then waits for the kill:
 * the backend reports `idle in transaction` before it sends ReadyForQuery, so the state is checked once,
 * not polled. At COMMIT, the deferred trigger waits for an advisory lock the test holds (a gate, not a
 * `pg_sleep`), so the COMMIT stays open until the kill; the test waits for the backend to be seen
 * blocked there with a bounded retry `Schedule` (no window to miss: it cannot leave the gate). The
 * kill itself waits until the backend has exited (`pg_terminate_backend(pid, timeout)`, PostgreSQL 14+).
 */
import { describe, expect, layer } from "@effect/vitest"
import { Cause, Deferred, Effect, Exit, Fiber, Option, Redacted, Schedule } from "effect"
import { PgClient } from "@effect/sql-pg"
import { SqlClient } from "effect/sql"
import { Errors } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import { PgDatabase } from "../src/Database.ts"
import * as SqlState from "../src/SqlState.ts"
import { AfterInsert, createItem, grants, Items, testModule } from "./fixtures.ts"
import type { Tenant } from "@erpkit/kernel"
import { serverTarget } from "./targets.ts"

const adminUrl = process.env["DATABASE_URL"] || process.env["ERPKIT_TEST_SERVER_URL"]

/** The advisory lock key of the COMMIT gate. */
const gateKey = 4_242_013

/** How long the server may take to end a terminated backend: a bound on a wait, never a pause. */
const exitBoundMillis = 60_000

interface Activity {
  readonly state: string | null
  readonly query: string | null
  readonly waitEventType: string | null
  readonly waitEvent: string | null
}

/** Runs `f` on a one-connection client to `url` (the server's login: a superuser). */
const onConnection = <A, E>(url: string, f: (sql: SqlClient.SqlClient) => Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    return yield* f(yield* SqlClient.SqlClient)
  }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })), Effect.orDie)

const activity = (sql: SqlClient.SqlClient, pid: number) =>
  Effect.map(
    sql<Activity>`SELECT state, query, wait_event_type AS "waitEventType", wait_event AS "waitEvent"
      FROM pg_stat_activity WHERE pid = ${pid}`,
    (rows) => rows[0]
  )

class NotThereYet extends Error {
  constructor(pid: number, seen: Activity | undefined) {
    super(`backend ${pid} not blocked at the COMMIT gate (last seen: ${JSON.stringify(seen ?? null)})`)
  }
}

/**
 * Where the backend must be when it is killed: `idle in transaction` is checked once (it is already so
 * when the hook publishes the pid); `blocked at COMMIT` is waited for, the backend being held there by
 * the gate, with a bounded retry schedule.
 */
type KillPoint = "idle in transaction" | "blocked at COMMIT"

const atCommitGate = (a: Activity | undefined) =>
  a?.state === "active" && a.query === "COMMIT" && a.waitEventType === "Lock" && a.waitEvent === "advisory"

/** Terminates backend `pid` from an admin connection at `point`; returns once the backend has exited. */
const kill = (pid: number, point: KillPoint) =>
  onConnection(adminUrl!, (sql) =>
    Effect.gen(function*() {
      if (point === "idle in transaction") {
        expect((yield* activity(sql, pid))?.state).toBe("idle in transaction")
      } else {
        const seen = yield* activity(sql, pid).pipe(
          Effect.flatMap((a) => (atCommitGate(a) ? Effect.succeed(a) : Effect.fail(new NotThereYet(pid, a)))),
          Effect.retry({ schedule: Schedule.spaced("10 millis"), times: 3_000 })
        )
        expect(atCommitGate(seen)).toBe(true)
      }
      const rows = yield* sql<{ gone: boolean }>`SELECT pg_terminate_backend(${pid}, ${exitBoundMillis}) AS gone`
      expect(rows[0]!.gone, `backend ${pid} exited`).toBe(true)
      expect(yield* activity(sql, pid)).toBeUndefined()
    }))

/**
 * Runs `command` with a hook after its insert that publishes the backend's pid (and, mid-command, waits
 * until `kill` has terminated it), while a helper fiber kills that backend at `point`.
 */
const withKill = <A, E, R>(command: Effect.Effect<A, E, R>, point: KillPoint) =>
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const pid = yield* Deferred.make<number>()
    const killed = yield* Deferred.make<void>()
    // the kill's own exit completes `killed`: a failed check ends the hook's wait too, and is reported below
    const killer = yield* Effect.forkChild(
      Effect.flatMap(Deferred.await(pid), (p) => Effect.exit(Effect.suspend(() => kill(p, point)))).pipe(
        Effect.flatMap((exit) => Effect.andThen(Deferred.done(killed, exit), exit))
      )
    )
    const hook = () =>
      Effect.gen(function*() {
        const rows = yield* SqlState.orDie(db.sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`)
        yield* Deferred.succeed(pid, rows[0]!.pid)
        if (point === "idle in transaction") yield* Effect.orDie(Deferred.await(killed))
      })
    const exit = yield* Effect.exit(command.pipe(Effect.provideService(AfterInsert, hook)))
    yield* Fiber.join(killer)
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

/** A deferred constraint trigger that, at COMMIT, waits for the gate when an item's note says so. */
const gatedCommit = Effect.gen(function*() {
  const db = yield* PgDatabase
  yield* db.sql.unsafe(`CREATE OR REPLACE FUNCTION testctx.slow_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN IF NEW.note = 'slow-commit' THEN PERFORM pg_advisory_xact_lock_shared(${gateKey}); END IF; RETURN NULL; END
      $$`).unprepared.pipe(Effect.orDie)
  yield* db.sql.unsafe(`DROP TRIGGER IF EXISTS items_slow_commit ON testctx.items`).unprepared.pipe(Effect.orDie)
  yield* db.sql.unsafe(`CREATE CONSTRAINT TRIGGER items_slow_commit AFTER INSERT ON testctx.items
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION testctx.slow_commit()`).unprepared.pipe(Effect.orDie)
})

/**
 * Runs `effect` while a connection of its own to the test's database holds the gate (advisory locks
 * are per database); the gate opens when `effect` ends, however it ends.
 */
const whileGateClosed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const name = (yield* SqlState.orDie(db.sql<{ name: string }>`SELECT current_database() AS name`))[0]!.name
    const url = new URL(adminUrl!)
    url.pathname = `/${name}`
    const held = yield* Deferred.make<void>()
    const open = yield* Deferred.make<void>()
    const holder = yield* Effect.forkChild(onConnection(url.toString(), (sql) =>
      Effect.gen(function*() {
        yield* sql`SELECT pg_advisory_lock(${gateKey})`
        yield* Deferred.succeed(held, undefined)
        yield* Deferred.await(open)
        yield* sql`SELECT pg_advisory_unlock(${gateKey})`
      })))
    yield* Deferred.await(held)
    return yield* effect.pipe(Effect.ensuring(Effect.andThen(Deferred.succeed(open, undefined), Fiber.join(holder))))
  })

/** Ids of this file's rows: fixed, since the file has a database of its own. */
let ids = 0
const nextId = (): string => `0e000000-0000-7000-8000-${(++ids).toString(16).padStart(12, "0")}`
const freshTenant = (): Tenant.Tenant => ({
  organizationId: nextId() as Tenant.Tenant["organizationId"],
  workspaceId: nextId() as Tenant.Tenant["workspaceId"]
})

const manager = (tenant = freshTenant()) => ({ ...actor(["Sales Manager"], tenant), tenant })

if (adminUrl === undefined || adminUrl === "") {
  console.log(
    "[postgres tests] storage-unavailable.test.ts: SKIPPED — killing backends needs a real server (set DATABASE_URL)"
  )
  describe.skip("StorageUnavailable (needs a server)", () => {})
} else {
  const target = serverTarget("storage-unavailable.test.ts")
  describe(target.name, () => {
    layer(target.layer({ modules: [testModule], grants }), { excludeTestServices: true, timeout: "120 seconds" })(
      "StorageUnavailable",
      (it) => {
        it.effect("a backend killed before COMMIT: StorageUnavailable not-applied; the same key applies it once", () =>
          Effect.gen(function*() {
            const who = manager()
            const input = { code: "L-1", note: "" }
            const exit = yield* withKill(createItem(who, input, { idempotencyKey: "lost-1" }), "idle in transaction")
            const error = onlyFailure(exit)
            expect(error).toBeInstanceOf(Errors.StorageUnavailable)
            expect(error).toMatchObject({ _tag: "StorageUnavailable", outcome: "not-applied", retryable: true })
            expect(yield* Items.use((r) => r.list(who.tenant))).toEqual([])
            const again = yield* createItem(who, input, { idempotencyKey: "lost-1" })
            expect((yield* Items.use((r) => r.list(who.tenant))).map((i) => i.id)).toEqual([again.id])
          }))

        it.effect("a backend killed during COMMIT: StorageUnavailable unknown; the same key ends with one effect", () =>
          Effect.gen(function*() {
            yield* gatedCommit
            const who = manager()
            const input = { code: "L-2", note: "slow-commit" }
            const exit = yield* whileGateClosed(
              withKill(createItem(who, input, { idempotencyKey: "lost-2" }), "blocked at COMMIT")
            )
            const error = onlyFailure(exit)
            expect(error).toMatchObject({ _tag: "StorageUnavailable", outcome: "unknown", retryable: true })
            const again = yield* createItem(who, input, { idempotencyKey: "lost-2" })
            expect((yield* Items.use((r) => r.list(who.tenant))).map((i) => i.id)).toEqual([again.id])
          }))

        it.effect("a domain refusal whose ROLLBACK is lost reports the refusal alone, and nothing is written", () =>
          Effect.gen(function*() {
            const who = manager()
            const exit = yield* withKill(
              createItem(who, { code: "L-3", note: "", failAfterWrites: true }),
              "idle in transaction"
            )
            const error = onlyFailure(exit)
            expect(error).toMatchObject({ _tag: "Conflict", entity: "Item" })
            expect(yield* Items.use((r) => r.list(who.tenant))).toEqual([])
          }))

        it.effect("a unit of work outside a command (PgDatabase.unitOfWork) reports the same typed failure", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const tenant = freshTenant()
            const work = db.unitOfWork(Effect.gen(function*() {
              yield* Items.use((r) => r.insert(tenant, { id: nextId(), code: "L-4", note: "", quantity: 0 }))
              const hook = yield* AfterInsert
              yield* hook(tenant)
              yield* Items.use((r) => r.insert(tenant, { id: nextId(), code: "L-5", note: "", quantity: 0 }))
            }))
            const error = onlyFailure(yield* withKill(work, "idle in transaction"))
            expect(error).toMatchObject({ _tag: "StorageUnavailable", outcome: "not-applied" })
            expect(yield* Items.use((r) => r.list(tenant))).toEqual([])
          }))
      }
    )
  })
}
