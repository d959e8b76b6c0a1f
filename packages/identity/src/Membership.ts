/**
 * A membership: a user's place in one organization, and the role they hold there (seed 001
 * `users.organization_role`, seed 002 `user.role`, seed 003 `users.role`, per organization). Roles
 * belong to memberships, never to the user: what a user may do in organization A is decided by A's
 * administrators alone, and organization B can only change the user's membership of B (AUTH-02,
 * TEN-01; docs/identity.md, "Who may change what").
 *
 * Every user has one membership from birth, of their home organization (`register`); any other comes
 * from an invitation the user accepts (`Invitations.acceptInvitation`).
 */
import { Result, Schema } from "effect"
import { Actor, Errors, Ids, Instant, Invariants } from "@erpkit/kernel"
import { Version } from "./Versioned.ts"

export class Membership extends Schema.Class<Membership>("Membership")({
  organizationId: Ids.OrganizationId,
  userId: Ids.UserId,
  role: Actor.Role,
  /** Set exactly when `role` is `customer`: the CRM customer this user acts for in this organization (seed 003). */
  customerId: Schema.NullOr(Ids.CustomerId),
  /** UTC epoch milliseconds. */
  createdAt: Instant.Instant,
  updatedAt: Instant.Instant,
  /** Optimistic concurrency: +1 on every write (see `Versioned`). */
  version: Version
}) {}

/** The id of a membership in audit entries: `<organizationId>/<userId>`. */
export const auditId = (m: { readonly organizationId: string; readonly userId: string }): string =>
  `${m.organizationId}/${m.userId}`

// ---- invariants: broken ones are defects, checked after every transition --------------------------

export const invariants: ReadonlyArray<Invariants.Invariant<Membership>> = [
  ["customer role ⇔ customerId", (m) => (m.role === "customer") === (m.customerId !== null)],
  ["system role never held by a person", (m) => m.role !== "system"]
]

export const brokenInvariants = (m: Membership): ReadonlyArray<string> => Invariants.broken(invariants, m)

// ---- pure transitions -----------------------------------------------------------------------------

/** AUTH-07 + seed 003: a catalog role (never `system`); `customer` needs its CRM customer, others none. */
export const checkRole = (
  role: Actor.Role,
  customerId: Ids.CustomerId | null
): Result.Result<{ readonly role: Actor.Role; readonly customerId: Ids.CustomerId | null }, Errors.ValidationError> => {
  if (role === "system") {
    return Result.fail(Errors.ValidationError.at(["role"], "the system role cannot be assigned to a user"))
  }
  if (role === "customer" && customerId === null) {
    return Result.fail(Errors.ValidationError.at(["customerId"], "a customer user needs the CRM customer it acts for"))
  }
  if (role !== "customer" && customerId !== null) {
    return Result.fail(Errors.ValidationError.at(["customerId"], "only customer users link to a CRM customer"))
  }
  return Result.succeed({ role, customerId })
}

export interface NewMembership {
  readonly organizationId: Ids.OrganizationId
  readonly userId: Ids.UserId
  readonly role: Actor.Role
  readonly customerId: Ids.CustomerId | null
  readonly now: number
}

/** A new membership with a checked role. */
export const create = (input: NewMembership): Result.Result<Membership, Errors.ValidationError> =>
  Result.map(
    checkRole(input.role, input.customerId),
    ({ role, customerId }) =>
      new Membership({
        organizationId: input.organizationId,
        userId: input.userId,
        role,
        customerId,
        createdAt: input.now,
        updatedAt: input.now,
        version: 1
      })
  )

/** AUTH-02/07: the role the user holds in this organization (the version is the repository's business). */
export const assignRole = (
  m: Membership,
  role: Actor.Role,
  customerId: Ids.CustomerId | null,
  now: number
): Result.Result<Membership, Errors.ValidationError> =>
  Result.map(
    checkRole(role, customerId),
    (checked) =>
      checked.role === m.role && checked.customerId === m.customerId
        ? m
        : new Membership({ ...m, ...checked, updatedAt: now })
  )

/** The actor a member is in `tenant` (a workspace of the membership's organization). */
export const actorIn = (
  m: Membership,
  tenant: { readonly organizationId: Ids.OrganizationId; readonly workspaceId: Ids.WorkspaceId }
): Actor.Actor => ({ userId: m.userId, roles: [m.role], tenant })
