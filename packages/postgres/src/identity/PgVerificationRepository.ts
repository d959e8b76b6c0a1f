/**
 * `VerificationRepository` on `auth.email_verifications` (global). AUTH-20 single use: `markUsed` is
 * one conditional update (`WHERE used_at IS NULL`), so of two concurrent uses exactly one wins.
 * `deleteExpired` is one bounded statement.
 */
import { Effect, Layer, Option } from "effect"
import type { Ids } from "@erpkit/kernel"
import { Verification, VerificationRepository } from "@erpkit/identity"
import type { SqlError } from "effect/sql/SqlError"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import { checkStorable, global, lookup, mapWrite, read } from "./shared.ts"

interface VerificationRow {
  readonly id: string
  readonly emailKey: string
  readonly codeHash: string
  readonly userId: string | null
  readonly type: Verification.VerificationType
  readonly usedAt: Date | null
  readonly expiresAt: Date
  readonly createdAt: Date
}

const columns = `id, email_key AS "emailKey", code_hash AS "codeHash", user_id AS "userId", type,
  used_at AS "usedAt", expires_at AS "expiresAt", created_at AS "createdAt"`

const toVerification = (row: VerificationRow): Verification.Verification =>
  new Verification.Verification({
    id: row.id as Verification.VerificationId,
    emailKey: row.emailKey,
    codeHash: row.codeHash,
    userId: row.userId as Ids.UserId | null,
    type: row.type,
    usedAt: fromTimestamptzOrNull(row.usedAt),
    expiresAt: fromTimestamptz(row.expiresAt),
    createdAt: fromTimestamptz(row.createdAt)
  })

export const layer = Layer.effect(
  VerificationRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const inTx = global(db)
    const rows = (statement: Effect.Effect<ReadonlyArray<VerificationRow>, SqlError>) =>
      Effect.map(read(statement), (f) => f.map(toVerification))

    return {
      insert: (v) =>
        inTx(
          Effect.andThen(
            checkStorable(v, ["verification"]),
            mapWrite("Verification", { email_verifications_pkey: "id exists" })(sql`
            INSERT INTO auth.email_verifications (id, email_key, code_hash, user_id, type, used_at, expires_at,
              created_at)
            VALUES (${v.id}, ${v.emailKey}, ${v.codeHash}, ${v.userId}, ${v.type}, ${
              toTimestamptzOrNull(v.usedAt)
            }::timestamptz,
              ${toTimestamptz(v.expiresAt)}, ${toTimestamptz(v.createdAt)})`)
          )
        ),
      findById: (id) =>
        inTx(
          Effect.map(
            rows(sql<VerificationRow>`SELECT ${sql.literal(columns)} FROM auth.email_verifications WHERE id = ${id}`),
            (f) => Option.fromNullishOr(f[0])
          )
        ),
      listFor: (emailKey, type) =>
        lookup(
          emailKey,
          [],
          inTx(rows(sql<VerificationRow>`
            SELECT ${sql.literal(columns)} FROM auth.email_verifications
            WHERE email_key = ${emailKey} AND type = ${type} ORDER BY created_at DESC, id DESC`))
        ),
      markUsed: (id, usedAt) =>
        inTx(
          Effect.map(
            read(
              sql`UPDATE auth.email_verifications SET used_at = ${
                toTimestamptz(usedAt)
              } WHERE id = ${id} AND used_at IS NULL RETURNING id`
            ),
            (updated) => updated.length > 0
          )
        ),
      removeByUser: (userId) =>
        inTx(
          rows(
            sql<VerificationRow>`DELETE FROM auth.email_verifications WHERE user_id = ${userId} RETURNING ${
              sql.literal(columns)
            }`
          )
        ),
      deleteExpired: (now, limit) =>
        inTx(Effect.map(
          read(sql`
            DELETE FROM auth.email_verifications WHERE id IN (
              SELECT id FROM auth.email_verifications WHERE expires_at <= ${toTimestamptz(now)}
              ORDER BY expires_at, id LIMIT ${Math.max(0, Math.floor(limit))} FOR UPDATE SKIP LOCKED)
            RETURNING id`),
          (deleted) => deleted.length
        ))
    }
  })
)
