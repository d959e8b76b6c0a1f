/**
 * An invitation to join an organization (the consent step before another organization may employ a
 * user; docs/identity.md, "Who may change what"). An administrator invites an e-mail address with the
 * role the user will hold; only the user whose verified address it is can accept, once, before it
 * expires. Accepting creates the membership; the inviting organization never gains write power over
 * the user record itself.
 */
import { Result, Schema } from "effect"
import { Actor, type Errors, Ids, Instant, StateMachine, Tenant } from "@erpkit/kernel"
import { InvitationClosed } from "./IdentityError.ts"
import { Version } from "./Versioned.ts"

export const InvitationId = Ids.makeId("InvitationId")
export type InvitationId = typeof InvitationId.Type

export const InvitationStatus = Schema.Literals(["pending", "accepted", "declined", "revoked"])
export type InvitationStatus = typeof InvitationStatus.Type

/** Seven days, like most SaaS invitations; `IdentityConfig.invitationTtlMillis` changes it. */
export const defaultTtlMillis = 7 * 24 * 60 * 60 * 1000

export const statusMachine = StateMachine.make<InvitationStatus>({
  name: "InvitationStatus",
  states: ["pending", "accepted", "declined", "revoked"],
  initial: [{ state: "pending", label: "inviteMember" }],
  terminal: ["accepted", "declined", "revoked"],
  transitions: [
    { from: "pending", to: "accepted", label: "acceptInvitation" },
    { from: "pending", to: "declined", label: "declineInvitation" },
    { from: "pending", to: "revoked", label: "revokeInvitation" }
  ]
})

export class Invitation extends Schema.Class<Invitation>("Invitation")({
  id: InvitationId,
  /**
   * The organization that invites, and the workspace the invitation was sent from: where the invitee's
   * first session can open.
   */
  tenant: Tenant.Tenant,
  /** The uniqueness key of the invited address (`Email.keyOf`): only its verified holder may answer. */
  emailKey: Schema.String,
  role: Actor.Role,
  customerId: Schema.NullOr(Ids.CustomerId),
  status: InvitationStatus,
  /** Null when the system actor invited. */
  invitedBy: Schema.NullOr(Ids.UserId),
  /** UTC epoch milliseconds. */
  expiresAt: Instant.Instant,
  createdAt: Instant.Instant,
  updatedAt: Instant.Instant,
  version: Version
}) {}

export const isExpired = (i: Invitation, now: number): boolean => i.expiresAt <= now

/** The status change itself, checked against `statusMachine` (the model-based walk drives this). */
export const transition = (
  i: Invitation,
  to: InvitationStatus,
  now: number
): Result.Result<Invitation, Errors.InvalidTransition> =>
  Result.map(
    StateMachine.transition(statusMachine, i.status, to),
    (status) => new Invitation({ ...i, status, updatedAt: now })
  )

/** Why `i` can no longer be answered or revoked, if it cannot. */
const closed = (i: Invitation, now: number): InvitationClosed | undefined =>
  i.status !== "pending"
    ? new InvitationClosed({ invitationId: i.id, reason: i.status })
    : isExpired(i, now)
    ? new InvitationClosed({ invitationId: i.id, reason: "expired" })
    : undefined

/**
 * Answers a pending, unexpired invitation (accept or decline). Expiry is a fact of time, not a state:
 * an expired invitation stays `pending` in storage and can no longer be answered.
 */
export const answer = (
  i: Invitation,
  to: "accepted" | "declined",
  now: number
): Result.Result<Invitation, InvitationClosed | Errors.InvalidTransition> => {
  const refusal = closed(i, now)
  return refusal === undefined ? transition(i, to, now) : Result.fail(refusal)
}

/** The inviting organization withdraws a pending invitation (an expired one too: it tidies the list). */
export const revoke = (
  i: Invitation,
  now: number
): Result.Result<Invitation, InvitationClosed | Errors.InvalidTransition> =>
  i.status === "pending"
    ? transition(i, "revoked", now)
    : Result.fail(new InvitationClosed({ invitationId: i.id, reason: i.status }))
