/**
 * Fixtures for identity tests and contract suites: unique ids per suite and per call, builders for
 * every record type with sensible defaults, and command-level helpers (open a tenant, register a user,
 * give it a role, read an outcome) that every adapter's command tests share.
 */
import { Effect, Exit } from "effect"
import { Actor, type Ids, type Tenant } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import * as Access from "../Access.ts"
import { Account, type AccountId } from "../Account.ts"
import { Department, type DepartmentId } from "../Department.ts"
import { Employee, type EmployeeId } from "../Employee.ts"
import { Invitation, type InvitationId } from "../Invitation.ts"
import { Membership } from "../Membership.ts"
import * as Invitations from "../Invitations.ts"
import * as Memberships from "../Memberships.ts"
import { Organization, binCheckDigit } from "../Organization.ts"
import { Session, type SessionId } from "../Session.ts"
import { Setting, type SettingId } from "../Setting.ts"
import { User } from "../User.ts"
import * as Users from "../Users.ts"
import * as Organizations from "../Organizations.ts"
import { Verification, type VerificationId } from "../Verification.ts"
import { Workspace } from "../Workspace.ts"

/** FNV-1a of the text, 8 hex digits: separates the ids of two suites that share a database. */
const hash8 = (text: string): string => {
  let h = 0x811c9dc5
  for (const ch of text) {
    h ^= ch.codePointAt(0)!
    h = Math.imul(h, 0x01000193) >>> 0
  }
  return h.toString(16).padStart(8, "0")
}

/** A source of unique, reproducible ids, BINs and e-mails for one suite. */
export const makeFixtures = (suite: string) => {
  const prefix = hash8(suite)
  let n = 0
  const next = () => ++n
  const uuid = () => `${prefix}-0000-7000-8000-${next().toString(16).padStart(12, "0")}`
  const tenant = (): Tenant.Tenant => ({
    organizationId: uuid() as Ids.OrganizationId,
    workspaceId: uuid() as Ids.WorkspaceId
  })
  /** A 12-digit BIN with a valid check digit, unique per call. */
  const bin = (): string => {
    for (;;) {
      const body = (parseInt(prefix.slice(0, 5), 16) % 100_000).toString().padStart(5, "0") +
        next().toString().padStart(6, "0")
      const digit = binCheckDigit(`${body}0`)
      if (digit !== undefined) return `${body}${digit}`
    }
  }
  const email = () => `user${next()}.${prefix}@example.kz`
  return { uuid, tenant, bin, email }
}
export type Fixtures = ReturnType<typeof makeFixtures>

export const organization = (f: Fixtures, tenant: Tenant.Tenant, over: Partial<Organization> = {}): Organization =>
  new Organization({
    id: tenant.organizationId,
    name: "Org",
    bin: f.bin(),
    kind: "internal",
    customerId: null,
    legalName: null,
    email: null,
    phone: null,
    status: "active",
    createdAt: 1_000,
    updatedAt: 1_000,
    deletedAt: null,
    version: 1,
    ...over
  })

export const workspace = (
  tenant: Tenant.Tenant,
  createdBy: Ids.UserId | null,
  over: Partial<Workspace> = {}
): Workspace =>
  new Workspace({
    id: tenant.workspaceId,
    organizationId: tenant.organizationId,
    name: "Main",
    description: null,
    type: "main",
    status: "active",
    createdBy,
    createdAt: 1_000,
    updatedAt: 1_000,
    deletedAt: null,
    version: 1,
    ...over
  })

export const user = (f: Fixtures, organizationId: Ids.OrganizationId, over: Partial<User> = {}): User => {
  const email = f.email()
  return new User({
    id: f.uuid() as Ids.UserId,
    email,
    emailKey: email.toLowerCase(),
    name: "Ana",
    status: "pending",
    registrationStatus: "email_pending",
    emailVerified: false,
    banned: false,
    banReason: null,
    organizationId,
    createdAt: 1_000,
    updatedAt: 1_000,
    version: 1,
    ...over
  })
}

export const membership = (
  userId: Ids.UserId,
  organizationId: Ids.OrganizationId,
  over: Partial<Membership> = {}
): Membership =>
  new Membership({
    organizationId,
    userId,
    role: "employee",
    customerId: null,
    createdAt: 1_000,
    updatedAt: 1_000,
    version: 1,
    ...over
  })

export const invitation = (
  f: Fixtures,
  tenant: Tenant.Tenant,
  emailKey: string,
  over: Partial<Invitation> = {}
): Invitation =>
  new Invitation({
    id: f.uuid() as InvitationId,
    tenant,
    emailKey,
    role: "employee",
    customerId: null,
    status: "pending",
    invitedBy: null,
    expiresAt: 100_000,
    createdAt: 1_000,
    updatedAt: 1_000,
    version: 1,
    ...over
  })

export const session = (f: Fixtures, userId: Ids.UserId, tenant: Tenant.Tenant, over: Partial<Session> = {}): Session =>
  new Session({
    id: f.uuid() as SessionId,
    tokenHash: `hash-${f.uuid()}`,
    userId,
    tenant,
    createdAt: 1_000,
    expiresAt: 100_000,
    ipAddress: null,
    userAgent: null,
    ...over
  })

export const account = (f: Fixtures, userId: Ids.UserId, over: Partial<Account> = {}): Account =>
  new Account({
    id: f.uuid() as AccountId,
    userId,
    providerId: "google",
    accountId: `acc-${f.uuid()}`,
    createdAt: 1_000,
    ...over
  })

export const verification = (f: Fixtures, emailKey: string, over: Partial<Verification> = {}): Verification =>
  new Verification({
    id: f.uuid() as VerificationId,
    emailKey,
    codeHash: `hash-${f.uuid()}`,
    userId: null,
    type: "registration",
    usedAt: null,
    expiresAt: 100_000,
    createdAt: 1_000,
    ...over
  })

export const employee = (
  f: Fixtures,
  userId: Ids.UserId,
  tenant: Tenant.Tenant,
  over: Partial<Employee> = {}
): Employee =>
  new Employee({
    id: f.uuid() as EmployeeId,
    userId,
    tenant,
    departmentId: null,
    employeeNumber: null,
    position: null,
    status: "pending",
    createdAt: 1_000,
    updatedAt: 1_000,
    deletedAt: null,
    version: 1,
    ...over
  })

export const department = (f: Fixtures, tenant: Tenant.Tenant, over: Partial<Department> = {}): Department =>
  new Department({
    id: f.uuid() as DepartmentId,
    tenant,
    name: "Dept",
    code: null,
    parentId: null,
    isActive: true,
    createdAt: 1_000,
    updatedAt: 1_000,
    deletedAt: null,
    version: 1,
    ...over
  })

export const setting = (
  f: Fixtures,
  tenant: Tenant.Tenant,
  createdBy: Ids.UserId | null,
  over: Partial<Setting> = {}
): Setting =>
  new Setting({
    id: f.uuid() as SettingId,
    organizationId: tenant.organizationId,
    workspaceId: null,
    key: "general.locale",
    category: "general",
    dataType: "string",
    value: "kk-KZ",
    description: null,
    secret: false,
    readOnly: false,
    rules: {},
    createdBy,
    updatedBy: createdBy,
    createdAt: 1_000,
    updatedAt: 1_000,
    version: 1,
    ...over
  })

/**
 * The e-mails and BINs of this run. An e-mail carries a run-unique suffix, so test files that share
 * one database server never collide; a BIN is 5 digits of the run, a counter and a valid check digit
 * (unique within the run, and it passes with `IdentityConfig.binCheckDigit` on as well).
 */
const run = makeFixtures(`run-${globalThis.crypto.randomUUID()}`)
const runSuffix = run.uuid().slice(0, 8)
let emails = 0

/** A fresh e-mail address per call, unique across the files and runs sharing a server. */
export const freshEmail = (label = "user"): string => `${label}${++emails}.${runSuffix}@example.kz`

/** A fresh, valid BIN per call. */
export const freshBin = (): string => run.bin()

/** The error tag of a failed effect (defects as `Die:<defect>`), or "Success". */
export const outcome = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<string, never, R> =>
  Effect.map(
    Effect.exit(effect),
    (exit) =>
      Exit.isSuccess(exit)
        ? "Success"
        : exit.cause.reasons.map((
          r
        ) => (r._tag === "Fail"
          ? String((r.error as { _tag?: unknown })._tag)
          : `${r._tag}:${String((r as { defect?: unknown }).defect)}`)
        ).join(",")
  )

/** How the helpers fail, and what they need (annotated so their declarations stay portable). */
export type Failure = { readonly _tag: string }
type ServicesOf<F> = F extends (...args: ReadonlyArray<never>) => Effect.Effect<unknown, unknown, infer R> ? R : never
/** The services of every command of the given command modules (e.g. `typeof Users`). */
export type CommandServicesOf<M> = M extends unknown ? { readonly [K in keyof M]: ServicesOf<M[K]> }[keyof M] : never

/** Opens an organization as the system actor of the kernel's test tenant (like a host's onboarding). */
export const openTenant = (
  kind: "internal" | "customer" = "internal"
): Effect.Effect<Tenant.Tenant, Failure, ServicesOf<typeof Organizations.createOrganization>> =>
  Effect.map(
    Organizations.createOrganization(Actor.system(tenantA), { name: "Org", bin: freshBin(), kind }),
    (o): Tenant.Tenant => ({ organizationId: o.organization.id, workspaceId: o.workspace.id })
  )

/** Registers a user in `tenant` (the public command). */
export const register = (
  tenant: Tenant.Tenant,
  email = freshEmail(),
  name = "Ana"
): Effect.Effect<typeof Users.Registered.Type, Failure, ServicesOf<typeof Users.register>> =>
  Users.register(Access.anonymous(tenant), { email, name })

/**
 * The actor a signed-in user is in `tenant`, holding `role` there (what `Sessions.authenticate` gives
 * for a member with that role; a fresh registration holds `IdentityConfig.defaultRole`, `employee`).
 */
export const actorOf = (user: User, tenant: Tenant.Tenant, role: Actor.Role = "employee"): Actor.Actor => ({
  userId: user.id,
  roles: [role],
  tenant
})

/** A registered user with `role` in `tenant`, assigned by the system actor (a customer is linked to a CRM customer). */
export const userWithRole = (
  tenant: Tenant.Tenant,
  role: Actor.Role
): Effect.Effect<
  { readonly user: User; readonly membership: Membership; readonly actor: Actor.Actor },
  Failure,
  ServicesOf<typeof Users.register | typeof Memberships.assignRole>
> =>
  Effect.gen(function*() {
    const { user } = yield* register(tenant)
    const customer = role === "customer" ? { customerId: "0e000000-0000-7000-8000-000000000001" } : {}
    const membership = yield* Memberships.assignRole(Actor.system(tenant), { userId: user.id, role, ...customer })
    return { user, membership, actor: actorOf(user, tenant, membership.role) }
  })

/** Registers a user in `tenant` and verifies their e-mail with the code (both public commands). */
export const registerVerified = (
  tenant: Tenant.Tenant,
  email = freshEmail()
): Effect.Effect<User, Failure, ServicesOf<typeof Users.register | typeof Users.verifyEmail>> =>
  Effect.gen(function*() {
    const { verification } = yield* register(tenant, email)
    return yield* Users.verifyEmail(Access.anonymous(tenant), { email, code: verification.code })
  })

/**
 * `user` (with a verified e-mail) joins `tenant`'s organization the only way another organization's
 * user can: invited with `role` (here by the system actor), and accepting as themself.
 */
export const join = (
  tenant: Tenant.Tenant,
  user: User,
  role: Actor.Role = "employee"
): Effect.Effect<
  Membership,
  Failure,
  ServicesOf<typeof Invitations.inviteMember | typeof Invitations.acceptInvitation>
> =>
  Effect.gen(function*() {
    const invitation = yield* Invitations.inviteMember(Actor.system(tenant), { email: user.email, role })
    return yield* Invitations.acceptInvitation(Access.invitee(user.id, tenant), { invitationId: invitation.id })
  })
