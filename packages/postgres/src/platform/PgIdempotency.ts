/**
 * The kernel `Idempotency` port on `platform.idempotency_keys`, keyed by (organization, workspace, key).
 *
 * Concurrent duplicates produce one effect: `find` first takes a transaction-scoped advisory lock on
 * the key, so a second command with the same key waits until the first commits and then (under READ
 * COMMITTED, each statement reading fresh) finds its record. Under REPEATABLE READ / SERIALIZABLE the
 * snapshot predates that commit; then the second `save` hits the primary key (23505 on
 * `idempotency_keys_pkey`), which `SqlState` classifies as retryable: the whole transaction, handler
 * included, rolls back and the retry finds the record.
 */
import { Effect, Layer, Option } from "effect"
import { Idempotency, type Tenant } from "@erpkit/kernel"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"

interface KeyRow {
  readonly command: string
  readonly requestHash: string
  readonly result: unknown
}

export const layer = Layer.effect(
  Idempotency.Idempotency,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql

    const find = (tenant: Tenant.Tenant, key: Idempotency.IdempotencyKey) =>
      db.inTenant(tenant)(Effect.gen(function*() {
        yield* Storable.checkOrDie(key, ["idempotencyKey"])
        yield* SqlState.orDie(sql`SELECT pg_advisory_xact_lock(hashtextextended(${`${tenant.organizationId}/${tenant.workspaceId}/${key}`}, 42))`)
        const rows = yield* SqlState.orDie(sql<KeyRow>`
          SELECT command, request_hash AS "requestHash", result FROM platform.idempotency_keys
          WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND key = ${key}`)
        const row = rows[0]
        return row === undefined
          ? Option.none<Idempotency.IdempotencyRecord>()
          : Option.some<Idempotency.IdempotencyRecord>({ command: row.command, requestHash: row.requestHash, result: row.result as Idempotency.IdempotencyRecord["result"] })
      }))

    const save = (tenant: Tenant.Tenant, key: Idempotency.IdempotencyKey, record: Idempotency.IdempotencyRecord) =>
      db.inTenant(tenant)(Effect.gen(function*() {
        yield* Storable.checkOrDie({ key, record }, ["idempotency"])
        yield* SqlState.orDie(sql`
          INSERT INTO platform.idempotency_keys (organization_id, workspace_id, key, command, request_hash, result)
          VALUES (${tenant.organizationId}, ${tenant.workspaceId}, ${key}, ${record.command}, ${record.requestHash}, ${JSON.stringify(record.result)}::jsonb)`)
      }))

    return { find, save }
  })
)
