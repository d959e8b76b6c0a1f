/** User rules AUTH-01 … AUTH-09, AUTH-18, AUTH-19 through the commands. */
import { assert, layer } from "@effect/vitest"
import { Effect, Exit, Option } from "effect"
import { Actor, AuditLog, Command, Outbox } from "@erpkit/kernel"
import {
  Access,
  Accounts,
  AccountRepository,
  Employees,
  IdentityConfig,
  Memberships,
  Sessions,
  SessionRepository,
  User,
  UserRepository,
  Users
} from "@erpkit/identity"
import { layerTest } from "@erpkit/identity/testing"
import {
  actorOf,
  freshEmail,
  join,
  openTenant,
  outcome,
  register,
  registerVerified,
  snapshot,
  userWithRole
} from "./helpers.ts"

layer(layerTest())("users", (it) => {
  it.effect("AUTH-01 registration needs no signed-in actor or permission", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { user, verification } = yield* register(tenant, freshEmail(), "Ana")
      assert.strictEqual(user.organizationId, tenant.organizationId)
      assert.strictEqual(verification.code.length, 8)
      assert.isTrue(Option.isSome(yield* UserRepository.use((r) => r.findById(user.id))))
    }))

  it.effect("AUTH-02 only Admin roles may assign a role", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { user } = yield* register(tenant)
      for (const role of ["Sales Rep", "manager", "employee", "staff", "Finance Manager"] as const) {
        const { actor } = yield* userWithRole(tenant, role)
        assert.strictEqual(
          yield* outcome(Memberships.assignRole(actor, { userId: user.id, role: "Admin" })),
          "Forbidden",
          role
        )
      }
      assert.strictEqual(
        yield* outcome(Memberships.assignRole(actorOf(user, tenant), { userId: user.id, role: "Admin" })),
        "Forbidden"
      )
      const sneaky = yield* Command.untyped(Users.register)(Access.anonymous(tenant), {
        email: freshEmail(),
        name: "Eve",
        role: "Admin"
      })
      const sneakyMembership = yield* Memberships.getMembership(Actor.system(tenant), { userId: sneaky.user.id })
      assert.strictEqual(sneakyMembership.role, "employee", "registration ignores a requested role")
      for (const role of ["Admin", "admin", "owner"] as const) {
        const { actor } = yield* userWithRole(tenant, role)
        const changed = yield* Memberships.assignRole(actor, { userId: user.id, role: "Dispatcher" })
        assert.strictEqual(changed.role, "Dispatcher")
      }
    }))

  it.effect("AUTH-03 e-mail is unique case-insensitively and must be well-formed", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const email = freshEmail("Dana")
      const { user } = yield* register(tenant, email)
      assert.strictEqual(user.email, email)
      assert.strictEqual(yield* outcome(register(tenant, `  ${email.toUpperCase()} `)), "EmailTaken")
      const other = yield* openTenant()
      assert.strictEqual(yield* outcome(register(other, email.toLowerCase())), "EmailTaken")
      for (const bad of ["", "   ", "no-at-sign", "a@b", "a b@c.kz", "a@@c.kz", "@c.kz", `${"x".repeat(250)}@c.kz`]) {
        assert.strictEqual(yield* outcome(register(tenant, bad)), "ValidationError", bad)
      }
    }))

  it.effect("AUTH-03 Unicode variants (NFC vs NFD) of one address collide", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const local = `jos\u00e9${freshEmail("x").split("@")[0]}`
      yield* register(tenant, `${local}@example.kz`)
      assert.strictEqual(
        yield* outcome(register(tenant, `${local.normalize("NFD").toUpperCase()}@EXAMPLE.KZ`)),
        "EmailTaken"
      )
    }))

  it.effect("AUTH-04 name is required (blank or missing is a ValidationError and writes nothing)", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const before = yield* snapshot
      for (const input of [
        { email: freshEmail() },
        { email: freshEmail(), name: "" },
        { email: freshEmail(), name: "  \t " }
      ]) {
        assert.strictEqual(
          yield* outcome(Command.untyped(Users.register)(Access.anonymous(tenant), input)),
          "ValidationError"
        )
      }
      assert.strictEqual(yield* snapshot, before)
      const { user } = yield* register(tenant, freshEmail(), "  Bolat  ")
      assert.strictEqual(user.name, "Bolat")
      assert.strictEqual(
        yield* outcome(Users.updateProfile(actorOf(user, tenant), { userId: user.id, name: " " })),
        "ValidationError"
      )
    }))

  it.effect("AUTH-05 email_verified is false after registration and true after verification", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const email = freshEmail()
      const { user, verification } = yield* register(tenant, email)
      assert.isFalse(user.emailVerified)
      const verified = yield* Users.verifyEmail(Access.anonymous(tenant), { email, code: verification.code })
      assert.isTrue(verified.emailVerified)
    }))

  it.effect("AUTH-06 a changed e-mail must be unique and valid; changing it clears the verified flag", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const taken = freshEmail()
      yield* register(tenant, taken)
      const email = freshEmail()
      const { user, verification } = yield* register(tenant, email)
      const self = actorOf(user, tenant)
      yield* Users.verifyEmail(Access.anonymous(tenant), { email, code: verification.code })
      assert.strictEqual(
        yield* outcome(Users.changeEmail(self, { userId: user.id, email: taken.toUpperCase() })),
        "EmailTaken"
      )
      assert.strictEqual(
        yield* outcome(Users.changeEmail(self, { userId: user.id, email: "broken" })),
        "ValidationError"
      )
      const recased = yield* Users.changeEmail(self, { userId: user.id, email: email.toUpperCase() })
      assert.isTrue(recased.emailVerified, "same address in other case stays verified")
      const moved = yield* Users.changeEmail(self, { userId: user.id, email: freshEmail() })
      assert.isFalse(moved.emailVerified)
      const { actor: stranger } = yield* userWithRole(tenant, "employee")
      assert.strictEqual(
        yield* outcome(Users.changeEmail(stranger, { userId: user.id, email: freshEmail() })),
        "Forbidden"
      )
    }))

  it.effect("AUTH-07 role must be one of the catalog roles (and never system)", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "Admin")
      const { user } = yield* register(tenant)
      for (const role of ["superuser", "ADMIN", "", 3, null]) {
        assert.strictEqual(
          yield* outcome(Command.untyped(Memberships.assignRole)(actor, { userId: user.id, role })),
          "ValidationError",
          String(role)
        )
      }
      assert.strictEqual(
        yield* outcome(Memberships.assignRole(actor, { userId: user.id, role: "system" })),
        "ValidationError"
      )
      for (const role of Actor.roles.filter((r) => r !== "system" && r !== "customer")) {
        assert.strictEqual((yield* Memberships.assignRole(actor, { userId: user.id, role })).role, role)
      }
    }))

  it.effect("TEN-05 customer users link to a CRM customer; staff and admin do not", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const { user } = yield* register(tenant)
      assert.strictEqual(
        yield* outcome(Memberships.assignRole(actor, { userId: user.id, role: "customer" })),
        "ValidationError"
      )
      const customerId = "0e000000-0000-7000-8000-0000000000c1"
      const customer = yield* Memberships.assignRole(actor, { userId: user.id, role: "customer", customerId })
      assert.strictEqual(customer.customerId, customerId)
      assert.strictEqual(
        yield* outcome(Memberships.assignRole(actor, { userId: user.id, role: "staff", customerId })),
        "ValidationError"
      )
      const staff = yield* Memberships.assignRole(actor, { userId: user.id, role: "staff" })
      assert.strictEqual(staff.customerId, null)
    }))

  it.effect("AUTH-08 a banned user has a non-empty ban reason; banning ends its sessions", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "Admin")
      const { user } = yield* register(tenant)
      yield* Sessions.createSession(Actor.system(tenant), { userId: user.id })
      for (const reason of ["", "   "]) {
        assert.strictEqual(yield* outcome(Users.banUser(actor, { userId: user.id, reason })), "ValidationError")
      }
      assert.isFalse(Option.getOrThrow(yield* UserRepository.use((r) => r.findById(user.id))).banned)
      const banned = yield* Users.banUser(actor, { userId: user.id, reason: " spam " })
      assert.deepStrictEqual([banned.banned, banned.banReason], [true, "spam"])
      assert.deepStrictEqual(yield* SessionRepository.use((r) => r.listByUser(user.id)), [])
      assert.strictEqual(
        yield* outcome(Sessions.createSession(Actor.system(tenant), { userId: user.id })),
        "LoginRefused"
      )
      const unbanned = yield* Users.unbanUser(actor, { userId: user.id })
      assert.deepStrictEqual([unbanned.banned, unbanned.banReason], [false, null])
      assert.deepStrictEqual(User.brokenInvariants(unbanned), [])
    }))

  it.effect("AUTH-09 deleting a user deletes its accounts and sessions in the same unit of work", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const { user } = yield* register(tenant)
      const self = actorOf(user, tenant)
      yield* Accounts.linkAccount(self, { userId: user.id, providerId: "google", accountId: `g-${user.id}` })
      yield* Sessions.createSession(Actor.system(tenant), { userId: user.id })
      yield* Sessions.createSession(Actor.system(tenant), { userId: user.id })
      yield* Employees.hireEmployee(actor, { userId: user.id })
      const result = yield* Users.deleteUser(actor, { userId: user.id })
      assert.deepStrictEqual([result.sessionsDeleted, result.accountsDeleted], [2, 1])
      assert.isTrue(Option.isNone(yield* UserRepository.use((r) => r.findById(user.id))))
      assert.deepStrictEqual(yield* SessionRepository.use((r) => r.listByUser(user.id)), [])
      assert.deepStrictEqual(yield* AccountRepository.use((r) => r.listByUser(user.id)), [])
      assert.deepStrictEqual(yield* Employees.listEmployees(actor, {}), [])
      const audit = yield* AuditLog.AuditLog.use((a) => a.byEntity(tenant, "User", user.id))
      assert.strictEqual(audit.at(-1)?.action, "DELETE")
      // TEN-07: the registration code went with the user, and its deletion is audited without its hash
      const codeDeletions = (yield* AuditLog.AuditLog.use((a) => a.byActor(tenant, actor.userId))).filter((e) =>
        e.entityType === "Verification" && e.action === "DELETE"
      )
      assert.strictEqual(codeDeletions.length, 1)
      assert.notProperty(codeDeletions[0]!.oldValues as object, "codeHash")
    }))

  it.effect("AUTH-09 the cascade is one unit of work: a failure while deleting accounts keeps user and sessions", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const { user } = yield* register(tenant)
      yield* Sessions.createSession(Actor.system(tenant), { userId: user.id })
      const accounts = yield* AccountRepository
      const before = yield* snapshot
      const failing = Users.deleteUser(actor, { userId: user.id }).pipe(
        Effect.provideService(AccountRepository, {
          ...accounts,
          removeByUser: () => Effect.die(new Error("disk full"))
        })
      )
      assert.isTrue(Exit.isFailure(yield* Effect.exit(failing)))
      assert.strictEqual(yield* snapshot, before)
      assert.strictEqual((yield* SessionRepository.use((r) => r.listByUser(user.id))).length, 1)
    }))

  it.effect("AUTH-09 a user still employed by another organization is not deleted (nothing changes)", () =>
    Effect.gen(function*() {
      const home = yield* openTenant()
      const other = yield* openTenant()
      const { actor } = yield* userWithRole(home, "admin")
      const { actor: otherAdmin } = yield* userWithRole(other, "admin")
      const user = yield* registerVerified(home)
      yield* Sessions.createSession(Actor.system(home), { userId: user.id })
      yield* join(other, user)
      yield* Employees.hireEmployee(otherAdmin, { userId: user.id })
      const before = yield* snapshot
      assert.strictEqual(yield* outcome(Users.deleteUser(actor, { userId: user.id })), "UserStillMember")
      assert.strictEqual(yield* snapshot, before)
    }))

  it.effect("AUTH-18 user created, updated and deleted are published as events", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const { user } = yield* register(tenant)
      yield* Users.updateProfile(actorOf(user, tenant), { userId: user.id, name: "New name" })
      yield* Users.deleteUser(actor, { userId: user.id })
      const events = yield* Outbox.Outbox.use((o) => o.list(tenant, { aggregateId: user.id }))
      assert.deepStrictEqual(events.map((e) => e.type), [
        "identity.UserCreated",
        "identity.UserUpdated",
        "identity.UserDeleted"
      ])
      assert.deepStrictEqual((events[1]!.payload as { changedFields: Array<string> }).changedFields, ["name"])
    }))

  it.effect("AUTH-19 user status follows its lifecycle (pending → active → inactive/suspended …)", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "Admin")
      const { user } = yield* register(tenant)
      assert.strictEqual(user.status, "pending")
      assert.strictEqual(
        yield* outcome(Users.setUserStatus(actor, { userId: user.id, status: "inactive" })),
        "InvalidTransition"
      )
      const active = yield* Users.setUserStatus(actor, { userId: user.id, status: "active" })
      assert.strictEqual(active.status, "active")
      assert.strictEqual(
        (yield* Users.setUserStatus(actor, { userId: user.id, status: "suspended" })).status,
        "suspended"
      )
      assert.strictEqual(
        yield* outcome(Users.setUserStatus(actor, { userId: user.id, status: "inactive" })),
        "InvalidTransition"
      )
      assert.strictEqual(
        yield* outcome(Command.untyped(Users.setUserStatus)(actor, { userId: user.id, status: "deleted" })),
        "ValidationError"
      )
    }))

  it.effect("AUTH-19 registration status goes email_pending → email_verified → onboarding_pending → completed", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const email = freshEmail()
      const { user, verification } = yield* register(tenant, email)
      const self = actorOf(user, tenant)
      assert.strictEqual(user.registrationStatus, "email_pending")
      assert.strictEqual(
        yield* outcome(Users.advanceRegistration(self, { userId: user.id, to: "onboarding_pending" })),
        "InvalidTransition"
      )
      // an edge of the machine, but only a proven address passes email_pending (it was InvariantBroken)
      assert.strictEqual(
        yield* outcome(Users.advanceRegistration(self, { userId: user.id, to: "email_verified" })),
        "EmailNotVerified"
      )
      const verified = yield* Users.verifyEmail(Access.anonymous(tenant), { email, code: verification.code })
      assert.deepStrictEqual([verified.registrationStatus, verified.status], ["email_verified", "active"])
      yield* Users.advanceRegistration(self, { userId: user.id, to: "onboarding_pending" })
      const done = yield* Users.advanceRegistration(self, { userId: user.id, to: "completed" })
      assert.strictEqual(done.registrationStatus, "completed")
      assert.strictEqual(
        yield* outcome(Users.advanceRegistration(self, { userId: user.id, to: "email_verified" })),
        "InvalidTransition"
      )
    }))

  it.effect("public registration receives the configured default role", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { user } = yield* register(tenant)
      const home = yield* Memberships.getMembership(actorOf(user, tenant), { userId: user.id })
      assert.strictEqual(home.role, (yield* IdentityConfig).defaultRole)
      assert.strictEqual(home.organizationId, user.organizationId)
    }))
})
