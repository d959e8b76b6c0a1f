/**
 * TEN-01 on Postgres: identity commands and queries under tenant A never read or change tenant B's
 * rows, even with B's ids; the database itself hides B's rows from a unit of work bound to A (RLS),
 * and from one bound to no tenant.
 */
import { assert, describe, layer } from "@effect/vitest"
import { randomUUID } from "node:crypto"
import { Effect, Exit } from "effect"
import { Roles } from "@erpkit/identity"
import {
  expectForgedAttemptsRefused,
  expectListsScoped,
  expectWorkspaceScoping,
  populatedTenant as populated
} from "@erpkit/identity/testing"
import { PgDatabase } from "../src/Database.ts"
import * as SqlState from "../src/SqlState.ts"
import { shared, stackLayer } from "./identity/harness.ts"
import { snapshot } from "./identity/helpers.ts"
import { targets } from "./targets.ts"

/** Tenant tables and the column holding their organization. */
const tenantTables = [
  ["identity.organizations", "id"],
  ["identity.workspaces", "organization_id"],
  ["identity.employees", "organization_id"],
  ["identity.departments", "organization_id"],
  ["identity.settings", "organization_id"],
  ["identity.role_permissions", "organization_id"]
] as const

for (const target of targets("identity-tenancy.test.ts")) {
  describe(target.name, () => {
    layer(shared(stackLayer(target)), { excludeTestServices: true, timeout: "120 seconds" })(
      "identity tenancy on Postgres",
      (it) => {
        it.effect("TEN-01 forged ids of another tenant give NotFound through every identity command, no writes", () =>
          expectForgedAttemptsRefused(snapshot))

        it.effect("TEN-01 lists and reads never show another tenant's records", () => expectListsScoped)

        it.effect("TEN-01 employees and departments stay in their workspace; organization settings reach all", () =>
          expectWorkspaceScoping)

        it.effect("TEN-01 a raw query through erpkit_app bound to another tenant, or none, sees none of its rows", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const a = yield* populated
            const b = yield* populated
            yield* Roles.setRolePermissions(a.admin, { role: "employee", permissions: ["identity.user.read"] })
            const count = (table: string, column: string) =>
              SqlState.orDie(db.sql<{ n: number }>`
              SELECT count(*)::int AS n FROM ${db.sql.literal(table)} WHERE ${
                db.sql.literal(column)
              } = ${a.tenant.organizationId}`)
            for (const [table, column] of tenantTables) {
              const asB = yield* db.inTenant(b.tenant)(count(table, column))
              const asNone = yield* db.transaction(count(table, column))
              const asA = yield* db.inTenant(a.tenant)(count(table, column))
              const owner = yield* count(table, column) // the login (a superuser on both targets) bypasses RLS
              assert.deepStrictEqual([table, asB[0]!.n, asNone[0]!.n], [table, 0, 0])
              assert.strictEqual(asA[0]!.n, owner[0]!.n, table)
              assert.isAbove(owner[0]!.n, 0, table)
            }
          }))

        it.effect("TEN-01 raw writes under A cannot touch B's rows: updates match none, inserts fail (42501)", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const a = yield* populated
            const b = yield* populated
            const before = yield* snapshot
            const updated = yield* db.inTenant(a.tenant)(
              SqlState.orDie(
                Effect.all([
                  db.sql`UPDATE identity.organizations SET name = 'stolen' WHERE id = ${b.tenant.organizationId}
                RETURNING id`,
                  db.sql`UPDATE identity.workspaces SET name = 'stolen' WHERE id = ${b.workspace.id} RETURNING id`,
                  db.sql`UPDATE identity.employees SET position = 'stolen' WHERE id = ${b.employee.id} RETURNING id`,
                  db.sql`UPDATE identity.departments SET name = 'stolen' WHERE id = ${b.department.id} RETURNING id`,
                  db.sql`DELETE FROM identity.settings WHERE id = ${b.setting.id} RETURNING id`
                ])
              )
            )
            assert.deepStrictEqual(updated.map((rows) => rows.length), [0, 0, 0, 0, 0])
            assert.strictEqual(yield* snapshot, before)
            const exit = yield* Effect.exit(
              db.inTenant(a.tenant)(db.sql`
            INSERT INTO identity.workspaces (id, organization_id, name, type, status, created_at, updated_at, version)
            VALUES (${randomUUID()}, ${b.tenant.organizationId}, 'planted', 'branch', 'active', now(), now(), 1)`)
            )
            const [error] = Exit.isFailure(exit) ? SqlState.findSqlErrors(exit.cause) : []
            assert.strictEqual(error === undefined ? "written" : SqlState.sqlState(error), "42501")
            assert.strictEqual(yield* snapshot, before)
          }))
      }
    )
  })
}
