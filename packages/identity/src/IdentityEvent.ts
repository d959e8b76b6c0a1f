/**
 * Identity's domain events (AUTH-18), as outbox drafts. Payloads never carry tokens, token hashes or
 * verification codes.
 */
import type { Actor, DomainEvent, Ids } from "@erpkit/kernel"
import type { Membership } from "./Membership.ts"
import type { Session } from "./Session.ts"
import type { User } from "./User.ts"

export const types = {
  userCreated: "identity.UserCreated",
  userUpdated: "identity.UserUpdated",
  userDeleted: "identity.UserDeleted",
  sessionCreated: "identity.SessionCreated",
  sessionDeleted: "identity.SessionDeleted",
  memberJoined: "identity.MemberJoined",
  memberRoleChanged: "identity.MemberRoleChanged",
  memberRemoved: "identity.MemberRemoved"
} as const

export type SessionDeletedReason = "logout" | "revoked" | "expired" | "user_deleted" | "banned"

/** `role` is the one the user holds in their home organization (`organizationId`). */
export const userCreated = (user: User, role: Actor.Role): DomainEvent.EventDraft => ({
  type: types.userCreated,
  aggregateType: "User",
  aggregateId: user.id,
  payload: { userId: user.id, email: user.email, role, organizationId: user.organizationId }
})

export const userUpdated = (user: User, changedFields: ReadonlyArray<string>): DomainEvent.EventDraft => ({
  type: types.userUpdated,
  aggregateType: "User",
  aggregateId: user.id,
  payload: { userId: user.id, changedFields: [...changedFields] }
})

export const userDeleted = (userId: Ids.UserId): DomainEvent.EventDraft => ({
  type: types.userDeleted,
  aggregateType: "User",
  aggregateId: userId,
  payload: { userId }
})

export const sessionCreated = (s: Session): DomainEvent.EventDraft => ({
  type: types.sessionCreated,
  aggregateType: "Session",
  aggregateId: s.id,
  payload: { sessionId: s.id, userId: s.userId, expiresAt: s.expiresAt }
})

export const sessionDeleted = (s: Session, reason: SessionDeletedReason): DomainEvent.EventDraft => ({
  type: types.sessionDeleted,
  aggregateType: "Session",
  aggregateId: s.id,
  payload: { sessionId: s.id, userId: s.userId, reason }
})

/** A user became a member of an organization (by accepting its invitation). */
export const memberJoined = (m: Membership): DomainEvent.EventDraft => ({
  type: types.memberJoined,
  aggregateType: "Membership",
  aggregateId: `${m.organizationId}/${m.userId}`,
  payload: { organizationId: m.organizationId, userId: m.userId, role: m.role }
})

export const memberRoleChanged = (before: Membership, after: Membership): DomainEvent.EventDraft => ({
  type: types.memberRoleChanged,
  aggregateType: "Membership",
  aggregateId: `${after.organizationId}/${after.userId}`,
  payload: { organizationId: after.organizationId, userId: after.userId, from: before.role, to: after.role }
})

export const memberRemoved = (m: Membership): DomainEvent.EventDraft => ({
  type: types.memberRemoved,
  aggregateType: "Membership",
  aggregateId: `${m.organizationId}/${m.userId}`,
  payload: { organizationId: m.organizationId, userId: m.userId }
})
