/**
 * Invitations: how a user of one organization joins another, with their consent. An administrator
 * invites an e-mail address with a role (admin-only, like assigning one: AUTH-02); the holder of that
 * verified address accepts once, before expiry, and becomes a member with that role. Until then the
 * inviting organization cannot see the user, let alone employ them; afterwards it manages only the
 * membership, never the user record (docs/identity.md, "Who may change what").
 *
 * The invitee answers inside the inviting organization's tenant (`Access.invitee(userId, tenant)`,
 * built by the host after authenticating the user), so every read and write stays in that tenant.
 */
import { Effect, Option, Schema } from "effect"
import { Actor, Command, Errors, Ids, type Tenant } from "@erpkit/kernel"
import { recordedPerson } from "./Access.ts"
import { created, updated } from "./Changes.ts"
import * as Email from "./Email.ts"
import { expiresAfter, IdentityConfig } from "./IdentityConfig.ts"
import * as IdentityEvent from "./IdentityEvent.ts"
import { EmailNotVerified } from "./IdentityError.ts"
import * as Invitation from "./Invitation.ts"
import { InvitationRepository } from "./InvitationRepository.ts"
import * as Membership from "./Membership.ts"
import { alreadyMember, MembershipRepository } from "./MembershipRepository.ts"
import * as Permissions from "./Permissions.ts"
import * as Roles from "./Roles.ts"
import { UserRepository } from "./UserRepository.ts"
import { successor } from "./Versioned.ts"

/** How many invitations `listInvitations` returns at most (newest first). */
export const listSizeMax = 500

const notFound = (id: string) => new Errors.NotFound({ entity: "Invitation", id })

const load = (tenant: Tenant.Tenant, id: Invitation.InvitationId) =>
  Effect.flatMap(
    InvitationRepository.use((r) => r.findById(tenant.organizationId, id)),
    (found) => Option.isSome(found) ? Effect.succeed(found.value) : Effect.fail(notFound(id))
  )

/** An admin invites `email` to the organization with `role` (the user need not exist yet). */
export const inviteMember = Command.make({
  name: "identity.inviteMember",
  input: Schema.Struct({
    email: Email.EmailInput,
    role: Actor.Role,
    customerId: Schema.optionalKey(Schema.NullOr(Ids.CustomerId))
  }),
  output: Invitation.Invitation,
  permission: Permissions.memberInvite,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const email = yield* Effect.fromResult(Email.normalize(input.email))
    const { role, customerId } = yield* Effect.fromResult(Membership.checkRole(input.role, input.customerId ?? null))
    yield* Roles.checkDefined(role)
    const holder = yield* UserRepository.use((r) => r.findByEmailKey(email.key))
    if (Option.isSome(holder)) {
      const member = yield* MembershipRepository.use((r) => r.find(ctx.tenant.organizationId, holder.value.id))
      if (Option.isSome(member)) return yield* alreadyMember(holder.value.id, ctx.tenant.organizationId)
    }
    const { invitationTtlMillis } = yield* IdentityConfig
    const invitedBy = yield* recordedPerson(ctx.actor)
    const invitation = new Invitation.Invitation({
      id: yield* Ids.nextId(Invitation.InvitationId),
      tenant: ctx.tenant,
      emailKey: email.key,
      role,
      customerId,
      status: "pending",
      invitedBy,
      expiresAt: expiresAfter(ctx.now, invitationTtlMillis),
      createdAt: ctx.now,
      updatedAt: ctx.now,
      version: 1
    })
    yield* InvitationRepository.use((r) => r.insert(invitation))
    return { result: invitation, changes: [created("Invitation", invitation.id, invitation)] }
  })
})

/**
 * The invitation and the answering user, if the invitation is for the actor's verified address. An
 * invitation for anyone else is `NotFound`, exactly like one that does not exist.
 */
const loadForInvitee = (tenant: Tenant.Tenant, actor: Actor.Actor, id: Invitation.InvitationId) =>
  Effect.gen(function*() {
    const invitation = yield* load(tenant, id)
    const user = yield* UserRepository.use((r) => r.findById(actor.userId))
    if (Option.isNone(user) || user.value.emailKey !== invitation.emailKey) return yield* notFound(id)
    if (!user.value.emailVerified) return yield* new EmailNotVerified({ userId: user.value.id })
    return { invitation, user: user.value }
  })

/** Writes the answered invitation; of two concurrent answers only one passes the version check. */
const saveAnswer = (before: Invitation.Invitation, answered: Invitation.Invitation) =>
  Effect.map(
    InvitationRepository.use((r) => r.update(successor(before, answered))),
    () => updated("Invitation", before.id, before, successor(before, answered))
  )

/** The invitee accepts: a membership with the invited role, once, before expiry (consent to join). */
export const acceptInvitation = Command.make({
  name: "identity.acceptInvitation",
  input: Schema.Struct({ invitationId: Invitation.InvitationId }),
  output: Membership.Membership,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const { invitation, user } = yield* loadForInvitee(ctx.tenant, ctx.actor, input.invitationId)
    const answered = yield* Effect.fromResult(Invitation.answer(invitation, "accepted", ctx.now))
    const change = yield* saveAnswer(invitation, answered)
    const membership = yield* Effect.orDie(
      Effect.fromResult(
        Membership.create({
          organizationId: invitation.tenant.organizationId,
          userId: user.id,
          role: invitation.role,
          customerId: invitation.customerId,
          now: ctx.now
        })
      )
    )
    yield* MembershipRepository.use((r) => r.insert(membership))
    return {
      result: membership,
      events: [IdentityEvent.memberJoined(membership)],
      changes: [change, created("Membership", Membership.auditId(membership), membership)]
    }
  })
})

/** The invitee says no; the invitation is closed. */
export const declineInvitation = Command.make({
  name: "identity.declineInvitation",
  input: Schema.Struct({ invitationId: Invitation.InvitationId }),
  output: Invitation.Invitation,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const { invitation } = yield* loadForInvitee(ctx.tenant, ctx.actor, input.invitationId)
    const answered = yield* Effect.fromResult(Invitation.answer(invitation, "declined", ctx.now))
    const change = yield* saveAnswer(invitation, answered)
    return { result: successor(invitation, answered), changes: [change] }
  })
})

/** The inviting organization withdraws a pending invitation. */
export const revokeInvitation = Command.make({
  name: "identity.revokeInvitation",
  input: Schema.Struct({ invitationId: Invitation.InvitationId }),
  output: Invitation.Invitation,
  permission: Permissions.memberInvite,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const invitation = yield* load(ctx.tenant, input.invitationId)
    const revoked = yield* Effect.fromResult(Invitation.revoke(invitation, ctx.now))
    const change = yield* saveAnswer(invitation, revoked)
    return { result: successor(invitation, revoked), changes: [change] }
  })
})

/** The organization's invitations, newest first (at most `listSizeMax`). */
export const listInvitations = Command.query({
  name: "identity.listInvitations",
  input: Schema.Struct({}),
  permission: Permissions.memberRead,
  handler: (_input, ctx) =>
    InvitationRepository.use((r) => r.listByOrganization(ctx.tenant.organizationId, listSizeMax))
})
