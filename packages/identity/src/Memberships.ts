/**
 * Members of the actor's organization and the roles they hold there (AUTH-02, AUTH-07). Everything
 * here writes the membership of the actor's own organization only: what a user may do in another
 * organization, and the user record itself, are out of reach (docs/identity.md, "Who may change what").
 */
import { Effect, Option, Schema } from "effect"
import { Actor, Command, Errors, Ids, Invariants, type Tenant } from "@erpkit/kernel"
import { selfOr } from "./Access.ts"
import { deleted, updated } from "./Changes.ts"
import * as IdentityEvent from "./IdentityEvent.ts"
import { HomeMembership } from "./IdentityError.ts"
import * as Membership from "./Membership.ts"
import { MembershipRepository } from "./MembershipRepository.ts"
import * as Permissions from "./Permissions.ts"
import * as Roles from "./Roles.ts"
import * as Session from "./Session.ts"
import { SessionRepository } from "./SessionRepository.ts"
import { UserRepository } from "./UserRepository.ts"
import { endEmployment } from "./Users.ts"
import { successor } from "./Versioned.ts"

/** The user's membership of the tenant's organization; not a member is `NotFound` for the user (TEN-01). */
export const load = (tenant: Tenant.Tenant, userId: Ids.UserId) =>
  Effect.flatMap(
    MembershipRepository.use((r) => r.find(tenant.organizationId, userId)),
    (found) =>
      Option.isSome(found)
        ? Effect.succeed(found.value)
        : Effect.fail(new Errors.NotFound({ entity: "User", id: userId }))
  )

/** A membership breaking an invariant is a bug in this module: die loudly. */
const checked = (m: Membership.Membership): Effect.Effect<Membership.Membership> =>
  Invariants.check("Membership", Membership.invariants, m, Membership.auditId(m))

/**
 * AUTH-02, AUTH-07: only admin roles hold `identity.user.assignRole`; the role is one the host defined
 * (`Roles.checkDefined`) and applies in the actor's organization only.
 */
export const assignRole = Command.make({
  name: "identity.assignRole",
  input: Schema.Struct({
    userId: Ids.UserId,
    role: Actor.Role,
    customerId: Schema.optionalKey(Schema.NullOr(Ids.CustomerId))
  }),
  output: Membership.Membership,
  permission: Permissions.userAssignRole,
  handler: Effect.fnUntraced(function*(input, ctx) {
    yield* Roles.checkDefined(input.role)
    const before = yield* load(ctx.tenant, input.userId)
    const changed = yield* Effect.fromResult(
      Membership.assignRole(before, input.role, input.customerId ?? null, ctx.now)
    )
    if (changed === before) return { result: before }
    const after = yield* checked(successor(before, changed))
    yield* MembershipRepository.use((r) => r.update(after))
    return {
      result: after,
      events: [IdentityEvent.memberRoleChanged(before, after)],
      changes: [updated("Membership", Membership.auditId(after), before, after)]
    }
  })
})

export const MemberRemoved = Schema.Struct({ membership: Membership.Membership, sessionsDeleted: Schema.Number })

/**
 * Ends a user's membership of the actor's organization: the membership, the employee record and the
 * user's sessions in this organization. The user record and every other membership stay. The home
 * membership cannot be removed (`HomeMembership`): the home organization deletes the user instead.
 */
export const removeMember = Command.make({
  name: "identity.removeMember",
  input: Schema.Struct({ userId: Ids.UserId }),
  output: MemberRemoved,
  permission: Permissions.memberRemove,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const membership = yield* load(ctx.tenant, input.userId)
    const user = yield* UserRepository.use((r) => r.findById(input.userId))
    if (Option.isSome(user) && user.value.organizationId === membership.organizationId) {
      return yield* new HomeMembership({ userId: input.userId, organizationId: membership.organizationId })
    }
    const employeeChanges = yield* endEmployment(ctx.tenant, input.userId, ctx.now)
    yield* MembershipRepository.use((r) => r.remove(membership.organizationId, membership.userId))
    const sessions = yield* SessionRepository.use((r) => r.listByUser(input.userId))
    const here = sessions.filter((s) => s.tenant.organizationId === membership.organizationId)
    yield* Effect.forEach(here, (s) => SessionRepository.use((r) => r.remove(s.id)), { discard: true })
    return {
      result: { membership, sessionsDeleted: here.length },
      events: [IdentityEvent.memberRemoved(membership), ...here.map((s) => IdentityEvent.sessionDeleted(s, "revoked"))],
      changes: [
        deleted("Membership", Membership.auditId(membership), membership),
        ...employeeChanges,
        ...here.map((s) => deleted("Session", s.id, Session.view(s)))
      ]
    }
  })
})

/** One member: the user themself, or an actor holding `identity.member.read`. */
export const getMembership = Command.query({
  name: "identity.getMembership",
  input: Schema.Struct({ userId: Ids.UserId }),
  handler: (input, ctx) =>
    Effect.andThen(selfOr(ctx.actor, input.userId, Permissions.memberRead), load(ctx.tenant, input.userId))
})

/** The organization's members with their roles. */
export const listMembers = Command.query({
  name: "identity.listMembers",
  input: Schema.Struct({}),
  permission: Permissions.memberRead,
  handler: (_input, ctx) => MembershipRepository.use((r) => r.listByOrganization(ctx.tenant.organizationId))
})
