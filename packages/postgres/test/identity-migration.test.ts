/**
 * Issue 10's data migration (identity/4_memberships): a database at identity/3, with users holding
 * one global role, migrates to memberships. Each user's role (and a customer's CRM link) becomes the
 * role of their home membership; an organization that employed a user of another organization gets a
 * least-privilege `employee` membership (its admins assign roles again); users lose the role columns;
 * the app role can no longer move a user's home organization.
 */
import { assert, describe, layer } from "@effect/vitest"
import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import * as Migrations from "../src/Migrations.ts"
import { identityModule } from "../src/identity/index.ts"
import { targets } from "./targets.ts"

const uuid = () => randomUUID()
const before4 = { schema: "identity", migrations: identityModule.migrations.migrations.filter((m) => m.id < 4) }
const upTo4 = { schema: "identity", migrations: identityModule.migrations.migrations.filter((m) => m.id <= 4) }

/** Two organizations at identity/3: A with an Admin, a customer user and an employee that B also employs. */
const seedAtPart3 = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const [a, b, wsA, wsB] = [uuid(), uuid(), uuid(), uuid()]
  const [admin, customer, worker] = [uuid(), uuid(), uuid()]
  const crm = uuid()
  for (const [org, ws, bin] of [[a, wsA, "100000000001"], [b, wsB, "100000000002"]] as const) {
    yield* sql`INSERT INTO identity.organizations (id, name, bin, kind, status, created_at, updated_at, version)
      VALUES (${org}, 'Org', ${bin}, 'internal', 'active', now(), now(), 1)`
    yield* sql`INSERT INTO identity.workspaces
      (id, organization_id, name, type, status, created_at, updated_at, version)
      VALUES (${ws}, ${org}, 'Main', 'main', 'active', now(), now(), 1)`
  }
  const user = (
    id: string,
    role: string,
    customerId: string | null
  ) => sql`INSERT INTO auth.users (id, email, email_key, name, role, status, registration_status, organization_id,
      customer_id, created_at, updated_at, version)
      VALUES (${id}, ${`${id}@example.kz`}, ${`${id}@example.kz`}, 'U', ${role}, 'active', 'completed', ${a},
        ${customerId}, now(), now(), 3)`
  yield* user(admin, "Admin", null)
  yield* user(customer, "customer", crm)
  yield* user(worker, "Dispatcher", null)
  for (const [org, ws] of [[a, wsA], [b, wsB]] as const) {
    yield* sql`INSERT INTO identity.employees
      (id, user_id, organization_id, workspace_id, status, created_at, updated_at, version)
      VALUES (${uuid()}, ${worker}, ${org}, ${ws}, 'active', now(), now(), 1)`
  }
  return { a, b, admin, customer, worker, crm }
})

for (const target of targets("identity-migration.test.ts")) {
  describe(target.name, () => {
    layer(target.layer({ migrate: false }), { excludeTestServices: true, timeout: "120 seconds" })(
      "identity/4_memberships",
      (it) => {
        it.effect("AUTH-02 AUTH-07 TEN-05 global roles become home memberships; other employers get employee", () =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            yield* Migrations.run([Migrations.platform, before4])
            const s = yield* seedAtPart3
            const applied = yield* Migrations.run([Migrations.platform, upTo4])
            assert.deepStrictEqual(applied, ["identity/4_memberships"])
            const rows = yield* sql<
              { organizationId: string; userId: string; role: string; customerId: string | null; version: number }
            >`
            SELECT organization_id AS "organizationId", user_id AS "userId", role, customer_id AS "customerId", version
            FROM identity.memberships`
            const expected = [
              { organizationId: s.a, userId: s.admin, role: "Admin", customerId: null, version: 1 },
              { organizationId: s.a, userId: s.worker, role: "Dispatcher", customerId: null, version: 1 },
              { organizationId: s.a, userId: s.customer, role: "customer", customerId: s.crm, version: 1 },
              { organizationId: s.b, userId: s.worker, role: "employee", customerId: null, version: 1 }
            ]
            assert.sameDeepMembers([...rows], expected)
            const columns = yield* sql<{ name: string }>`
            SELECT column_name AS name FROM information_schema.columns WHERE table_schema = 'auth'
              AND table_name = 'users'`
            assert.notInclude(columns.map((c) => c.name), "role")
            assert.notInclude(columns.map((c) => c.name), "customer_id")
            const movable = yield* sql<{ allowed: boolean }>`
            SELECT has_column_privilege('erpkit_app', 'auth.users', 'organization_id', 'UPDATE') AS allowed`
            assert.isFalse(movable[0]!.allowed, "a home organization never moves")
            assert.deepStrictEqual(yield* Migrations.run([Migrations.platform, upTo4]), [], "applied once")
            assert.deepStrictEqual(yield* Migrations.run([Migrations.platform, identityModule.migrations]), [
              "identity/5_host_roles"
            ], "later parts run over the migrated data")
          }))
      }
    )
  })
}
