/**
 * Shared access helpers for identity commands: "the user themself, or someone holding the
 * permission", and the anonymous actor for public commands.
 */
import { Effect } from "effect"
import { Actor, type Errors, type Ids, type Tenant } from "@erpkit/kernel"

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

/** Succeeds when the actor is the target user, else needs `permission`. */
export const selfOr = (
  actor: Actor.Actor,
  targetId: Ids.UserId,
  permission: Actor.Permission
): Effect.Effect<void, Errors.Forbidden, Actor.Authorization> =>
  actor.userId === targetId && actor.userId !== anonymousUserId ? Effect.void : Actor.authorize(actor, permission)
