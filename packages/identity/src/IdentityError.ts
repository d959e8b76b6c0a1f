/**
 * Errors of the identity context. Unknown records, forbidden actions and bad transitions use the
 * kernel's shared errors (`NotFound`, `Forbidden`, `InvalidTransition`, `Immutable`, `ValidationError`,
 * `StaleVersion`); these tags cover what only identity knows, among them every uniqueness clash a
 * caller can cause (`EmailTaken`, `BinTaken`, `DepartmentCodeTaken`, `EmployeeNumberTaken`,
 * `AlreadyEmployed`, `AlreadyMember`, `SettingKeyTaken`, `AccountLinked`) and every state that refuses a
 * deletion (`DepartmentHasChildren`, `UserStillMember`, `WorkspaceInUse`). The kernel's `Conflict` remains
 * only for a reused id or token hash, which a caller cannot cause.
 */
import { Schema } from "effect"

/**
 * A verification code did not check out. `reason` says why; `expired` and `used` are only reported
 * for a matching code, so they reveal nothing to someone guessing. The code itself is never echoed.
 */
export class VerificationFailed extends Schema.TaggedError<VerificationFailed>()("VerificationFailed", {
  reason: Schema.Literals(["mismatch", "expired", "used"])
}) {
  override get message(): string {
    return `verification failed: ${this.reason}`
  }
}

/** AUTH-03/06: another user has this e-mail address (compared case-insensitively, NFC). */
export class EmailTaken extends Schema.TaggedError<EmailTaken>()("EmailTaken", {}) {
  override get message(): string {
    return "email is already registered"
  }
}

/** TEN-02/06: a live organization already has this BIN. */
export class BinTaken extends Schema.TaggedError<BinTaken>()("BinTaken", { bin: Schema.String }) {
  override get message(): string {
    return `BIN ${this.bin} is already used by a live organization`
  }
}

/** TEN-04/06: a live department of the organization already has this code. */
export class DepartmentCodeTaken
  extends Schema.TaggedError<DepartmentCodeTaken>()("DepartmentCodeTaken", { code: Schema.String })
{
  override get message(): string {
    return `department code ${this.code} is taken in this organization`
  }
}

/** TEN-03/06: a live employee of the organization already has this employee number. */
export class EmployeeNumberTaken
  extends Schema.TaggedError<EmployeeNumberTaken>()("EmployeeNumberTaken", { employeeNumber: Schema.String })
{
  override get message(): string {
    return `employee number ${this.employeeNumber} is taken in this organization`
  }
}

/** TEN-03: the user already has a live employment in the organization (one per user and organization). */
export class AlreadyEmployed
  extends Schema.TaggedError<AlreadyEmployed>()("AlreadyEmployed", { userId: Schema.String })
{
  override get message(): string {
    return `user ${this.userId} is already an employee of this organization`
  }
}

/** The user is already a member of the organization (a second membership, or inviting a member). */
export class AlreadyMember
  extends Schema.TaggedError<AlreadyMember>()("AlreadyMember", { userId: Schema.String, organizationId: Schema.String })
{
  override get message(): string {
    return `user ${this.userId} is already a member of organization ${this.organizationId}`
  }
}

/** TEN-08: a setting with this key already exists at this scope (organization-wide or the workspace's). */
export class SettingKeyTaken extends Schema.TaggedError<SettingKeyTaken>()("SettingKeyTaken", {
  key: Schema.String,
  scope: Schema.Literals(["organization", "workspace"])
}) {
  override get message(): string {
    return `setting ${this.key} already exists at the ${this.scope} scope`
  }
}

/** AUTH-17: this provider account is already linked (to this user or another). */
export class AccountLinked
  extends Schema.TaggedError<AccountLinked>()("AccountLinked", { providerId: Schema.String, accountId: Schema.String })
{
  override get message(): string {
    return `the ${this.providerId} account ${this.accountId} is already linked`
  }
}

/** A session token is unknown or past its expiry. Which of the two is deliberately not said. */
export class SessionInvalid extends Schema.TaggedError<SessionInvalid>()("SessionInvalid", {}) {
  override get message(): string {
    return "session is invalid or expired"
  }
}

/** The user may not sign in (banned, suspended or inactive). */
export class LoginRefused extends Schema.TaggedError<LoginRefused>()("LoginRefused", {
  userId: Schema.String,
  reason: Schema.Literals(["banned", "suspended", "inactive"])
}) {
  override get message(): string {
    return `user ${this.userId} may not sign in: ${this.reason}`
  }
}

/** Moving a department under `parentId` would close a loop in the tree (TEN-04). */
export class DepartmentCycle extends Schema.TaggedError<DepartmentCycle>()("DepartmentCycle", {
  departmentId: Schema.String,
  parentId: Schema.String
}) {
  override get message(): string {
    return `department ${this.departmentId} cannot move under ${this.parentId}: the tree would have a cycle`
  }
}

/**
 * An invitation can no longer be answered or revoked: it was already accepted, declined or revoked,
 * or its time ran out (`expired`). Only ever said to the invitee or to the inviting organization.
 */
export class InvitationClosed extends Schema.TaggedError<InvitationClosed>()("InvitationClosed", {
  invitationId: Schema.String,
  reason: Schema.Literals(["accepted", "declined", "revoked", "expired"])
}) {
  override get message(): string {
    return `invitation ${this.invitationId} is closed: ${this.reason}`
  }
}

/** An invitation is answered only by the holder of the invited address once it is verified. */
export class EmailNotVerified
  extends Schema.TaggedError<EmailNotVerified>()("EmailNotVerified", { userId: Schema.String })
{
  override get message(): string {
    return `user ${this.userId} must verify their e-mail address first`
  }
}

/**
 * The user's home membership is part of the user: it ends only when the home organization deletes the
 * user, never by removing the member.
 */
export class HomeMembership extends Schema.TaggedError<HomeMembership>()("HomeMembership", {
  userId: Schema.String,
  organizationId: Schema.String
}) {
  override get message(): string {
    return `organization ${this.organizationId} is the home of user ${this.userId}: delete the user instead`
  }
}

/** TEN-06: a department with live sub-departments cannot be deleted; delete or move them first. */
export class DepartmentHasChildren extends Schema.TaggedError<DepartmentHasChildren>()("DepartmentHasChildren", {
  departmentId: Schema.String,
  childCount: Schema.Number
}) {
  override get message(): string {
    return `department ${this.departmentId} still has ${this.childCount} live sub-department(s)`
  }
}

/** A user who is still a member of other organizations cannot be deleted: they must leave them first. */
export class UserStillMember extends Schema.TaggedError<UserStillMember>()("UserStillMember", {
  userId: Schema.String,
  organizationIds: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `user ${this.userId} is still a member of ${this.organizationIds.length} other organization(s)`
  }
}

/** The workspace the actor is working in cannot be deleted from inside it. */
export class WorkspaceInUse
  extends Schema.TaggedError<WorkspaceInUse>()("WorkspaceInUse", { workspaceId: Schema.String })
{
  override get message(): string {
    return `workspace ${this.workspaceId} is the one you are working in`
  }
}

/** The acting user no longer exists (deleted after the `Actor` was made): sign in again. */
export class ActorUnknown extends Schema.TaggedError<ActorUnknown>()("ActorUnknown", {
  actorId: Schema.String
}) {
  override get message(): string {
    return `the acting user ${this.actorId} no longer exists`
  }
}
