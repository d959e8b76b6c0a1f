/**
 * `SessionRepository` on `auth.sessions` (global). AUTH-10: `sessions_token_hash_key` gives
 * `Conflict`. AUTH-13: the only update writes `ip_address` and `user_agent` (the app role has no
 * other UPDATE grant, and a trigger refuses core changes for every role). AUTH-15: `deleteExpired` is
 * one statement, oldest first, bounded, skipping rows another transaction holds.
 */
import { Effect, Layer, Option } from "effect"
import { Errors, type Ids, type Tenant } from "@erpkit/kernel"
import { Session, SessionRepository } from "@erpkit/identity"
import type { SqlClient } from "effect/sql"
import type { SqlError } from "effect/sql/SqlError"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"
import { checkStorable, global, lookup, mapWrite, read } from "./shared.ts"

interface SessionRow {
  readonly id: string
  readonly tokenHash: string
  readonly userId: string
  readonly organizationId: string
  readonly workspaceId: string
  readonly createdAt: Date
  readonly expiresAt: Date
  readonly ipAddress: string | null
  readonly userAgent: string | null
}

const columns = `id, token_hash AS "tokenHash", user_id AS "userId", organization_id AS "organizationId",
  workspace_id AS "workspaceId", created_at AS "createdAt", expires_at AS "expiresAt",
  ip_address AS "ipAddress", user_agent AS "userAgent"`

const toSession = (row: SessionRow): Session.Session =>
  new Session.Session({
    id: row.id as Session.SessionId,
    tokenHash: row.tokenHash,
    userId: row.userId as Ids.UserId,
    tenant: { organizationId: row.organizationId, workspaceId: row.workspaceId } as Tenant.Tenant,
    createdAt: fromTimestamptz(row.createdAt),
    expiresAt: fromTimestamptz(row.expiresAt),
    ipAddress: row.ipAddress,
    userAgent: row.userAgent
  })

const byExpiry = (a: Session.Session, b: Session.Session) =>
  a.expiresAt - b.expiresAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/** AUTH-10: both the token and the id are unique; either violation is the same `Conflict`. */
const insertRow = (sql: SqlClient.SqlClient, s: Session.Session) =>
  mapWrite("Session", {
    sessions_token_hash_key: "token or id already exists",
    sessions_pkey: "token or id already exists"
  })(sql`
    INSERT INTO auth.sessions (id, token_hash, user_id, organization_id, workspace_id, created_at, expires_at,
      ip_address, user_agent)
    VALUES (${s.id}, ${s.tokenHash}, ${s.userId}, ${s.tenant.organizationId}, ${s.tenant.workspaceId},
      ${toTimestamptz(s.createdAt)}, ${toTimestamptz(s.expiresAt)}, ${s.ipAddress}, ${s.userAgent})`)

/**
 * AUTH-15: one set-based statement, the oldest `limit` expired sessions (expires_at index), skipping rows
 * another transaction holds, returned as deleted.
 */
const deleteExpiredRows = (sql: SqlClient.SqlClient, now: number, limit: number) => sql<SessionRow>`
    DELETE FROM auth.sessions WHERE id IN (
      SELECT id FROM auth.sessions WHERE expires_at <= ${toTimestamptz(now)}
      ORDER BY expires_at, id LIMIT ${Math.max(0, Math.floor(limit))} FOR UPDATE SKIP LOCKED)
    RETURNING ${sql.literal(columns)}`

export const layer = Layer.effect(
  SessionRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const inTx = global(db)
    const rows = (statement: Effect.Effect<ReadonlyArray<SessionRow>, SqlError>) =>
      Effect.map(read(statement), (found) => found.map(toSession))
    const first = (statement: Effect.Effect<ReadonlyArray<SessionRow>, SqlError>) =>
      Effect.map(rows(statement), (found) => Option.fromNullishOr(found[0]))

    return {
      insert: (s) => inTx(Effect.andThen(checkStorable(s, ["session"]), insertRow(sql, s))),
      findById: (id) =>
        inTx(first(sql<SessionRow>`SELECT ${sql.literal(columns)} FROM auth.sessions WHERE id = ${id}`)),
      findByTokenHash: (hash) =>
        lookup(
          hash,
          Option.none(),
          inTx(first(sql<SessionRow>`SELECT ${sql.literal(columns)} FROM auth.sessions WHERE token_hash = ${hash}`))
        ),
      listByUser: (userId) =>
        inTx(
          rows(
            sql<SessionRow>`SELECT ${
              sql.literal(columns)
            } FROM auth.sessions WHERE user_id = ${userId} ORDER BY created_at, id`
          )
        ),
      updateMetadata: (id, metadata) =>
        inTx(Effect.gen(function*() {
          yield* checkStorable(metadata, ["metadata"])
          const updated = yield* read(sql`
            UPDATE auth.sessions SET ip_address = ${metadata.ipAddress}, user_agent = ${metadata.userAgent}
              WHERE id = ${id} RETURNING id`)
          if (updated.length === 0) return yield* new Errors.NotFound({ entity: "Session", id })
        })),
      remove: (id) =>
        inTx(first(sql<SessionRow>`DELETE FROM auth.sessions WHERE id = ${id} RETURNING ${sql.literal(columns)}`)),
      removeByUser: (userId) =>
        inTx(
          rows(sql<SessionRow>`DELETE FROM auth.sessions WHERE user_id = ${userId} RETURNING ${sql.literal(columns)}`)
        ),
      // The statement returns rows in no particular order; callers get them oldest first.
      deleteExpired: (now, limit) =>
        inTx(Effect.map(rows(deleteExpiredRows(sql, now, limit)), (deleted) => [...deleted].sort(byExpiry)))
    }
  })
)
