/**
 * The user (one model for seed 002 `user`, 001 `users`, 003 `users`): a global identity (auth
 * schema) with a home organization, a status and a registration status (AUTH-19), the e-mail
 * verified flag (AUTH-05) and a ban with its reason (AUTH-08). Roles are not the user's: each
 * organization the user belongs to gives one in the user's `Membership` there (and, for customer
 * users of seed 003, the CRM customer they act for).
 */
import { Result, Schema } from "effect"
import { Errors, Ids, Instant, Invariants, StateMachine, Text as KernelText } from "@erpkit/kernel"
import { EmailNotVerified } from "./IdentityError.ts"
import { Version } from "./Versioned.ts"

export const UserStatus = Schema.Literals(["pending", "active", "inactive", "suspended"])
export type UserStatus = typeof UserStatus.Type
export const RegistrationStatus = Schema.Literals([
  "email_pending",
  "email_verified",
  "onboarding_pending",
  "completed"
])
export type RegistrationStatus = typeof RegistrationStatus.Type

export const statusMachine = StateMachine.make<UserStatus>({
  name: "UserStatus",
  states: ["pending", "active", "inactive", "suspended"],
  initial: [{ state: "pending", label: "register" }],
  terminal: [],
  transitions: [
    { from: "pending", to: "active", label: "verifyEmail / setUserStatus" },
    { from: "pending", to: "suspended", label: "setUserStatus" },
    { from: "active", to: "inactive", label: "setUserStatus" },
    { from: "inactive", to: "active", label: "setUserStatus" },
    { from: "active", to: "suspended", label: "setUserStatus" },
    { from: "suspended", to: "active", label: "setUserStatus" }
  ]
})

export const registrationMachine = StateMachine.make<RegistrationStatus>({
  name: "RegistrationStatus",
  states: ["email_pending", "email_verified", "onboarding_pending", "completed"],
  initial: [{ state: "email_pending", label: "register" }],
  terminal: ["completed"],
  transitions: [
    { from: "email_pending", to: "email_verified", label: "verifyEmail" },
    { from: "email_verified", to: "onboarding_pending", label: "advanceRegistration" },
    { from: "onboarding_pending", to: "completed", label: "advanceRegistration" }
  ]
})

export class User extends Schema.Class<User>("User")({
  id: Ids.UserId,
  /** As typed, trimmed and NFC-normalized (see `Email.normalize`). */
  email: Schema.String,
  /** The uniqueness key (lower-cased). */
  emailKey: Schema.String,
  name: Schema.String,
  status: UserStatus,
  registrationStatus: RegistrationStatus,
  emailVerified: Schema.Boolean,
  banned: Schema.Boolean,
  banReason: Schema.NullOr(Schema.String),
  /**
   * Home organization (seed 003 `users.organization_id`): the one whose administrators may change this
   * record, set at registration and never moved.
   */
  organizationId: Ids.OrganizationId,
  /** UTC epoch milliseconds. */
  createdAt: Instant.Instant,
  updatedAt: Instant.Instant,
  /** Optimistic concurrency: +1 on every write (see `Versioned`). */
  version: Version
}) {}

/**
 * Input text: trimmed, then non-empty, at most `max` characters and storable (no NUL, no lone UTF-16
 * surrogate): the kernel's `Text.Trimmed` (AUTH-04 for names).
 */
export const RequiredText = KernelText.Trimmed

// ---- invariants: broken ones are defects, checked after every transition in tests -------------

export const invariants: ReadonlyArray<Invariants.Invariant<User>> = [
  [
    "AUTH-08 banned ⇒ non-empty reason",
    (u) => (u.banned ? (u.banReason ?? "").trim().length > 0 : u.banReason === null)
  ],
  ["AUTH-04 name present", (u) => u.name.trim().length > 0],
  [
    "email verified once registration passed email_pending",
    (u) => u.registrationStatus === "email_pending" || u.status !== "pending"
  ]
]

export const brokenInvariants = (u: User): ReadonlyArray<string> => Invariants.broken(invariants, u)

// ---- pure transitions ---------------------------------------------------------------------------

export interface NewUser {
  readonly id: Ids.UserId
  readonly email: { readonly display: string; readonly key: string }
  readonly name: string
  readonly organizationId: Ids.OrganizationId
  readonly now: number
}

/** AUTH-01/04/05: a fresh registration, e-mail unverified, status pending. */
export const register = (input: NewUser): User =>
  new User({
    id: input.id,
    email: input.email.display,
    emailKey: input.email.key,
    name: input.name,
    status: "pending",
    registrationStatus: "email_pending",
    emailVerified: false,
    banned: false,
    banReason: null,
    organizationId: input.organizationId,
    createdAt: input.now,
    updatedAt: input.now,
    version: 1
  })

/** The e-mail was proven: verified flag, registration step, and a pending user becomes active. */
export const verifyEmail = (user: User, now: number): User =>
  new User({
    ...user,
    emailVerified: true,
    registrationStatus: user.registrationStatus === "email_pending" ? "email_verified" : user.registrationStatus,
    status: user.status === "pending" ? "active" : user.status,
    updatedAt: now
  })

/** AUTH-06: a new address must be proven again. */
export const changeEmail = (user: User, email: { readonly display: string; readonly key: string }, now: number): User =>
  user.emailKey === email.key && user.email === email.display
    ? user
    : new User({
      ...user,
      email: email.display,
      emailKey: email.key,
      emailVerified: user.emailKey === email.key && user.emailVerified,
      updatedAt: now
    })

/** AUTH-08: a ban always carries its reason. */
export const ban = (user: User, reason: string, now: number): Result.Result<User, Errors.ValidationError> => {
  const trimmed = reason.trim()
  if (trimmed.length === 0) return Result.fail(Errors.ValidationError.at(["reason"], "a ban needs a non-empty reason"))
  return Result.succeed(new User({ ...user, banned: true, banReason: trimmed, updatedAt: now }))
}

export const unban = (user: User, now: number): User =>
  new User({ ...user, banned: false, banReason: null, updatedAt: now })

/** AUTH-19: status changes follow `statusMachine`. */
export const setStatus = (user: User, to: UserStatus, now: number): Result.Result<User, Errors.InvalidTransition> =>
  Result.map(
    StateMachine.transition(statusMachine, user.status, to),
    (status) => new User({ ...user, status, updatedAt: now })
  )

/** AUTH-19: the registration steps after e-mail verification follow `registrationMachine`. */
export const advanceRegistration = (
  user: User,
  to: RegistrationStatus,
  now: number
): Result.Result<User, Errors.InvalidTransition | EmailNotVerified> =>
  Result.flatMap(StateMachine.transition(registrationMachine, user.registrationStatus, to), (registrationStatus) =>
    // past email_pending only with a proven address (`verifyEmail` moves a pending user there itself)
    user.status === "pending" && registrationStatus !== "email_pending"
      ? Result.fail(new EmailNotVerified({ userId: user.id }))
      : Result.succeed(new User({ ...user, registrationStatus, updatedAt: now })))

export const rename = (user: User, name: string, now: number): User =>
  name === user.name ? user : new User({ ...user, name, updatedAt: now })

/** Why the user may not open a session, if any. */
export const loginBlock = (user: User): "banned" | "suspended" | "inactive" | undefined =>
  user.banned
    ? "banned"
    : user.status === "suspended"
    ? "suspended"
    : user.status === "inactive"
    ? "inactive"
    : undefined
