/**
 * The identity schema itself: migrations (ordered, idempotent, concurrent-safe), RLS forced on every
 * table, the app role's narrow grants, and the constraints that mirror identity's invariants as a
 * second line behind the commands (they surface as defects: the ports have no error for them).
 */
import { assert, describe, layer } from "@effect/vitest"
import { randomUUID } from "node:crypto"
import { Cause, Effect, Exit, Option, Schema } from "effect"
import { Actor, type Ids, type Tenant, UnitOfWork } from "@erpkit/kernel"
import {
  DepartmentRepository,
  MembershipRepository,
  OrganizationRepository,
  Session,
  SessionRepository,
  UserRepository
} from "@erpkit/identity"
import { Fixtures } from "@erpkit/identity/testing"
import { SqlClient } from "effect/sql"
import { PgDatabase } from "../src/Database.ts"
import * as Migrations from "../src/Migrations.ts"
import * as Postgres from "../src/Postgres.ts"
import * as SqlState from "../src/SqlState.ts"
import { identityModule } from "../src/identity/index.ts"
import { portsLayer, shared } from "./identity/harness.ts"
import { targets } from "./targets.ts"

/** The constraint a defect names: a `ConstraintViolation`'s, or the SQLSTATE of a raw SQL error. */
const violated = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return "written"
    const defect = Cause.squash(exit.cause)
    if (defect instanceof SqlState.ConstraintViolation) return `${defect.kind}:${defect.constraint}`
    const [sqlError] = SqlState.findSqlErrors(exit.cause)
    return sqlError === undefined ? String(defect) : `sqlstate:${SqlState.sqlState(sqlError)}`
  })

/** An organization, its main workspace and an admin user, written through the ports. */
const seed = (f: Fixtures.Fixtures) =>
  Effect.gen(function*() {
    const tenant = f.tenant()
    const admin = Fixtures.user(f, tenant.organizationId)
    yield* UnitOfWork.transactionFor(
      tenant,
      Effect.gen(function*() {
        yield* OrganizationRepository.use((r) => r.insert(Fixtures.organization(f, tenant)))
        yield* UserRepository.use((r) => r.insert(admin))
      })
    )
    const db = yield* PgDatabase
    yield* db.inTenant(tenant)(SqlState.orDie(db.sql`
      INSERT INTO identity.workspaces (id, organization_id, name, type, status, created_by, created_at, updated_at,
        version)
      VALUES (${tenant.workspaceId}, ${tenant.organizationId}, 'Main', 'main', 'active', ${admin.id}, now(), now(),
        1)`))
    return { tenant, admin }
  })

for (const target of targets("identity-schema.test.ts")) {
  describe(target.name, () => {
    layer(target.layer({ migrate: false }), { excludeTestServices: true, timeout: "120 seconds" })(
      "identity migrations",
      (it) => {
        it.effect("the identity set runs after the platform's, once, even when migrators race; idempotent tail", () =>
          Effect.gen(function*() {
            const runs = yield* Effect.all(Array.from({ length: 3 }, () => Postgres.migrate([identityModule])), {
              concurrency: "unbounded"
            })
            assert.deepStrictEqual(runs.flat().sort(), [
              "identity/1_tenancy",
              "identity/2_auth",
              "identity/3_members",
              "identity/4_memberships",
              "identity/5_host_roles",
              "platform/1_platform"
            ])
            assert.deepStrictEqual(yield* Postgres.migrate([identityModule]), [])
            const sql = yield* SqlClient.SqlClient
            // Each part was written to run again on the state it produced; the latest one is the one that
            // can still meet that state (earlier parts name columns a later part dropped).
            yield* sql.withTransaction(
              Effect.forEach(
                identityModule.migrations.migrations.slice(-1).flatMap((m) => Migrations.splitStatements(m.sql)),
                (statement) => sql.unsafe(statement).unprepared,
                { discard: true }
              )
            )
            const tables = yield* sql<{ name: string; rls: boolean; forced: boolean }>`
            SELECT c.relnamespace::regnamespace::text || '.' || c.relname AS name, c.relrowsecurity AS rls,
              c.relforcerowsecurity AS forced
            FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace::regnamespace::text IN ('auth', 'identity')
              ORDER BY 1`
            assert.deepStrictEqual(tables.map((t) => t.name), [
              "auth.accounts",
              "auth.email_verifications",
              "auth.sessions",
              "auth.users",
              "identity.departments",
              "identity.employees",
              "identity.invitations",
              "identity.memberships",
              "identity.organizations",
              "identity.role_permissions",
              "identity.settings",
              "identity.workspaces"
            ])
            for (const t of tables) assert.deepStrictEqual([t.name, t.rls, t.forced], [t.name, true, true])
            const policies = yield* sql<{ table: string; roles: string; cmd: string; qual: string | null }>`
            SELECT schemaname || '.' || tablename AS table, array_to_string(roles, ',') AS roles, cmd, qual
              FROM pg_policies
            WHERE schemaname IN ('auth', 'identity') ORDER BY 1`
            assert.isTrue(
              policies.every((p) => p.roles === "erpkit_app"),
              "only the app role has policies here (never the relay)"
            )
            const global = policies.filter((p) => p.table.startsWith("auth."))
            assert.isTrue(
              global.length === 4 && global.every((p) => p.cmd === "ALL" && p.qual === "true"),
              "the global tables say so explicitly"
            )
            const memberships = policies.filter((p) => p.table === "identity.memberships")
            assert.deepStrictEqual(
              memberships.map((p) => [p.cmd, p.qual !== null && p.qual.includes("current_organization_id()")]).sort(),
              [["DELETE", true], ["INSERT", false], ["SELECT", true], ["UPDATE", true]],
              "memberships: a tenant writes only its own; reads its own and its home users' elsewhere"
            )
            const read = memberships.find((p) => p.cmd === "SELECT")?.qual ?? ""
            assert.include(read, "auth.users", "the cross-organization read is limited to the user's home organization")
            const tenant = policies.filter((p) => !global.includes(p) && !memberships.includes(p))
            assert.isTrue(
              tenant.every((p) => (p.qual ?? "").includes("current_organization_id()")),
              JSON.stringify(tenant)
            )
          }))

        it.effect("AUTH-07 role columns take any role name Actor.Role takes (a host's own too), never `system`", () =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            yield* Postgres.migrate([identityModule])
            const checks = yield* sql<{ name: string; definition: string }>`
            SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
            WHERE conname IN ('memberships_role_name', 'invitations_role_name', 'role_permissions_role_name')
              ORDER BY 1`
            assert.strictEqual(checks.length, 3)
            const samples = [
              ...Actor.roles,
              "Auditor",
              "Night Shift Lead",
              "x".repeat(50),
              "x".repeat(51),
              " lead",
              "1st",
              "a;b",
              ""
            ]
            const kernelSays = samples.map((name) => Schema.is(Actor.Role)(name) && name !== "system")
            for (const check of checks) {
              // the constraint's own expression, evaluated over the samples as its `role` column
              const expression = check.definition.replace(/^CHECK \((.*)\)$/s, "$1")
              const rows = yield* sql.unsafe<{ ok: boolean }>(
                `SELECT (${expression}) AS ok FROM unnest($1::text[]) WITH ORDINALITY AS t(role, n) ORDER BY n`,
                [samples]
              )
              assert.deepStrictEqual(rows.map((r) => r.ok), kernelSays, check.name)
            }
          }))
      }
    )

    layer(shared(portsLayer(target)), { excludeTestServices: true, timeout: "120 seconds" })(
      "identity constraints",
      (it) => {
        const f = Fixtures.makeFixtures(`identity-schema/${target.name}`)

        it.effect("AUTH-08 TEN-02 AUTH-03 AUTH-07 AUTH-12 CHECKs refuse what the commands never write", () =>
          Effect.gen(function*() {
            const { tenant, admin } = yield* seed(f)
            const inTx = <A, E, R>(effect: Effect.Effect<A, E, R>) => UnitOfWork.transactionFor(tenant, effect)
            const users = yield* UserRepository
            const next = { ...admin, version: admin.version + 1 }
            assert.strictEqual(
              yield* violated(inTx(users.update({ ...next, banned: true, banReason: null }))),
              "check:users_ban_reason"
            )
            assert.strictEqual(
              yield* violated(inTx(users.update({ ...next, banned: true, banReason: "   " }))),
              "check:users_ban_reason"
            )
            assert.strictEqual(
              yield* violated(inTx(users.update({ ...next, banReason: "no ban" }))),
              "check:users_ban_reason"
            )
            const memberships = yield* MembershipRepository
            const home = Fixtures.membership(admin.id, tenant.organizationId)
            yield* inTx(memberships.insert(home))
            assert.strictEqual(
              yield* violated(inTx(memberships.update({ ...home, version: 2, role: "system" }))),
              "check:memberships_role_name"
            )
            assert.strictEqual(
              yield* violated(inTx(memberships.update({ ...home, version: 2, role: "customer" }))),
              "check:memberships_customer_link"
            )
            assert.strictEqual(
              yield* violated(inTx(users.update({ ...next, emailKey: "Upper@example.kz" }))),
              "check:users_email_key_normalized"
            )
            assert.strictEqual(yield* violated(inTx(users.update({ ...next, name: "  " }))), "check:users_name_present")
            const rival = f.tenant()
            const shortBin = Fixtures.organization(f, rival, { bin: "12345678901" })
            assert.strictEqual(
              yield* violated(UnitOfWork.transactionFor(rival, OrganizationRepository.use((r) => r.insert(shortBin)))),
              "check:organizations_bin_12_digits"
            )
            const backwards = Fixtures.session(f, admin.id, tenant, { createdAt: 5_000, expiresAt: 5_000 })
            assert.strictEqual(
              yield* violated(inTx(SessionRepository.use((r) => r.insert(backwards)))),
              "check:sessions_expire_after_creation"
            )
            const ghost = Fixtures.session(f, randomUUID() as Ids.UserId, tenant)
            assert.strictEqual(
              yield* violated(inTx(SessionRepository.use((r) => r.insert(ghost)))),
              "foreign_key:sessions_user_id_fkey"
            )
            const nowhere = Fixtures.session(f, admin.id, {
              ...tenant,
              workspaceId: randomUUID() as Tenant.Tenant["workspaceId"]
            })
            assert.strictEqual(
              yield* violated(inTx(SessionRepository.use((r) => r.insert(nowhere)))),
              "foreign_key:sessions_workspace_fkey"
            )
            assert.deepStrictEqual(yield* inTx(users.findById(admin.id)), Option.some(admin), "nothing changed")
          }))

        it.effect("AUTH-13 session core fields are immutable for the app role (no grant) and owner (trigger)", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const { tenant, admin } = yield* seed(f)
            const s = Fixtures.session(f, admin.id, tenant)
            yield* UnitOfWork.transactionFor(tenant, SessionRepository.use((r) => r.insert(s)))
            const asApp = db.transaction(
              db.sql`UPDATE auth.sessions SET expires_at = expires_at + interval '1 day' WHERE id = ${s.id}`
            )
            assert.strictEqual(yield* violated(asApp), "sqlstate:42501")
            const asOwner = db.sql`UPDATE auth.sessions SET token_hash = 'stolen' WHERE id = ${s.id}`
            assert.strictEqual(yield* violated(asOwner), "sqlstate:42501")
            yield* UnitOfWork.transactionFor(
              tenant,
              SessionRepository.use((r) => r.updateMetadata(s.id, { ipAddress: "10.1.1.1", userAgent: null }))
            )
            assert.deepStrictEqual(
              yield* UnitOfWork.transactionFor(tenant, SessionRepository.use((r) => r.findById(s.id))),
              Option.some(new Session.Session({ ...s, ipAddress: "10.1.1.1" }))
            )
          }))

        it.effect("TEN-04 second line: the database refuses a department cycle in the writing transaction", () =>
          Effect.gen(function*() {
            const { tenant } = yield* seed(f)
            const repo = yield* DepartmentRepository
            const root = Fixtures.department(f, tenant, { code: "ROOT" })
            const child = Fixtures.department(f, tenant, { parentId: root.id })
            const grandchild = Fixtures.department(f, tenant, { parentId: child.id })
            yield* UnitOfWork.transactionFor(
              tenant,
              Effect.forEach([root, child, grandchild], (d) => repo.insert(tenant, d))
            )
            const loop = repo.update(tenant, { ...root, parentId: grandchild.id, version: root.version + 1 })
            assert.strictEqual(yield* violated(UnitOfWork.transactionFor(tenant, loop)), "check:departments_acyclic")
            const self = repo.update(tenant, { ...child, parentId: child.id, version: child.version + 1 })
            assert.strictEqual(yield* violated(UnitOfWork.transactionFor(tenant, self)), "check:departments_acyclic")
            const parents = yield* UnitOfWork.transactionFor(tenant, repo.parents(tenant))
            assert.strictEqual(parents.get(root.id), null)
          }))

        it.effect("the relay role reaches no identity or auth table", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            for (const table of [
              "auth.users",
              "auth.sessions",
              "identity.organizations",
              "identity.employees",
              "identity.memberships"
            ]) {
              const outcome = yield* violated(db.asRelay(db.sql`SELECT 1 FROM ${db.sql.literal(table)} LIMIT 1`))
              assert.deepStrictEqual([table, outcome], [table, "sqlstate:42501"])
            }
          }))
      }
    )
  })
}
