/**
 * User commands and queries. Registration and e-mail verification are public (AUTH-01); everything
 * else is the user themself or an actor holding the permission, and only for users the actor's
 * tenant can see (their home organization, or one they are a member of): others are `NotFound`
 * (TEN-01). Only the user, the home organization and the system actor change the user record
 * (`Access.homeOnly`); roles are per organization (`Memberships`).
 */
import { Effect, Option, Schema } from "effect"
import { type Actor, AuditLog, Command, Errors, Ids, Invariants, type Tenant, Text } from "@erpkit/kernel"
import { homeOnly, selfOr } from "./Access.ts"
import { AccountRepository } from "./AccountRepository.ts"
import { created, deleted, updated } from "./Changes.ts"
import * as Email from "./Email.ts"
import { EmployeeRepository } from "./EmployeeRepository.ts"
import { IdentityConfig } from "./IdentityConfig.ts"
import * as IdentityEvent from "./IdentityEvent.ts"
import * as IdentityError from "./IdentityError.ts"
import * as Membership from "./Membership.ts"
import { MembershipRepository } from "./MembershipRepository.ts"
import * as Permissions from "./Permissions.ts"
import * as Roles from "./Roles.ts"
import * as Session from "./Session.ts"
import { SessionRepository } from "./SessionRepository.ts"
import * as User from "./User.ts"
import { emailTaken, UserRepository } from "./UserRepository.ts"
import { successor } from "./Versioned.ts"
import { audited, CodeInput, IssuedCode, consume, issue } from "./Verifications.ts"
import { VerificationRepository } from "./VerificationRepository.ts"

const UserIdInput = Schema.Struct({ userId: Ids.UserId })
const notFound = (id: string) => new Errors.NotFound({ entity: "User", id })

/** The user if the tenant can see it (home organization, a membership there, or self). */
export const loadVisible = (tenant: Tenant.Tenant, actor: Actor.Actor, id: Ids.UserId) =>
  Effect.gen(function*() {
    const found = yield* UserRepository.use((r) => r.findById(id))
    if (Option.isNone(found)) return yield* notFound(id)
    const user = found.value
    if (user.organizationId === tenant.organizationId || user.id === actor.userId) return user
    const member = yield* MembershipRepository.use((r) => r.find(tenant.organizationId, id))
    return Option.isSome(member) ? user : yield* notFound(id)
  })

/**
 * The user if the actor may change their record: `permission` in the tenant (or self), the user
 * visible there, and the tenant the user's home (or self, or the system actor).
 */
export const loadForChange = (
  tenant: Tenant.Tenant,
  actor: Actor.Actor,
  id: Ids.UserId,
  permission: Actor.Permission
) =>
  Effect.gen(function*() {
    yield* selfOr(actor, id, permission)
    const user = yield* loadVisible(tenant, actor, id)
    yield* homeOnly(actor, tenant, user, permission)
    return user
  })

/** A user breaking an invariant is a bug in this module, never a domain error: die loudly. */
const checked = (user: User.User): Effect.Effect<User.User> => Invariants.check("User", User.invariants, user)

/** Writes the next version of `before` with `changed`'s values: repository write, event, audit. */
const saveUser = (before: User.User, changed: User.User) =>
  Effect.gen(function*() {
    const after = yield* checked(successor(before, changed))
    const change = updated("User", after.id, before, after)
    yield* UserRepository.use((r) => r.update(after))
    const fields = AuditLog.changedFields(change.oldValues, change.newValues).filter((f) =>
      f !== "updatedAt" && f !== "version"
    )
    return { result: after, events: fields.length ? [IdentityEvent.userUpdated(after, fields)] : [], changes: [change] }
  })

/** Loads, checks access, applies a pure change, saves. */
const change = <E>(
  actor: Actor.Actor,
  tenant: Tenant.Tenant,
  id: Ids.UserId,
  permission: Actor.Permission,
  apply: (user: User.User) => Effect.Effect<User.User, E>
) =>
  Effect.gen(function*() {
    const before = yield* loadForChange(tenant, actor, id, permission)
    return yield* saveUser(before, yield* apply(before))
  })

export const Registered = Schema.Struct({ user: User.User, verification: IssuedCode })

/**
 * AUTH-01, AUTH-03, AUTH-04, AUTH-05: public sign-up in the tenant's organization, which becomes the
 * user's home (a membership with `IdentityConfig.defaultRole`); returns the registration code to e-mail.
 */
export const register = Command.make({
  name: "identity.register",
  input: Schema.Struct({ email: Email.EmailInput, name: User.RequiredText(255) }),
  output: Registered,
  // the registration code is shown once (only its hash is stored): a replay must not hand it out again
  resultHoldsSecret: true,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const email = yield* Effect.fromResult(Email.normalize(input.email))
    const { defaultRole } = yield* IdentityConfig
    // A misconfigured host, not bad input: customer users need a CRM link, system is never a person.
    if (defaultRole === "customer" || defaultRole === "system") {
      return yield* Effect.die(new Error(`IdentityConfig.defaultRole cannot be ${defaultRole}`))
    }
    yield* Effect.orDie(Roles.checkDefined(defaultRole, ["IdentityConfig", "defaultRole"]))
    const id = yield* Ids.nextId(Ids.UserId)
    const user = User.register({ id, email, name: input.name, organizationId: ctx.tenant.organizationId, now: ctx.now })
    yield* UserRepository.use((r) => r.insert(user)).pipe(Effect.andThen(checked(user)))
    const home = yield* Effect.orDie(
      Effect.fromResult(
        Membership.create({
          organizationId: user.organizationId,
          userId: id,
          role: defaultRole,
          customerId: null,
          now: ctx.now
        })
      )
    )
    yield* MembershipRepository.use((r) => r.insert(home))
    const code = yield* issue(email.key, "registration", id, ctx.now)
    return {
      result: { user, verification: code.issued },
      events: [IdentityEvent.userCreated(user, defaultRole)],
      changes: [created("User", id, user), created("Membership", Membership.auditId(home), home), code.change]
    }
  })
})

/** AUTH-19/20: public; the registration code proves the address, the user becomes active. */
export const verifyEmail = Command.make({
  name: "identity.verifyEmail",
  input: Schema.Struct({ email: Email.EmailInput, code: CodeInput }),
  output: User.User,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const email = yield* Effect.fromResult(Email.normalize(input.email))
    const used = yield* consume(email.key, "registration", input.code.trim(), ctx.now)
    const user = yield* UserRepository.use((r) => r.findByEmailKey(email.key))
    if (Option.isNone(user)) return yield* notFound(email.key)
    const outcome = yield* saveUser(user.value, User.verifyEmail(user.value, ctx.now))
    return { ...outcome, changes: [...outcome.changes, used.change] }
  })
})

export const updateProfile = Command.make({
  name: "identity.updateProfile",
  input: Schema.Struct({ userId: Ids.UserId, name: User.RequiredText(255) }),
  output: User.User,
  handler: (input, ctx) =>
    change(
      ctx.actor,
      ctx.tenant,
      input.userId,
      Permissions.userUpdate,
      (u) => Effect.succeed(User.rename(u, input.name, ctx.now))
    )
})

/** AUTH-06: the new address must be valid and unique; it has to be verified again. */
export const changeEmail = Command.make({
  name: "identity.changeEmail",
  input: Schema.Struct({ userId: Ids.UserId, email: Email.EmailInput }),
  output: User.User,
  handler: (input, ctx) =>
    change(
      ctx.actor,
      ctx.tenant,
      input.userId,
      Permissions.userUpdate,
      (u) => Effect.map(Effect.fromResult(Email.normalize(input.email)), (email) => User.changeEmail(u, email, ctx.now))
    )
})

/**
 * AUTH-06/20, proven change: sends an `email_change` code to the new address (returned here for the
 * host to e-mail). The address must be free now; `confirmEmailChange` checks again.
 */
export const requestEmailChange = Command.make({
  name: "identity.requestEmailChange",
  input: Schema.Struct({ userId: Ids.UserId, email: Email.EmailInput }),
  output: IssuedCode,
  // the code is shown once (only its hash is stored): a replay must not hand it out again
  resultHoldsSecret: true,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const user = yield* loadForChange(ctx.tenant, ctx.actor, input.userId, Permissions.userUpdate)
    const email = yield* Effect.fromResult(Email.normalize(input.email))
    const holder = yield* UserRepository.use((r) => r.findByEmailKey(email.key))
    if (Option.isSome(holder) && holder.value.id !== user.id) return yield* emailTaken()
    const code = yield* issue(email.key, "email_change", user.id, ctx.now)
    return { result: code.issued, changes: [code.change] }
  })
})

/** Completes `requestEmailChange`: the code proves the new address, which becomes verified. */
export const confirmEmailChange = Command.make({
  name: "identity.confirmEmailChange",
  input: Schema.Struct({ userId: Ids.UserId, email: Email.EmailInput, code: CodeInput }),
  output: User.User,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* loadForChange(ctx.tenant, ctx.actor, input.userId, Permissions.userUpdate)
    const email = yield* Effect.fromResult(Email.normalize(input.email))
    const used = yield* consume(email.key, "email_change", input.code.trim(), ctx.now)
    // A code issued for another user's change proves nothing about this one.
    if (used.verification.userId !== before.id) {
      return yield* new IdentityError.VerificationFailed({ reason: "mismatch" })
    }
    const outcome = yield* saveUser(before, { ...User.changeEmail(before, email, ctx.now), emailVerified: true })
    return { ...outcome, changes: [...outcome.changes, used.change] }
  })
})

/** AUTH-08: a ban needs its reason; the user's sessions end with it. */
export const banUser = Command.make({
  name: "identity.banUser",
  input: Schema.Struct({ userId: Ids.UserId, reason: Text.Bounded(1000) }),
  output: User.User,
  permission: Permissions.userBan,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const outcome = yield* change(
      ctx.actor,
      ctx.tenant,
      input.userId,
      Permissions.userBan,
      (u) => Effect.fromResult(User.ban(u, input.reason, ctx.now))
    )
    const ended = yield* SessionRepository.use((r) => r.removeByUser(input.userId))
    return {
      ...outcome,
      events: [...outcome.events, ...ended.map((s) => IdentityEvent.sessionDeleted(s, "banned"))],
      changes: [...outcome.changes, ...ended.map((s) => deleted("Session", s.id, Session.view(s)))]
    }
  })
})

export const unbanUser = Command.make({
  name: "identity.unbanUser",
  input: UserIdInput,
  output: User.User,
  permission: Permissions.userBan,
  handler: (input, ctx) =>
    change(ctx.actor, ctx.tenant, input.userId, Permissions.userBan, (u) => Effect.succeed(User.unban(u, ctx.now)))
})

/** AUTH-19: status follows `User.statusMachine`. */
export const setUserStatus = Command.make({
  name: "identity.setUserStatus",
  input: Schema.Struct({ userId: Ids.UserId, status: User.UserStatus }),
  output: User.User,
  permission: Permissions.userSetStatus,
  handler: (input, ctx) =>
    change(
      ctx.actor,
      ctx.tenant,
      input.userId,
      Permissions.userSetStatus,
      (u) => Effect.fromResult(User.setStatus(u, input.status, ctx.now))
    )
})

/** AUTH-19: onboarding steps after verification follow `User.registrationMachine`. */
export const advanceRegistration = Command.make({
  name: "identity.advanceRegistration",
  input: Schema.Struct({ userId: Ids.UserId, to: User.RegistrationStatus }),
  output: User.User,
  handler: (input, ctx) =>
    change(
      ctx.actor,
      ctx.tenant,
      input.userId,
      Permissions.userUpdate,
      (u) => Effect.fromResult(User.advanceRegistration(u, input.to, ctx.now))
    )
})

export const Deleted = Schema.Struct({
  userId: Ids.UserId,
  sessionsDeleted: Schema.Number,
  accountsDeleted: Schema.Number
})

/**
 * AUTH-09: the user, its home membership, provider accounts, sessions and verification codes go in one
 * unit of work; its employee record in the home organization is soft-deleted. Only the home
 * organization deletes (run in its tenant; the user themself too). A user who is still a member of
 * another organization is refused (`Conflict`): that organization must remove the member first, so no
 * organization erases another's member.
 */
export const deleteUser = Command.make({
  name: "identity.deleteUser",
  input: UserIdInput,
  output: Deleted,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const user = yield* loadForChange(ctx.tenant, ctx.actor, input.userId, Permissions.userDelete)
    if (user.organizationId !== ctx.tenant.organizationId) {
      return yield* new Errors.Forbidden({
        permission: Permissions.userDelete,
        actorId: ctx.actor.userId,
        roles: [...ctx.actor.roles]
      })
    }
    const orgs = yield* MembershipRepository.use((r) => r.organizationsOf(user.id))
    const others = orgs.filter((o) => o !== user.organizationId)
    if (others.length > 0) return yield* new IdentityError.UserStillMember({ userId: user.id, organizationIds: others })
    const employeeChanges = yield* endEmployment(ctx.tenant, user.id, ctx.now)
    const home = yield* MembershipRepository.use((r) => r.remove(user.organizationId, user.id))
    const sessions = yield* SessionRepository.use((r) => r.removeByUser(user.id))
    const accounts = yield* AccountRepository.use((r) => r.removeByUser(user.id))
    const codes = yield* VerificationRepository.use((r) => r.removeByUser(user.id))
    yield* UserRepository.use((r) => r.remove(user.id))
    return {
      result: { userId: user.id, sessionsDeleted: sessions.length, accountsDeleted: accounts.length },
      events: [
        ...sessions.map((s) => IdentityEvent.sessionDeleted(s, "user_deleted")),
        IdentityEvent.userDeleted(user.id)
      ],
      changes: [
        deleted("User", user.id, user),
        ...Option.toArray(home).map((m) => deleted("Membership", Membership.auditId(m), m)),
        ...sessions.map((s) => deleted("Session", s.id, Session.view(s))),
        ...accounts.map((a) => deleted("Account", a.id, a)),
        ...codes.map((v) => deleted("Verification", v.id, audited(v))),
        ...employeeChanges
      ]
    }
  })
})

export const endEmployment = (tenant: Tenant.Tenant, userId: Ids.UserId, now: number) =>
  Effect.gen(function*() {
    const repo = yield* EmployeeRepository
    const found = yield* repo.findByUser(tenant, userId)
    if (Option.isNone(found)) return []
    const e = found.value
    const gone = successor(e, { ...e, deletedAt: now, updatedAt: now })
    // The employee may sit in another workspace of the organization: write it in its own scope.
    yield* repo.update(e.tenant, gone)
    return [deleted("Employee", e.id, e, gone)]
  })

export const getUser = Command.query({
  name: "identity.getUser",
  input: UserIdInput,
  handler: Effect.fnUntraced(function*(input, ctx) {
    yield* selfOr(ctx.actor, input.userId, Permissions.userRead)
    return yield* loadVisible(ctx.tenant, ctx.actor, input.userId)
  })
})

/** Users whose home organization is the tenant's. */
export const listUsers = Command.query({
  name: "identity.listUsers",
  input: Schema.Struct({}),
  permission: Permissions.userRead,
  handler: (_input, ctx) => UserRepository.use((r) => r.listByOrganization(ctx.tenant.organizationId))
})
