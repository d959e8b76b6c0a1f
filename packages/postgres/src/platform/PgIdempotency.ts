/**
 * The kernel `Idempotency` port on `platform.idempotency_keys`, keyed by (organization, workspace, key).
 *
 * Concurrent duplicates produce one effect, under any isolation level.
 *
 * - First attempt of a command's unit of work (the common case: a new key): `findForCommand` reads nothing and
 *   answers "no record"; `save` is a plain INSERT that travels with the unit of work's last deferred
 *   writes, before COMMIT. If the key is taken after all (a replay, or a concurrent duplicate that
 *   committed first: the INSERT waits for it on the primary key), the INSERT fails with 23505 on
 *   `idempotency_keys_pkey`, which `SqlState` classifies as retryable: the whole attempt (handler
 *   included) rolls back and the next attempt reads. Should the handler fail instead (a replayed
 *   payment meets the invoice it settled, say), `confirmAbsent` claims the key then and there: taken,
 *   it dies with `RetryUnitOfWork`, which passes any enclosing code's error handling to the unit of
 *   work, and the next attempt reads and replays. A new key thus costs no round trip and one row write.
 * - Later attempts, and `find` always: it reads and, when there is no record, inserts (in the same statement) a
 *   `claimed` placeholder; `save` completes it. A concurrent duplicate's placeholder insert waits on the
 *   primary key while the first command runs (READ COMMITTED) or meets its committed row (REPEATABLE
 *   READ / SERIALIZABLE) and gets 23505, retried as above. If the first command fails, its rollback
 *   removes the claim and the waiting duplicate proceeds as the first.
 */
import { Effect, Layer, Option } from "effect"
import { Idempotency, type Tenant } from "@erpkit/kernel"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"

interface KeyRow {
  readonly state: "claimed" | "completed"
  readonly command: string | null
  readonly requestHash: string | null
  readonly result: unknown
}

type Db = PgDatabase["Service"]

/** The first attempt of a unit of work bound to `tenant`: reads are skipped (see above). */
const optimistic = (db: Db, tenant: Tenant.Tenant): Effect.Effect<boolean> =>
  Effect.flatMap(db.attempt, (attempt) => (attempt === 1 ? db.defers(tenant) : Effect.succeed(false)))

/**
 * Find and, when there is no record, claim: ONE statement (the claim's INSERT runs only when the
 * statement's snapshot holds no row; a concurrent claim still meets the primary key → 23505).
 */
const findAndClaim = (db: Db) => (tenant: Tenant.Tenant, key: Idempotency.IdempotencyKey) =>
  db.inTenant(tenant)(Effect.map(
    SqlState.orDie(db.sql<KeyRow>`
      WITH found AS (
        SELECT state, command, request_hash, result FROM platform.idempotency_keys
        WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND key = ${key}
      ), claimed AS (
        INSERT INTO platform.idempotency_keys (organization_id, workspace_id, key)
        SELECT ${tenant.organizationId}::uuid, ${tenant.workspaceId}::uuid, ${key}::text WHERE NOT EXISTS (SELECT 1
          FROM found)
        RETURNING key
      )
      SELECT state, command, request_hash AS "requestHash", result FROM found`),
    (rows): Option.Option<Idempotency.IdempotencyRecord> => {
      const row = rows[0]
      if (row === undefined || row.state === "claimed") return Option.none()
      return Option.some({
        command: row.command!,
        requestHash: row.requestHash!,
        result: row.result as Idempotency.IdempotencyRecord["result"]
      })
    }
  ))

const findForCommand = (db: Db) => (tenant: Tenant.Tenant, key: Idempotency.IdempotencyKey) =>
  Effect.andThen(
    Storable.checkOrDie(key, ["idempotencyKey"]),
    Effect.flatMap(
      optimistic(db, tenant),
      (first) => first ? Effect.succeed(Option.none<Idempotency.IdempotencyRecord>()) : findAndClaim(db)(tenant, key)
    )
  )

/**
 * After a failed handler on an optimistic first attempt: claim the key now. Taken (23505), or not
 * checkable because the failure aborted the transaction (25P02): retry, and the retry reads.
 * Free: the claim goes with the failing unit of work's rollback.
 */
const confirmAbsent = (db: Db) => (tenant: Tenant.Tenant, key: Idempotency.IdempotencyKey): Effect.Effect<void> =>
  Effect.flatMap(optimistic(db, tenant), (first) =>
    !first ? Effect.void : Effect.catch(
      // not `inTenant`: that would first flush the failed command's deferred writes
      Effect.asVoid(db.sql`INSERT INTO platform.idempotency_keys (organization_id, workspace_id, key)
        VALUES (${tenant.organizationId}, ${tenant.workspaceId}, ${key})`),
      () =>
        Effect.die(
          new SqlState.RetryUnitOfWork({ reason: `idempotency key ${key} may be taken: the next attempt reads it` })
        )
    ))

/** The completed record, deferred (`PgDatabase.write`): it travels with COMMIT's preceding flush. */
const save =
  (db: Db) => (tenant: Tenant.Tenant, key: Idempotency.IdempotencyKey, record: Idempotency.IdempotencyRecord) =>
    Effect.gen(function*() {
      const sql = db.sql
      yield* Storable.checkOrDie([key, record.command, record.requestHash], ["idempotency"])
      const result = yield* Storable.jsonTextOrDie(record.result, ["idempotency", "result"])
      const insert = sql`INSERT INTO platform.idempotency_keys
          (organization_id, workspace_id, key, state, command, request_hash, result, completed_at)
        VALUES (${tenant.organizationId}, ${tenant.workspaceId}, ${key}, 'completed', ${record.command},
          ${record.requestHash}, ${result}::jsonb, now())`
      // first attempt: a plain INSERT (a taken key fails it with 23505, retried); later: complete the claim
      if (yield* optimistic(db, tenant)) {
        return yield* db.write(tenant, { tables: ["platform.idempotency_keys"], statement: insert })
      }
      yield* db.write(tenant, {
        tables: ["platform.idempotency_keys"],
        statement: sql`${insert}
      ON CONFLICT ON CONSTRAINT idempotency_keys_pkey DO UPDATE
      SET state = 'completed', command = excluded.command, request_hash = excluded.request_hash,
          result = excluded.result, completed_at = excluded.completed_at
      WHERE platform.idempotency_keys.state = 'claimed'
      RETURNING key`,
        expect: {
          rows: 1,
          error: () =>
            new Error(`idempotency key ${key} is already completed (save without find in the same unit of work?)`)
        }
      })
    })

export const layer = Layer.effect(
  Idempotency.Idempotency,
  Effect.map(PgDatabase, (db) => ({
    find: findAndClaim(db),
    findForCommand: findForCommand(db),
    confirmAbsent: confirmAbsent(db),
    save: save(db)
  }))
)
