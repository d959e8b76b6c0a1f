/**
 * Issue 10 on Postgres (TEN-01, AUTH-02): organization B cannot take over organization A's admin. The
 * shared scenario of `@erpkit/identity/testing` runs through the Postgres adapter; A's rows are
 * hashed straight from the tables by the login (a superuser, so RLS filters nothing): every user, code
 * and account of A's people, and every membership, employee and session in A.
 */
import { describe, layer } from "@effect/vitest"
import { Effect } from "effect"
import { expectTakeoverRefused } from "@erpkit/identity/testing"
import { SqlClient } from "effect/sql"
import type { Fragment } from "effect/sql/Statement"
import { shared, stackLayer } from "./identity/harness.ts"
import { targets } from "./targets.ts"

/** md5 of A's rows, table by table: equal hashes mean nothing A owns was written. */
const rowsOf = (organizationId: string) =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const people = sql`SELECT id FROM auth.users WHERE organization_id = ${organizationId}`
    const hash = (
      table: string,
      where: Fragment
    ) => sql<{ hash: string | null }>`SELECT md5(string_agg(to_jsonb(t)::text, ',' ORDER BY to_jsonb(t)::text)) AS hash
        FROM ${sql.literal(table)} t WHERE ${where}`
    const parts = yield* Effect.all([
      hash("auth.users", sql`organization_id = ${organizationId}`),
      hash("auth.accounts", sql`user_id IN (${people})`),
      hash("auth.email_verifications", sql`user_id IN (${people})`),
      hash("auth.sessions", sql`organization_id = ${organizationId}`),
      hash("identity.memberships", sql`organization_id = ${organizationId}`),
      hash("identity.employees", sql`organization_id = ${organizationId}`)
    ])
    return parts.map((rows) => rows[0]?.hash ?? "none").join("/")
  }).pipe(Effect.orDie)

for (const target of targets("identity-takeover.test.ts")) {
  describe(target.name, () => {
    layer(shared(stackLayer(target)), { excludeTestServices: true, timeout: "120 seconds" })(
      "issue 10 on Postgres",
      (it) => {
        it.effect("TEN-01 AUTH-02 B cannot hire, rename, re-mail, re-role, ban, suspend, link, reset A's admin", () =>
          expectTakeoverRefused((a) => rowsOf(a.tenant.organizationId)))
      }
    )
  })
}
