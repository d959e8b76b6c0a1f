/**
 * Sessions: sign-in (`createSession`, run by the host's trusted auth code as the system actor after
 * it has checked the credentials), token authentication, metadata updates, logout, revocation and
 * the cleanup job (AUTH-10 … AUTH-15, AUTH-18).
 */
import { Clock, Effect, Option, Schema } from "effect"
import {
  Actor,
  AuditLog,
  Command,
  DomainEvent,
  Errors,
  Ids,
  Instant,
  Outbox,
  Tenant,
  Text,
  UnitOfWork
} from "@erpkit/kernel"
import { selfOr } from "./Access.ts"
import { created, deleted, updated } from "./Changes.ts"
import { expiresAfter, IdentityConfig } from "./IdentityConfig.ts"
import * as IdentityEvent from "./IdentityEvent.ts"
import * as Membership from "./Membership.ts"
import { MembershipRepository } from "./MembershipRepository.ts"
import { LoginRefused, SessionInvalid } from "./IdentityError.ts"
import * as Permissions from "./Permissions.ts"
import * as Session from "./Session.ts"
import { SessionRepository } from "./SessionRepository.ts"
import { sha256Hex, token as newToken } from "./SecureRandom.ts"
import * as User from "./User.ts"
import { UserRepository } from "./UserRepository.ts"
import { loadVisible } from "./Users.ts"

const TokenInput = Text.Bounded(512)
const Metadata = Schema.NullOr(Text.Bounded(1024))

export const CreatedSession = Schema.Struct({
  session: Session.SessionView,
  /** The bearer token, returned only here: only its hash is stored. */
  token: Schema.String
})

/** AUTH-10/11/12: a new session for an existing user the tenant can see, expiring in the future. */
export const createSession = Command.make({
  name: "identity.createSession",
  input: Schema.Struct({
    userId: Ids.UserId,
    /** UTC epoch milliseconds; default now + `IdentityConfig.sessionTtlMillis`. */
    expiresAt: Schema.optionalKey(Instant.Instant),
    ipAddress: Schema.optionalKey(Metadata),
    userAgent: Schema.optionalKey(Metadata)
  }),
  output: CreatedSession,
  permission: Permissions.sessionCreate,
  // the bearer token is shown once (only its hash is stored): a replay must not hand it out again
  resultHoldsSecret: true,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const user = yield* loadVisible(ctx.tenant, ctx.actor, input.userId)
    const block = User.loginBlock(user)
    if (block !== undefined) return yield* new LoginRefused({ userId: user.id, reason: block })
    const { sessionTtlMillis } = yield* IdentityConfig
    const token = yield* newToken
    const session = yield* Effect.fromResult(
      Session.create({
        id: yield* Ids.nextId(Session.SessionId),
        tokenHash: yield* sha256Hex(token),
        userId: user.id,
        tenant: ctx.tenant,
        now: ctx.now,
        expiresAt: input.expiresAt ?? expiresAfter(ctx.now, sessionTtlMillis),
        ipAddress: input.ipAddress ?? null,
        userAgent: input.userAgent ?? null
      })
    )
    yield* SessionRepository.use((r) => r.insert(session))
    return {
      result: { session: Session.view(session), token },
      events: [IdentityEvent.sessionCreated(session)],
      changes: [created("Session", session.id, Session.view(session))]
    }
  })
})

export const Authenticated = Schema.Struct({
  session: Session.SessionView,
  user: User.User,
  membership: Membership.Membership,
  actor: Actor.Actor
})

/**
 * Public: who holds this token, if it is live, and the `Actor` to run their commands as: the user in
 * the session's tenant with the role of their membership there. Unknown, expired, banned and no
 * longer a member all look the same.
 */
export const authenticate = Command.query({
  name: "identity.authenticate",
  input: Schema.Struct({ token: TokenInput }),
  handler: Effect.fnUntraced(function*(input) {
    const now = yield* Clock.currentTimeMillis
    const hash = yield* sha256Hex(input.token)
    const found = yield* SessionRepository.use((r) => r.findByTokenHash(hash))
    if (Option.isNone(found) || Session.isExpired(found.value, now)) return yield* new SessionInvalid()
    const session = found.value
    // The host may not know the session's tenant before this call: user and membership are read in it,
    // in one unit of work (one transaction on Postgres instead of two, on every request).
    const { user, membership } = yield* UnitOfWork.runFor(
      session.tenant,
      Effect.all({
        user: UserRepository.use((r) => r.findById(session.userId)),
        membership: MembershipRepository.use((r) => r.find(session.tenant.organizationId, session.userId))
      })
    )
    if (Option.isNone(user) || User.loginBlock(user.value) !== undefined) return yield* new SessionInvalid()
    if (Option.isNone(membership)) return yield* new SessionInvalid()
    return {
      session: Session.view(session),
      user: user.value,
      membership: membership.value,
      actor: Membership.actorIn(membership.value, session.tenant)
    }
  })
})

/** The session if the actor may act on it: its own, or the tenant's with `identity.session.revoke`. */
const loadOwnOrRevocable = (actor: Actor.Actor, tenant: Tenant.Tenant, id: Session.SessionId) =>
  Effect.gen(function*() {
    const found = yield* SessionRepository.use((r) => r.findById(id))
    const mine = Option.isSome(found) && found.value.userId === actor.userId
    if (!mine) yield* Actor.authorize(actor, Permissions.sessionRevoke)
    if (Option.isNone(found) || (!mine && found.value.tenant.organizationId !== tenant.organizationId)) {
      return yield* new Errors.NotFound({ entity: "Session", id })
    }
    return found.value
  })

/**
 * AUTH-13: only `ipAddress` and `userAgent` change. `changes` is an open record on purpose, so a
 * request to write a core field is seen and refused (`Immutable`) instead of silently dropped.
 */
export const updateSession = Command.make({
  name: "identity.updateSession",
  input: Schema.Struct({
    sessionId: Session.SessionId,
    changes: Schema.Record(Schema.String, Schema.Unknown).pipe(Schema.check(Text.storableJson))
  }),
  output: Session.SessionView,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* loadOwnOrRevocable(ctx.actor, ctx.tenant, input.sessionId)
    const after = yield* Effect.fromResult(Session.patch(before, input.changes))
    yield* SessionRepository.use((r) =>
      r.updateMetadata(after.id, { ipAddress: after.ipAddress, userAgent: after.userAgent })
    )
    return {
      result: Session.view(after),
      changes: [updated("Session", after.id, Session.view(before), Session.view(after))]
    }
  })
})

const endSession = (session: Session.Session, reason: IdentityEvent.SessionDeletedReason) =>
  Effect.map(SessionRepository.use((r) => r.remove(session.id)), () => ({
    result: { deleted: true },
    events: [IdentityEvent.sessionDeleted(session, reason)],
    changes: [deleted("Session", session.id, Session.view(session))]
  }))

export const Ended = Schema.Struct({ deleted: Schema.Boolean })

/** AUTH-14: public logout; the token is the authority. An unknown token deletes nothing. */
export const logout = Command.make({
  name: "identity.logout",
  input: Schema.Struct({ token: TokenInput }),
  output: Ended,
  handler: Effect.fnUntraced(function*(input) {
    const hash = yield* sha256Hex(input.token)
    const found = yield* SessionRepository.use((r) => r.findByTokenHash(hash))
    if (Option.isNone(found)) return { result: { deleted: false } }
    return yield* endSession(found.value, "logout")
  })
})

/** AUTH-14: ends a session by id: one's own, or any of the tenant's with `identity.session.revoke`. */
export const revokeSession = Command.make({
  name: "identity.revokeSession",
  input: Schema.Struct({ sessionId: Session.SessionId }),
  output: Ended,
  handler: (input, ctx) =>
    Effect.flatMap(loadOwnOrRevocable(ctx.actor, ctx.tenant, input.sessionId), (s) => endSession(s, "revoked"))
})

export const listSessions = Command.query({
  name: "identity.listSessions",
  input: Schema.Struct({ userId: Ids.UserId }),
  handler: Effect.fnUntraced(function*(input, ctx) {
    yield* selfOr(ctx.actor, input.userId, Permissions.sessionRevoke)
    yield* loadVisible(ctx.tenant, ctx.actor, input.userId)
    const all = yield* SessionRepository.use((r) => r.listByUser(input.userId))
    return all.filter((s) => s.tenant.organizationId === ctx.tenant.organizationId || s.userId === ctx.actor.userId)
      .map(Session.view)
  })
})

/**
 * AUTH-15 job: deletes every session past `expiresAt` (bounded by `cleanupBatchSizeMax`) in one
 * set-based port call, then records a `SessionDeleted` event and an audit entry per session in that
 * session's tenant, all in one unit of work. Idempotent: a second run finds nothing.
 */
export const deleteExpiredSessions: Effect.Effect<
  { readonly deleted: number },
  Errors.StorageUnavailable,
  SessionRepository | UnitOfWork.UnitOfWork | Outbox.Outbox | AuditLog.AuditLog | Ids.IdGenerator
> = Effect.gen(function*() {
  const now = yield* Clock.currentTimeMillis
  const { cleanupBatchSizeMax } = yield* IdentityConfig
  return yield* UnitOfWork.run(Effect.gen(function*() {
    const gone = yield* SessionRepository.use((r) => r.deleteExpired(now, cleanupBatchSizeMax))
    const byTenant = new Map<string, Array<Session.Session>>()
    for (const s of gone) byTenant.set(Tenant.key(s.tenant), [...(byTenant.get(Tenant.key(s.tenant)) ?? []), s])
    for (const sessions of byTenant.values()) yield* recordExpired(sessions, now)
    return { deleted: gone.length }
  }))
}).pipe(Effect.withSpan("identity.deleteExpiredSessions"))

const recordExpired = (sessions: ReadonlyArray<Session.Session>, now: number) => {
  const tenant = sessions[0]!.tenant
  const stamp = { tenant, actorId: Actor.systemUserId, command: "identity.deleteExpiredSessions", at: now }
  return UnitOfWork.runFor(
    tenant,
    Effect.gen(function*() {
      const events = yield* Effect.forEach(
        sessions,
        (s) => DomainEvent.envelope(tenant, now, IdentityEvent.sessionDeleted(s, "expired"))
      )
      yield* Outbox.Outbox.use((o) => o.append(events))
      const entries = yield* Effect.forEach(
        sessions,
        (s) => AuditLog.entryFor(stamp, deleted("Session", s.id, Session.view(s)))
      )
      yield* AuditLog.AuditLog.use((a) => a.append(entries))
    })
  )
}
