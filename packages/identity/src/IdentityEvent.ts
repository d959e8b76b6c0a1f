/**
 * Identity's domain events (AUTH-18), as outbox drafts. Payloads never carry tokens, token hashes or
 * verification codes.
 */
import { type DomainEvent, type Ids } from "@erpkit/kernel"
import { type Session } from "./Session.ts"
import { type User } from "./User.ts"

export const types = {
  userCreated: "identity.UserCreated",
  userUpdated: "identity.UserUpdated",
  userDeleted: "identity.UserDeleted",
  sessionCreated: "identity.SessionCreated",
  sessionDeleted: "identity.SessionDeleted"
} as const

export type SessionDeletedReason = "logout" | "revoked" | "expired" | "user_deleted" | "banned"

export const userCreated = (user: User): DomainEvent.EventDraft => ({
  type: types.userCreated,
  aggregateType: "User",
  aggregateId: user.id,
  payload: { userId: user.id, email: user.email, role: user.role, organizationId: user.organizationId }
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
