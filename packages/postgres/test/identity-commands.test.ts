/**
 * Identity's commands and jobs on Postgres, where the database takes part: opening an organization
 * from the system actor's tenant, AUTH-09 user deletion (one transaction, foreign-key cascades as the
 * second line, the cross-tenant employment guard), the AUTH-15 / AUTH-20 cleanup jobs on a TestClock,
 * and tenant role overrides read back by authorization.
 */
import { assert, describe, layer } from "@effect/vitest"
import { randomUUID } from "node:crypto"
import { Cause, Effect, Exit, Option, Schema } from "effect"
import { TestClock } from "effect/testing"
import { Actor, Errors, Outbox, UnitOfWork } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import {
  Access,
  AccountRepository,
  Accounts,
  Employees,
  MembershipRepository,
  Memberships,
  Organizations,
  Roles,
  SessionRepository,
  Sessions,
  UserRepository,
  VerificationRepository,
  Verifications,
  Users
} from "@erpkit/identity"
import { PgDatabase } from "../src/Database.ts"
import * as SqlState from "../src/SqlState.ts"
import { shared, stackLayer } from "./identity/harness.ts"
import { expectSessionCleanup, expectTextRefused } from "@erpkit/identity/testing"
import {
  actorOf,
  freshBin,
  join,
  openTenant,
  outcome,
  register,
  registerVerified,
  snapshot,
  userWithRole
} from "./identity/helpers.ts"
import { targets } from "./targets.ts"

const hour = 60 * 60 * 1000

class Abort extends Schema.TaggedError<Abort>()("Abort", {}) {}

/** A registered, verified user with a session, a provider account and an open password-reset code. */
const userWithEverything = Effect.gen(function*() {
  const tenant = yield* openTenant()
  const { actor: admin } = yield* userWithRole(tenant, "admin")
  const { user, verification } = yield* register(tenant)
  yield* Users.verifyEmail(Access.anonymous(tenant), { email: user.email, code: verification.code })
  const session = yield* Sessions.createSession(Actor.system(tenant), { userId: user.id })
  yield* Accounts.linkAccount(actorOf(user, tenant), {
    userId: user.id,
    providerId: "google",
    accountId: `g-${user.id}`
  })
  yield* Verifications.issueVerificationCode(Actor.system(tenant), { email: user.email, type: "password_reset" })
  return { tenant, admin, user, session }
})

const leftovers = (userId: string) =>
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const rows = yield* SqlState.orDie(db.sql<{ users: number; sessions: number; accounts: number; codes: number }>`
      SELECT (SELECT count(*)::int FROM auth.users WHERE id = ${userId}) AS users,
             (SELECT count(*)::int FROM auth.sessions WHERE user_id = ${userId}) AS sessions,
             (SELECT count(*)::int FROM auth.accounts WHERE user_id = ${userId}) AS accounts,
             (SELECT count(*)::int FROM auth.email_verifications WHERE user_id = ${userId}) AS codes`)
    return rows[0]!
  })

for (const target of targets("identity-commands.test.ts")) {
  describe(target.name, () => {
    layer(shared(stackLayer(target)), { excludeTestServices: true, timeout: "120 seconds" })(
      "identity commands on Postgres",
      (it) => {
        it.effect("TEN-02 createOrganization runs in the system actor's tenant, opens the new one and workspace", () =>
          Effect.gen(function*() {
            const bin = freshBin()
            const opened = yield* Organizations.createOrganization(Actor.system(tenantA), {
              name: "Prometric",
              bin,
              kind: "internal"
            })
            const tenant = { organizationId: opened.organization.id, workspaceId: opened.workspace.id }
            const { actor: admin } = yield* userWithRole(tenant, "admin")
            assert.deepStrictEqual(
              yield* Organizations.getOrganization(admin, { organizationId: tenant.organizationId }),
              opened.organization
            )
            assert.strictEqual(
              yield* outcome(
                Organizations.createOrganization(Actor.system(tenantA), { name: "Twin", bin, kind: "internal" })
              ),
              "BinTaken"
            )
            // The soft delete's audit entry is a DELETE that records the tombstone as its new values.
            const deleted = yield* Organizations.deleteOrganization(Actor.system(tenant), {
              organizationId: tenant.organizationId
            })
            assert.isNotNull(deleted.deletedAt)
            const again = yield* Organizations.createOrganization(Actor.system(tenantA), {
              name: "Reborn",
              bin,
              kind: "internal"
            })
            assert.strictEqual(again.organization.bin, bin, "TEN-06: a soft-deleted organization frees its BIN")
          }))

        it.effect("TEN-01 only the transaction that opened an organization may write into it from another tenant", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const victim = yield* openTenant()
            const exit = yield* Effect.exit(UnitOfWork.transactionFor(
              tenantA,
              db.sql`
            INSERT INTO identity.workspaces (id, organization_id, name, type, status, created_at, updated_at, version)
            VALUES (${randomUUID()}, ${victim.organizationId}, 'planted', 'branch', 'active', now(), now(), 1)`
            ))
            const [error] = Exit.isFailure(exit) ? SqlState.findSqlErrors(exit.cause) : []
            assert.strictEqual(error === undefined ? "written" : SqlState.sqlState(error), "42501")
            const visible = yield* UnitOfWork.transactionFor(
              tenantA,
              SqlState.orDie(db.sql`
            SELECT id FROM identity.organizations WHERE id = ${victim.organizationId}`)
            )
            assert.deepStrictEqual(
              visible,
              [],
              "another tenant's organization is invisible outside the transaction that opened it"
            )
          }))

        it.effect("AUTH-09 deleting a user removes its sessions, accounts and codes in the command's transaction", () =>
          Effect.gen(function*() {
            const { tenant, admin, user, session } = yield* userWithEverything
            assert.deepStrictEqual(yield* leftovers(user.id), { users: 1, sessions: 1, accounts: 1, codes: 2 })
            // Inside a unit of work that then fails, the deletion rolls back with everything else.
            const aborted = yield* Effect.exit(
              UnitOfWork.transactionFor(
                tenant,
                Effect.andThen(Users.deleteUser(admin, { userId: user.id }), new Abort())
              )
            )
            assert.isTrue(Exit.isFailure(aborted))
            assert.deepStrictEqual(yield* leftovers(user.id), { users: 1, sessions: 1, accounts: 1, codes: 2 })
            const result = yield* Users.deleteUser(admin, { userId: user.id })
            assert.deepStrictEqual([result.sessionsDeleted, result.accountsDeleted], [1, 1])
            assert.deepStrictEqual(yield* leftovers(user.id), { users: 0, sessions: 0, accounts: 0, codes: 0 })
            assert.strictEqual(
              yield* outcome(Sessions.authenticate(Access.anonymous(tenant), { token: session.token })),
              "SessionInvalid"
            )
            const events = yield* Outbox.Outbox.use((o) => o.list(tenant, { aggregateId: user.id }))
            assert.include(events.map((e) => e.type), "identity.UserDeleted")
          }))

        it.effect("AUTH-09 second line: deleting the user row alone cascades to its sessions, accounts and codes", () =>
          Effect.gen(function*() {
            const { tenant, user } = yield* userWithEverything
            // The home membership goes first (deleteUser does the same): it is a NO ACTION reference.
            yield* UnitOfWork.transactionFor(
              tenant,
              MembershipRepository.use((r) => r.remove(tenant.organizationId, user.id))
            )
            assert.isTrue(yield* UnitOfWork.transactionFor(tenant, UserRepository.use((r) => r.remove(user.id))))
            assert.deepStrictEqual(yield* leftovers(user.id), { users: 0, sessions: 0, accounts: 0, codes: 0 })
            assert.deepStrictEqual(yield* SessionRepository.use((r) => r.listByUser(user.id)), [])
            assert.deepStrictEqual(yield* AccountRepository.use((r) => r.listByUser(user.id)), [])
          }))

        it.effect("deleteUser is refused while the user is a member of another organization (seen by the home)", () =>
          Effect.gen(function*() {
            const home = yield* openTenant()
            const other = yield* openTenant()
            const { actor: homeAdmin } = yield* userWithRole(home, "admin")
            const { actor: otherAdmin } = yield* userWithRole(other, "admin")
            const user = yield* registerVerified(home)
            yield* join(other, user)
            yield* Employees.hireEmployee(otherAdmin, { userId: user.id })
            assert.strictEqual(yield* outcome(Users.deleteUser(homeAdmin, { userId: user.id })), "UserStillMember")
            // Second line: the user row cannot go while a membership references it (23503, a defect).
            const raw = yield* Effect.exit(
              UnitOfWork.transactionFor(home, UserRepository.use((r) => r.remove(user.id)))
            )
            const [error] = Exit.isFailure(raw) ? SqlState.findSqlErrors(raw.cause) : []
            assert.strictEqual(error === undefined ? "deleted" : SqlState.sqlState(error), "23503")
            // The other organization ends the membership (and with it the employment); then the home may delete.
            const removed = yield* Memberships.removeMember(otherAdmin, { userId: user.id })
            assert.strictEqual(removed.membership.organizationId, other.organizationId)
            yield* Users.deleteUser(homeAdmin, { userId: user.id })
            assert.deepStrictEqual(yield* leftovers(user.id), { users: 0, sessions: 0, accounts: 0, codes: 0 })
          }))

        it.effect("AUTH-15 the session cleanup job on a TestClock: one statement deletes just the expired ones", () =>
          expectSessionCleanup.pipe(Effect.provide(TestClock.layer())))

        // The job deletes across tenants in one unit of work opened without a tenant, then records each
        // tenant's events and audit entries with a nested `transactionFor(tenant)`, which switches the
        // RLS binding for its duration (PgDatabase: tenantless job transactions may serve several tenants).
        it.effect("AUTH-15 one cleanup run over expired sessions of two tenants records each in its own tenant", () =>
          Effect.gen(function*() {
            yield* TestClock.setTime(200 * hour)
            const a = yield* openTenant()
            const b = yield* openTenant()
            const { user: ua } = yield* register(a)
            const { user: ub } = yield* register(b)
            yield* Sessions.createSession(Actor.system(a), { userId: ua.id, expiresAt: 201 * hour })
            yield* Sessions.createSession(Actor.system(b), { userId: ub.id, expiresAt: 201 * hour })
            yield* TestClock.adjust("2 hours")
            // Whatever happens, leave no expired session behind for later tests.
            const cleanup = Effect.forEach([ua.id, ub.id], (id) => SessionRepository.use((r) => r.removeByUser(id)))
            const run = yield* Sessions.deleteExpiredSessions.pipe(Effect.ensuring(cleanup))
            assert.strictEqual(run.deleted, 2)
            for (const [tenant, user] of [[a, ua], [b, ub]] as const) {
              const events = yield* UnitOfWork.transactionFor(tenant, Outbox.Outbox.use((o) => o.list(tenant)))
              assert.isTrue(
                events.some((e) => e.type.endsWith("SessionDeleted") && JSON.stringify(e.payload).includes(user.id)),
                "event recorded in the session's tenant"
              )
            }
          }).pipe(Effect.provide(TestClock.layer())))

        it.effect("AUTH-20 the verification cleanup job on a TestClock deletes expired codes only", () =>
          Effect.gen(function*() {
            yield* TestClock.setTime(1_000 * hour)
            const tenant = yield* openTenant()
            const { user } = yield* register(tenant)
            yield* TestClock.adjust("23 hours")
            const { verification: fresh } = yield* register(tenant)
            yield* TestClock.adjust("2 hours")
            const deleted = yield* Verifications.deleteExpiredVerifications
            assert.isAtLeast(deleted, 1)
            const left = yield* VerificationRepository.use((r) => r.listFor(user.emailKey, "registration"))
            assert.deepStrictEqual(left, [])
            const kept = yield* VerificationRepository.use((r) => r.findById(fresh.id))
            assert.isTrue(Option.isSome(kept))
            assert.strictEqual(yield* Verifications.deleteExpiredVerifications, 0)
          }).pipe(Effect.provide(TestClock.layer())))

        it.effect("NUL (U+0000), which Postgres text cannot hold, is a typed ValidationError at decoding", () =>
          Effect.gen(function*() {
            const tenant = yield* openTenant()
            const before = yield* snapshot
            const exit = yield* Effect.exit(register(tenant, undefined, "An\u0000a"))
            const failure = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
            assert.instanceOf(failure, Errors.ValidationError)
            assert.isTrue(Exit.isFailure(exit) && Cause.hasFails(exit.cause), "a typed failure, not a defect")
            assert.deepStrictEqual((failure as Errors.ValidationError).issues[0]?.path, ["name"])
            assert.strictEqual(yield* snapshot, before)
            // A lookup key with NUL matches nothing stored: an answer, not a failure.
            assert.isTrue(Option.isNone(yield* UserRepository.use((r) => r.findByEmailKey("a\u0000@example.kz"))))
          }))

        it.effect("every text field of every identity command refuses NUL and lone surrogates: no row", () =>
          Effect.gen(function*() {
            const tenant = yield* openTenant()
            const { actor: admin } = yield* userWithRole(tenant, "admin")
            assert.strictEqual(yield* expectTextRefused(admin, snapshot), 120)
          }))

        it.effect("tenant role overrides are stored in Postgres and read back by the authorization service", () =>
          Effect.gen(function*() {
            const tenant = yield* openTenant()
            const other = yield* openTenant()
            const { actor: admin } = yield* userWithRole(tenant, "admin")
            const { actor: staff } = yield* userWithRole(tenant, "staff")
            const { actor: otherStaff } = yield* userWithRole(other, "staff")
            const wanted = Actor.permission("identity.audit.read")
            assert.strictEqual(yield* outcome(Actor.authorize(staff, wanted)), "Forbidden")
            yield* Roles.setRolePermissions(admin, { role: "staff", permissions: [wanted] })
            assert.strictEqual(yield* outcome(Actor.authorize(staff, wanted)), "Success")
            assert.strictEqual(
              yield* outcome(Actor.authorize(otherStaff, wanted)),
              "Forbidden",
              "overrides are per organization"
            )
            yield* Roles.resetRolePermissions(admin, { role: "staff" })
            assert.strictEqual(yield* outcome(Actor.authorize(staff, wanted)), "Forbidden")
          }))
      }
    )
  })
}
