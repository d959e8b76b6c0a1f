/**
 * Helpers for the identity command tests on Postgres: the command-level fixtures come from
 * `@erpkit/identity/testing` (shared with the memory tests); the snapshot reads this adapter's tables.
 */
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { snapshotTables } from "./harness.ts"

export {
  actorOf,
  freshBin,
  freshEmail,
  join,
  openTenant,
  outcome,
  register,
  registerVerified,
  userWithRole
} from "@erpkit/identity/testing"

/**
 * Every row of every identity, auth and platform table, read by the login outside any unit of work
 * (a superuser on both targets, so RLS does not filter): equal snapshots mean nothing was written.
 */
export const snapshot = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const parts = yield* Effect.forEach(
    snapshotTables,
    (table) =>
      Effect.map(
        Effect.orDie(
          sql<
            { rows: string }
          >`SELECT coalesce(string_agg(to_jsonb(t)::text, ',' ORDER BY to_jsonb(t)::text), '') AS rows FROM ${
            sql.literal(table)
          } t`
        ),
        (r) => `${table}:${r[0]!.rows}`
      )
  )
  return parts.join("\n")
})
