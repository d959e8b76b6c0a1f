/**
 * Shared access helpers for identity commands: "the user themself, or someone holding the
 * permission", and the anonymous actor for public commands.
 */
import { Effect, Option } from "effect"
import { Actor, Errors, type Ids, type Tenant } from "@erpkit/kernel"
import { ActorUnknown } from "./IdentityError.ts"
import { UserRepository } from "./UserRepository.ts"

/** The max UUID: who public commands (registration, e-mail verification, logout) run as. */
export const anonymousUserId = "ffffffff-ffff-ffff-ffff-ffffffffffff" as Ids.UserId

/** An actor with no role in `tenant`, for public commands. */
export const anonymous = (tenant: Tenant.Tenant): Actor.Actor => ({ userId: anonymousUserId, roles: [], tenant })

/**
 * The user behind an actor, for `created_by`-style columns: null for the system and anonymous actors,
 * which are not rows of the users table (so a foreign key to users holds).
 */
export const personOf = (actor: Actor.Actor): Ids.UserId | null =>
  Actor.isSystem(actor) || actor.userId === anonymousUserId ? null : actor.userId

/**
 * The person a write records as its author (`createdBy`, `updatedBy`, `invitedBy`): `personOf(actor)`,
 * once that user is known to exist. An `Actor` can outlive its user when a host keeps it after
 * `deleteUser` (`authenticate` refuses the session by then); such a write is `ActorUnknown` on every
 * adapter, instead of a dangling author in memory and a foreign-key failure on Postgres.
 */
export const recordedPerson = (actor: Actor.Actor): Effect.Effect<Ids.UserId | null, ActorUnknown, UserRepository> => {
  const person = personOf(actor)
  if (person === null) return Effect.succeed(null)
  return Effect.flatMap(
    UserRepository.use((r) => r.findById(person)),
    (user) => Option.isSome(user) ? Effect.succeed(person) : Effect.fail(new ActorUnknown({ actorId: person }))
  )
}

/** Succeeds when the actor is the target user, else needs `permission`. */
export const selfOr = (
  actor: Actor.Actor,
  targetId: Ids.UserId,
  permission: Actor.Permission
): Effect.Effect<void, Errors.Forbidden, Actor.Authorization> =>
  actor.userId === targetId && actor.userId !== anonymousUserId ? Effect.void : Actor.authorize(actor, permission)

/**
 * The actor a signed-in user is while answering an invitation of `tenant`'s organization: the user,
 * with no role there yet. The host builds it after authenticating the user (in any tenant) and
 * reading the invitation's organization and workspace from the link it sent.
 */
export const invitee = (userId: Ids.UserId, tenant: Tenant.Tenant): Actor.Actor => ({ userId, roles: [], tenant })

/**
 * Who may change a user's own record (name, e-mail, status, ban, provider accounts, deletion): the
 * user themself, the system actor (the platform operator: the host's trusted code), or an actor of the
 * user's home organization, whose permission `selfOr` has already checked. Another organization the
 * user is a member of is refused whatever its roles: it may read the user, and manage only the
 * user's membership of it (TEN-01, AUTH-02; docs/identity.md, "Who may change what").
 */
export const homeOnly = (
  actor: Actor.Actor,
  tenant: Tenant.Tenant,
  user: { readonly id: Ids.UserId; readonly organizationId: Ids.OrganizationId },
  permission: Actor.Permission
): Effect.Effect<void, Errors.Forbidden> =>
  (actor.userId === user.id && actor.userId !== anonymousUserId) || Actor.isSystem(actor) ||
    user.organizationId === tenant.organizationId
    ? Effect.void
    : Effect.fail(new Errors.Forbidden({ permission, actorId: actor.userId, roles: [...actor.roles] }))
