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

/** Succeeds when the actor is the target user, else needs `permission`. */
export const selfOr = (
  actor: Actor.Actor,
  targetId: Ids.UserId,
  permission: Actor.Permission
): Effect.Effect<void, Errors.Forbidden, Actor.Authorization> =>
  actor.userId === targetId && actor.userId !== anonymousUserId ? Effect.void : Actor.authorize(actor, permission)
