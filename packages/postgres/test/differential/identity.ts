/**
 * Identity for the differential suite (issue 13): organizations, workspaces, users (registration,
 * verification, profile, e-mail change, ban, status, deletion), memberships, invitations, departments,
 * employees, role permissions, settings, sessions, linked accounts and verification codes, through the
 * public commands. Users are global in Postgres (one `auth.users` per database), so every e-mail and
 * BIN carries the run's prefix; the memory side gets the same inputs.
 */
import { Effect } from "effect"
import { Actor, type Ids, type Tenant } from "@erpkit/kernel"
import * as fc from "fast-check"
import {
  Access,
  Accounts,
  Departments,
  Employees,
  Invitations,
  Memberships,
  Organization,
  Organizations,
  Permissions,
  Roles,
  type SecureRandom,
  Sessions,
  Settings,
  Users,
  Verifications,
  Workspaces
} from "@erpkit/identity"
import { type ManualClock, normalizedOutcome, platformRecords, type Step } from "./harness.ts"

const names = ["Ana", "O'Brien", "Қазақ ✓", "'; DROP TABLE auth.users; --", "$$ %s"]
/** Roles a step may give or configure; "owner" (last) only by RolePermissions. */
const roles = ["admin", "manager", "employee", "customer", "Finance Manager", "owner"] as const
const slots = 6

export type Op =
  | { readonly _tag: "Register"; readonly slot: number; readonly name: number }
  | { readonly _tag: "VerifyEmail"; readonly user: number; readonly wrong: boolean }
  | { readonly _tag: "UpdateProfile"; readonly user: number; readonly self: boolean; readonly name: number }
  | { readonly _tag: "ChangeEmail"; readonly user: number; readonly slot: number }
  | { readonly _tag: "RequestEmailChange"; readonly user: number; readonly slot: number }
  | { readonly _tag: "ConfirmEmailChange"; readonly user: number; readonly wrong: boolean }
  | { readonly _tag: "Ban"; readonly user: number; readonly undo: boolean }
  | {
    readonly _tag: "SetUserStatus"
    readonly user: number
    readonly status: "pending" | "active" | "inactive" | "suspended"
  }
  | {
    readonly _tag: "AdvanceRegistration"
    readonly user: number
    readonly to: "email_verified" | "onboarding_pending" | "completed"
  }
  | { readonly _tag: "DeleteUser"; readonly user: number }
  | { readonly _tag: "AssignRole"; readonly user: number; readonly role: number }
  | { readonly _tag: "RemoveMember"; readonly user: number }
  | { readonly _tag: "Invite"; readonly slot: number; readonly role: number; readonly other: boolean }
  | {
    readonly _tag: "AnswerInvitation"
    readonly invitation: number
    readonly user: number
    readonly answer: "accept" | "decline" | "revoke"
  }
  | {
    readonly _tag: "CreateWorkspace"
    readonly type: "division" | "project" | "branch" | "main"
    readonly name: number
  }
  | {
    readonly _tag: "ChangeWorkspace"
    readonly workspace: number
    readonly change: "rename" | "inactive" | "archived" | "active" | "delete"
  }
  | {
    readonly _tag: "ChangeOrganization"
    readonly change: "rename" | "bin" | "takenBin" | "suspended" | "active" | "deleteOther"
  }
  | { readonly _tag: "CreateDepartment"; readonly parent: number | null; readonly code: number | null }
  | {
    readonly _tag: "ChangeDepartment"
    readonly department: number
    readonly change: "rename" | "deactivate" | "move" | "moveToRoot" | "delete"
    readonly to: number
  }
  | { readonly _tag: "Hire"; readonly user: number; readonly department: number | null }
  | {
    readonly _tag: "ChangeEmployee"
    readonly employee: number
    readonly change: "position" | "active" | "inactive" | "terminated" | "remove"
  }
  | { readonly _tag: "RolePermissions"; readonly role: number; readonly reset: boolean; readonly keep: number }
  | {
    readonly _tag: "DefineSetting"
    readonly key: number
    readonly workspace: boolean
    readonly type: "string" | "number" | "boolean" | "json"
  }
  | { readonly _tag: "ChangeSetting"; readonly setting: number; readonly delete: boolean; readonly value: number }
  | { readonly _tag: "CreateSession"; readonly user: number; readonly ttlHours: number | null }
  | {
    readonly _tag: "UseSession"
    readonly session: number
    readonly use: "authenticate" | "tampered" | "update" | "logout" | "revoke"
  }
  | { readonly _tag: "LinkAccount"; readonly user: number; readonly provider: number }
  | { readonly _tag: "UnlinkAccount"; readonly account: number }
  | {
    readonly _tag: "IssueCode"
    readonly slot: number
    readonly type: "registration" | "password_reset" | "email_change"
  }
  | { readonly _tag: "ConsumeCode"; readonly code: number; readonly wrong: boolean }
  | { readonly _tag: "Tick"; readonly hours: number }
  | {
    readonly _tag: "Forged"
    readonly kind: "user" | "workspace" | "department" | "employee" | "invitation" | "session" | "setting"
  }

const i = fc.nat({ max: 9 })
const w = <A>(weight: number, arbitrary: fc.Arbitrary<A>) => ({ weight, arbitrary })
const t = <T extends string>(tag: T) => fc.constant(tag)
const of = <T extends string>(...xs: ReadonlyArray<T>) => fc.constantFrom(...xs)
const slot = fc.nat({ max: slots - 1 })

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  w(4, fc.record({ _tag: t("Register"), slot, name: fc.nat({ max: names.length - 1 }) })),
  w(3, fc.record({ _tag: t("VerifyEmail"), user: i, wrong: fc.boolean() })),
  w(1, fc.record({ _tag: t("UpdateProfile"), user: i, self: fc.boolean(), name: fc.nat({ max: names.length - 1 }) })),
  w(1, fc.record({ _tag: t("ChangeEmail"), user: i, slot })),
  w(1, fc.record({ _tag: t("RequestEmailChange"), user: i, slot })),
  w(1, fc.record({ _tag: t("ConfirmEmailChange"), user: i, wrong: fc.boolean() })),
  w(1, fc.record({ _tag: t("Ban"), user: i, undo: fc.boolean() })),
  w(1, fc.record({ _tag: t("SetUserStatus"), user: i, status: of("pending", "active", "inactive", "suspended") })),
  w(
    1,
    fc.record({ _tag: t("AdvanceRegistration"), user: i, to: of("email_verified", "onboarding_pending", "completed") })
  ),
  w(1, fc.record({ _tag: t("DeleteUser"), user: i })),
  w(2, fc.record({ _tag: t("AssignRole"), user: i, role: fc.nat({ max: roles.length - 2 }) })),
  w(1, fc.record({ _tag: t("RemoveMember"), user: i })),
  w(2, fc.record({ _tag: t("Invite"), slot, role: fc.nat({ max: roles.length - 2 }), other: fc.boolean() })),
  w(
    2,
    fc.record({
      _tag: t("AnswerInvitation"),
      invitation: i,
      user: i,
      answer: of("accept", "accept", "decline", "revoke")
    })
  ),
  w(
    1,
    fc.record({
      _tag: t("CreateWorkspace"),
      type: of("division", "project", "branch", "main"),
      name: fc.nat({ max: names.length - 1 })
    })
  ),
  w(
    1,
    fc.record({
      _tag: t("ChangeWorkspace"),
      workspace: i,
      change: of("rename", "inactive", "archived", "active", "delete")
    })
  ),
  w(
    1,
    fc.record({
      _tag: t("ChangeOrganization"),
      change: of("rename", "bin", "takenBin", "suspended", "active", "deleteOther")
    })
  ),
  w(
    2,
    fc.record({
      _tag: t("CreateDepartment"),
      parent: fc.option(i, { nil: null }),
      code: fc.option(fc.nat({ max: 3 }), { nil: null })
    })
  ),
  w(
    2,
    fc.record({
      _tag: t("ChangeDepartment"),
      department: i,
      change: of("rename", "deactivate", "move", "moveToRoot", "delete"),
      to: i
    })
  ),
  w(2, fc.record({ _tag: t("Hire"), user: i, department: fc.option(i, { nil: null }) })),
  w(
    2,
    fc.record({
      _tag: t("ChangeEmployee"),
      employee: i,
      change: of("position", "active", "inactive", "terminated", "remove")
    })
  ),
  w(
    1,
    fc.record({
      _tag: t("RolePermissions"),
      role: fc.nat({ max: roles.length - 1 }),
      reset: fc.boolean(),
      keep: fc.nat({ max: 5 })
    })
  ),
  w(
    2,
    fc.record({
      _tag: t("DefineSetting"),
      key: fc.nat({ max: 3 }),
      workspace: fc.boolean(),
      type: of("string", "number", "boolean", "json")
    })
  ),
  w(1, fc.record({ _tag: t("ChangeSetting"), setting: i, delete: fc.boolean(), value: fc.nat({ max: 3 }) })),
  w(
    2,
    fc.record({
      _tag: t("CreateSession"),
      user: i,
      ttlHours: fc.option(fc.integer({ min: 1, max: 72 }), { nil: null })
    })
  ),
  w(
    3,
    fc.record({
      _tag: t("UseSession"),
      session: i,
      use: of("authenticate", "authenticate", "tampered", "update", "logout", "revoke")
    })
  ),
  w(1, fc.record({ _tag: t("LinkAccount"), user: i, provider: fc.nat({ max: 2 }) })),
  w(1, fc.record({ _tag: t("UnlinkAccount"), account: i })),
  w(1, fc.record({ _tag: t("IssueCode"), slot, type: of("registration", "password_reset", "email_change") })),
  w(1, fc.record({ _tag: t("ConsumeCode"), code: i, wrong: fc.boolean() })),
  w(1, fc.record({ _tag: t("Tick"), hours: fc.integer({ min: 1, max: 24 * 10 }) })),
  w(
    1,
    fc.record({
      _tag: t("Forged"),
      kind: of("user", "workspace", "department", "employee", "invitation", "session", "setting")
    })
  )
)

/** A 12-digit BIN with a valid check digit, from the run's prefix and `n` (deterministic, unique per run). */
const binOf = (prefix: string, n: number): string => {
  for (let k = 0;; k++) {
    const body = ((parseInt(prefix, 16) % 10_000_000) * 10_000 + n * 100 + k).toString().padStart(11, "0").slice(-11)
    const digit = Organization.binCheckDigit(`${body}0`)
    if (digit !== undefined) return `${body}${digit}`
  }
}

interface KnownUser {
  readonly id: Ids.UserId
  email: string
  registrationCode: string | null
  /** Known to have verified the e-mail (a successful VerifyEmail). */
  verified?: boolean
  emailChange: { readonly email: string; readonly code: string } | null
}

/** What a run has created, by the ids its results returned (equal on both sides). */
export class World {
  readonly root: Tenant.Tenant
  tenant: Tenant.Tenant
  other: Tenant.Tenant | null = null
  owner: Actor.Actor
  readonly users: Array<KnownUser> = []
  readonly otherUsers: Array<KnownUser> = []
  readonly invitations: Array<{ readonly id: string; readonly email: string }> = []
  readonly workspaces: Array<string> = []
  readonly departments: Array<string> = []
  readonly employees: Array<string> = []
  readonly settings: Array<string> = []
  readonly sessions: Array<{ readonly id: string; readonly token: string }> = []
  readonly accounts: Array<string> = []
  readonly codes: Array<{ readonly email: string; readonly type: Verification; readonly code: string }> = []
  readonly bins: Array<string> = []
  readonly prefix: string
  readonly clock: ManualClock
  constructor(prefix: string, clock: ManualClock) {
    this.prefix = prefix
    this.clock = clock
    this.root = {
      organizationId: `${prefix}-0a0a-7000-8000-000000000001` as Ids.OrganizationId,
      workspaceId: `${prefix}-0a0a-7000-8000-000000000002` as Ids.WorkspaceId
    }
    this.tenant = this.root
    this.owner = Actor.system(this.root)
  }
  email(slot: number): string {
    return `u${slot}.${this.prefix}@example.kz`
  }
  bin(): string {
    const bin = binOf(this.prefix, this.bins.length + 1)
    this.bins.push(bin)
    return bin
  }
  forged(): string {
    return `${this.prefix}-ffff-7000-8000-000000000001`
  }
  get system(): Actor.Actor {
    return Actor.system(this.tenant)
  }
}
type Verification = "registration" | "password_reset" | "email_change"

const pick = <A>(xs: ReadonlyArray<A>, n: number): A | undefined => (xs.length === 0 ? undefined : xs[n % xs.length])
const none = () => {}
const self = (world: World, user: KnownUser): Actor.Actor => ({
  userId: user.id,
  roles: ["employee"],
  tenant: world.tenant
})
const wrongCode = "000000"

/** Users: registration, verification, profile, e-mail, ban, status, deletion. */
const userStep = (world: World, op: Op): Step | undefined => {
  const user = "user" in op ? pick(world.users, op.user) : undefined
  switch (op._tag) {
    case "Register": {
      const email = world.email(op.slot)
      return {
        effect: Users.register(Access.anonymous(world.tenant), { email, name: names[op.name]! }),
        record: (r: { user: { id: Ids.UserId }; verification: { code: string } }) =>
          world.users.push({ id: r.user.id, email, registrationCode: r.verification.code, emailChange: null })
      }
    }
    case "VerifyEmail":
      return user === undefined ?
        undefined :
        {
          effect: Users.verifyEmail(Access.anonymous(world.tenant), {
            email: user.email,
            code: op.wrong ? wrongCode : user.registrationCode ?? wrongCode
          }),
          record: () => (user.verified = true)
        }
    case "UpdateProfile":
      return user === undefined
        ? undefined
        : {
          effect: Users.updateProfile(op.self ? self(world, user) : world.owner, {
            userId: user.id,
            name: names[op.name]!
          }),
          record: none
        }
    case "ChangeEmail": {
      if (user === undefined) return undefined
      const email = world.email(op.slot)
      return { effect: Users.changeEmail(world.owner, { userId: user.id, email }), record: () => (user.email = email) }
    }
    case "RequestEmailChange": {
      if (user === undefined) return undefined
      const email = `new.${world.email(op.slot)}`
      return {
        effect: Users.requestEmailChange(self(world, user), { userId: user.id, email }),
        record: (c: { code: string }) => (user.emailChange = { email, code: c.code })
      }
    }
    case "ConfirmEmailChange": {
      if (user === undefined || user.emailChange === null) return undefined
      const change = user.emailChange
      return {
        effect: Users.confirmEmailChange(self(world, user), {
          userId: user.id,
          email: change.email,
          code: op.wrong ? wrongCode : change.code
        }),
        record: () => (user.email = change.email)
      }
    }
    case "Ban":
      return user === undefined ?
        undefined :
        {
          effect: op.undo
            ? Users.unbanUser(world.owner, { userId: user.id })
            : Users.banUser(world.owner, { userId: user.id, reason: names[3]! }),
          record: none
        }
    case "SetUserStatus":
      return user === undefined
        ? undefined
        : { effect: Users.setUserStatus(world.owner, { userId: user.id, status: op.status }), record: none }
    case "AdvanceRegistration":
      // not to email_verified for a user not known to be verified: that dies with InvariantBroken on both
      // sides (a known identity defect, pinned by its own test) instead of a typed refusal
      return user === undefined || (op.to === "email_verified" && user.verified !== true) ?
        undefined :
        { effect: Users.advanceRegistration(world.owner, { userId: user.id, to: op.to }), record: none }
    case "DeleteUser": {
      // never the acting owner (users[0]): a deleted user's actor writing a setting is a known divergence
      // (memory accepts, Postgres dies on settings_updated_by_fkey), pinned by its own test
      const target = pick(world.users.slice(1), op.user)
      return target === undefined
        ? undefined
        : { effect: Users.deleteUser(world.owner, { userId: target.id }), record: none }
    }
    default:
      return undefined
  }
}

/** Memberships and invitations (to a new address, or to a user of the other organization). */
const memberStep = (world: World, op: Op): Step | undefined => {
  switch (op._tag) {
    case "AssignRole": {
      const user = pick(world.users, op.user)
      const customer = roles[op.role] === "customer"
        ? { customerId: `${world.prefix}-cccc-7000-8000-000000000001` }
        : {}
      return user === undefined
        ? undefined
        : {
          effect: Memberships.assignRole(world.owner, { userId: user.id, role: roles[op.role]!, ...customer }),
          record: none
        }
    }
    case "RemoveMember": {
      // a member who joined by invitation (their home is elsewhere) first, then any user
      const user = pick([...world.otherUsers, ...world.users], op.user)
      return user === undefined
        ? undefined
        : { effect: Memberships.removeMember(world.owner, { userId: user.id }), record: none }
    }
    case "Invite": {
      const email = op.other
        ? pick(world.otherUsers, op.slot)?.email ?? world.email(op.slot + 10)
        : world.email(op.slot + 10)
      const customer = roles[op.role] === "customer"
        ? { customerId: `${world.prefix}-cccc-7000-8000-000000000002` }
        : {}
      return {
        effect: Invitations.inviteMember(world.owner, { email, role: roles[op.role]!, ...customer }),
        record: (inv: { id: string }) => world.invitations.push({ id: inv.id, email })
      }
    }
    case "AnswerInvitation": {
      const invitation = pick(world.invitations, op.invitation)
      if (invitation === undefined) return undefined
      const invited = [...world.otherUsers, ...world.users].find((u) => u.email === invitation.email) ??
        pick(world.users, op.user)
      if (invited === undefined) return undefined
      const as = Access.invitee(invited.id, world.tenant)
      const input = { invitationId: invitation.id }
      const effect = op.answer === "accept" ?
        Invitations.acceptInvitation(as, input)
        : op.answer === "decline" ?
        Invitations.declineInvitation(as, input)
        : Invitations.revokeInvitation(world.owner, input)
      return { effect, record: none }
    }
    default:
      return undefined
  }
}

/** Organizations (the run's own and the other one) and workspaces. */
const orgStep = (world: World, op: Op): Step | undefined => {
  const o = world.owner
  switch (op._tag) {
    case "CreateWorkspace":
      return {
        effect: Workspaces.createWorkspace(o, {
          name: names[op.name]!,
          type: op.type,
          description: names[(op.name + 1) % names.length]!
        }),
        record: (ws: { id: string }) => world.workspaces.push(ws.id)
      }
    case "ChangeWorkspace": {
      const ws = pick(world.workspaces, op.workspace)
      if (ws === undefined) return undefined
      const workspaceId = ws as Ids.WorkspaceId
      const effect = op.change === "rename" ?
        Workspaces.renameWorkspace(o, { workspaceId, name: names[op.workspace % names.length]! })
        : op.change === "delete" ?
        Workspaces.deleteWorkspace(o, { workspaceId })
        : Workspaces.setWorkspaceStatus(o, { workspaceId, status: op.change })
      return { effect, record: none }
    }
    case "ChangeOrganization": {
      const organizationId = world.tenant.organizationId
      const effect = op.change === "rename" ?
        Organizations.updateOrganization(o, { organizationId, name: names[2]!, legalName: names[1]! })
        : op.change === "bin" ?
        Organizations.updateOrganization(o, { organizationId, bin: world.bin() })
        : op.change === "takenBin" ?
        Organizations.updateOrganization(o, { organizationId, bin: world.bins[1] ?? world.bin() })
        : op.change === "deleteOther" ?
        Organizations.deleteOrganization(Actor.system(world.other ?? world.root), {
          organizationId: (world.other ?? world.root).organizationId
        })
        : Organizations.setOrganizationStatus(o, { organizationId, status: op.change })
      return { effect, record: none }
    }
    default:
      return undefined
  }
}

/** Departments (a tree: moves that would make a cycle are refused) and employees. */
const staffStep = (world: World, op: Op): Step | undefined => {
  const o = world.owner
  switch (op._tag) {
    case "CreateDepartment": {
      const parent = op.parent === null ? undefined : pick(world.departments, op.parent)
      return {
        effect: Departments.createDepartment(o, {
          name: names[world.departments.length % names.length]!,
          ...(op.code === null ? {} : { code: `D-${op.code}` }),
          ...(parent === undefined ? {} : { parentId: parent })
        }),
        record: (d: { id: string }) => world.departments.push(d.id)
      }
    }
    case "ChangeDepartment": {
      const d = pick(world.departments, op.department)
      if (d === undefined) return undefined
      const departmentId = d as never
      const effect = op.change === "rename" ?
        Departments.updateDepartment(o, { departmentId, name: names[op.to % names.length]!, code: `R-${op.to}` })
        : op.change === "deactivate" ?
        Departments.updateDepartment(o, { departmentId, isActive: false })
        : op.change === "move" ?
        Departments.moveDepartment(o, { departmentId, parentId: pick(world.departments, op.to) as never })
        : op.change === "moveToRoot" ?
        Departments.moveDepartment(o, { departmentId, parentId: null })
        : Departments.deleteDepartment(o, { departmentId })
      return { effect, record: none }
    }
    case "Hire": {
      const user = pick(world.users, op.user)
      const department = op.department === null ? undefined : pick(world.departments, op.department)
      return user === undefined ?
        undefined :
        {
          effect: Employees.hireEmployee(o, {
            userId: user.id,
            ...(department === undefined ? {} : { departmentId: department as never }),
            position: names[op.user % names.length]!
          }),
          record: (e: { id: string }) => world.employees.push(e.id)
        }
    }
    case "ChangeEmployee": {
      const e = pick(world.employees, op.employee)
      if (e === undefined) return undefined
      const employeeId = e as never
      const effect = op.change === "position" ?
        Employees.updateEmployee(o, {
          employeeId,
          position: names[op.employee % names.length]!,
          employeeNumber: `E-${op.employee}`
        })
        : op.change === "remove" ?
        Employees.removeEmployee(o, { employeeId })
        : Employees.setEmployeeStatus(o, { employeeId, status: op.change })
      return { effect, record: none }
    }
    default:
      return undefined
  }
}

const settingKeys = ["general.locale", "billing.invoicePrefix", "ui.theme", "limits.maxUsers"]
const settingValues = {
  string: ["kk-KZ", "INV-'x'", "", "Қазақ"],
  number: [1, 0, -5, 1.5],
  boolean: [true, false, true, false],
  json: [{ a: 1 }, [1, "x"], null, { nested: { b: "'" } }]
}

/** Role permission overrides and settings. */
const configStep = (world: World, op: Op): Step | undefined => {
  const o = world.owner
  switch (op._tag) {
    case "RolePermissions": {
      // the owner too (role 5): the run goes on under the narrowed grants (Forbidden on both sides) until a reset;
      // the owner keeps identity.role.configure, so a reset stays possible
      const role = roles[op.role]!
      const all = (Object.values(Permissions) as ReadonlyArray<unknown>).filter((v): v is string =>
        typeof v === "string" && v.startsWith("identity.")
      ).sort()
      const kept = role === "owner"
        ? [...new Set([...all.slice(0, op.keep * 3), Permissions.roleConfigure])]
        : all.slice(0, op.keep * 3)
      return {
        effect: op.reset
          ? Roles.resetRolePermissions(o, { role })
          : Roles.setRolePermissions(o, { role, permissions: kept as never }),
        record: none
      }
    }
    case "DefineSetting":
      return {
        effect: Settings.defineSetting(o, {
          key: settingKeys[op.key]!,
          scope: op.workspace ? "workspace" : "organization",
          dataType: op.type,
          value: settingValues[op.type][op.key]!,
          category: "general",
          secret: op.key === 3
        }),
        record: (s: { id: string }) => world.settings.push(s.id)
      }
    case "ChangeSetting": {
      const s = pick(world.settings, op.setting)
      if (s === undefined) return undefined
      return {
        effect: op.delete
          ? Settings.deleteSetting(o, { settingId: s as never })
          : Settings.updateSetting(o, { settingId: s as never, value: settingValues.string[op.value]! }),
        record: none
      }
    }
    default:
      return undefined
  }
}

/** Sessions (token use, metadata, logout, revoke), linked accounts, verification codes. */
const accessStep = (world: World, op: Op): Step | undefined => {
  switch (op._tag) {
    case "CreateSession": {
      const user = pick(world.users, op.user)
      return user === undefined ?
        undefined :
        {
          effect: Sessions.createSession(world.system, {
            userId: user.id,
            ...(op.ttlHours === null ? {} : { expiresAt: world.clock.millis + op.ttlHours * 3_600_000 }),
            ipAddress: "10.0.0.1",
            userAgent: names[3]!
          }),
          record: (r: { session: { id: string }; token: string }) =>
            world.sessions.push({ id: r.session.id, token: r.token })
        }
    }
    case "UseSession": {
      const s = pick(world.sessions, op.session)
      if (s === undefined) return undefined
      const anonymous = Access.anonymous(world.tenant)
      const effect = op.use === "authenticate" ?
        Sessions.authenticate(anonymous, { token: s.token })
        : op.use === "tampered" ?
        Sessions.authenticate(anonymous, { token: `${s.token.slice(0, -1)}${s.token.endsWith("0") ? "1" : "0"}` })
        : op.use === "update" ?
        Sessions.updateSession(world.owner, { sessionId: s.id as never, changes: { userAgent: names[2]! } })
        : op.use === "logout" ?
        Sessions.logout(anonymous, { token: s.token })
        : Sessions.revokeSession(world.owner, { sessionId: s.id as never })
      return { effect, record: none }
    }
    case "LinkAccount": {
      const user = pick(world.users, op.user)
      return user === undefined ?
        undefined :
        {
          effect: Accounts.linkAccount(self(world, user), {
            userId: user.id,
            providerId: ["google", "github", "apple"][op.provider]!,
            accountId: `acc-${world.prefix}-${op.user % 3}`
          }),
          record: (a: { id: string }) => world.accounts.push(a.id)
        }
    }
    case "UnlinkAccount": {
      const a = pick(world.accounts, op.account)
      return a === undefined
        ? undefined
        : { effect: Accounts.unlinkAccount(world.owner, { accountId: a as never }), record: none }
    }
    case "IssueCode": {
      const email = pick(world.users, op.slot)?.email ?? world.email(op.slot)
      return {
        effect: Verifications.issueVerificationCode(world.system, { email, type: op.type }),
        record: (c: { code: string }) => world.codes.push({ email, type: op.type, code: c.code })
      }
    }
    case "ConsumeCode": {
      const c = pick(world.codes, op.code)
      return c === undefined ?
        undefined :
        {
          effect: Verifications.consumeVerificationCode(Access.anonymous(world.tenant), {
            email: c.email,
            type: c.type,
            code: op.wrong ? wrongCode : c.code
          }),
          record: none
        }
    }
    default:
      return undefined
  }
}

const forged = (world: World, kind: Extract<Op, { _tag: "Forged" }>["kind"]): Step => {
  const id = world.forged() as never
  const o = world.owner
  const effect = kind === "user" ?
    Users.getUser(o, { userId: id })
    : kind === "workspace" ?
    Workspaces.renameWorkspace(o, { workspaceId: id, name: "x" })
    : kind === "department" ?
    Departments.deleteDepartment(o, { departmentId: id })
    : kind === "employee" ?
    Employees.removeEmployee(o, { employeeId: id })
    : kind === "invitation" ?
    Invitations.revokeInvitation(o, { invitationId: id })
    : kind === "session" ?
    Sessions.revokeSession(o, { sessionId: id })
    : Settings.deleteSetting(o, { settingId: id })
  return { effect, record: none }
}

/** The step of `op` in `world`, or undefined when it has nothing to act on yet. */
export const opStep = (world: World, op: Op): Step | undefined => {
  switch (op._tag) {
    case "Tick":
      return { effect: Effect.sync(() => (world.clock.millis += op.hours * 3_600_000)), record: none }
    case "Forged":
      return forged(world, op.kind)
    default:
      return userStep(world, op) ?? memberStep(world, op) ?? orgStep(world, op) ?? staffStep(world, op) ??
        configStep(world, op) ?? accessStep(world, op)
  }
}

/**
 * Randomness that restarts at every operation from (run, operation): both sides draw the same tokens
 * and codes even if one of them retries a transaction and draws more.
 */
export const opRandom = (seed: number) => {
  let state = 1
  let op = 0
  const restart = () => {
    state = (Math.imul(seed, 0x9e3779b1) ^ Math.imul(op + 1, 0x85ebca6b)) >>> 0 || 1
  }
  const service: SecureRandom.SecureRandom["Service"] = {
    bytes: (length) =>
      Effect.sync(() => {
        const out = new Uint8Array(length)
        for (let k = 0; k < length; k++) {
          state ^= state << 13
          state >>>= 0
          state ^= state >>> 17
          state ^= state << 5
          state >>>= 0
          out[k] = state & 0xff
        }
        return out
      })
  }
  return { service, restart, startOp: () => (op += 1) }
}

/** The run's organizations and first users, as named steps (their results set up the world). */
export const openingSteps = (world: World): ReadonlyArray<{ readonly kind: string; readonly step: Step }> => {
  type Opened = { organization: { id: Ids.OrganizationId }; workspace: { id: Ids.WorkspaceId } }
  const tenantOf = (o: Opened): Tenant.Tenant => ({ organizationId: o.organization.id, workspaceId: o.workspace.id })
  const otherEmail = `o0.${world.prefix}@example.kz`
  return [
    {
      kind: "CreateOrganization",
      step: {
        effect: Organizations.createOrganization(Actor.system(world.root), {
          name: names[1]!,
          bin: world.bin(),
          kind: "internal",
          email: "office@example.kz"
        }),
        record: (o: Opened) => {
          world.tenant = tenantOf(o)
          world.workspaces.push(o.workspace.id)
        }
      }
    },
    {
      kind: "CreateOrganization",
      step: {
        effect: Organizations.createOrganization(Actor.system(world.root), {
          name: "Other",
          bin: world.bin(),
          kind: "customer"
        }),
        record: (o: Opened) => (world.other = tenantOf(o))
      }
    },
    {
      kind: "Register",
      step: {
        effect: Effect.suspend(() => userStep(world, { _tag: "Register", slot: 0, name: 0 })!.effect),
        record: (r) => userStep(world, { _tag: "Register", slot: 0, name: 0 })!.record(r)
      }
    },
    {
      kind: "AssignRole",
      step: {
        effect: Effect.suspend(() =>
          Memberships.assignRole(world.system, { userId: world.users[0]!.id, role: "owner" })
        ),
        record: () => (world.owner = { userId: world.users[0]!.id, roles: ["owner"], tenant: world.tenant })
      }
    },
    {
      kind: "Register",
      step: {
        effect: Effect.suspend(() =>
          Effect.flatMap(
            Users.register(Access.anonymous(world.other!), { email: otherEmail, name: "Other" }),
            (r) =>
              Effect.as(
                Users.verifyEmail(Access.anonymous(world.other!), { email: otherEmail, code: r.verification.code }),
                r
              )
          )
        ),
        record: (r: { user: { id: Ids.UserId } }) =>
          world.otherUsers.push({ id: r.user.id, email: otherEmail, registrationCode: null, emailChange: null })
      }
    }
  ]
}

/** One of every kind after the opening steps, so every run reaches each command whatever the seed draws. */
export const opening: ReadonlyArray<Op> = [
  { _tag: "Register", slot: 1, name: 2 },
  { _tag: "VerifyEmail", user: 1, wrong: false },
  { _tag: "UpdateProfile", user: 1, self: true, name: 3 },
  { _tag: "RequestEmailChange", user: 1, slot: 4 },
  { _tag: "ConfirmEmailChange", user: 1, wrong: false },
  { _tag: "Ban", user: 1, undo: false },
  { _tag: "Ban", user: 1, undo: true },
  { _tag: "SetUserStatus", user: 1, status: "active" },
  { _tag: "AdvanceRegistration", user: 1, to: "onboarding_pending" },
  { _tag: "AssignRole", user: 1, role: 1 },
  { _tag: "Invite", slot: 0, role: 2, other: true },
  { _tag: "AnswerInvitation", invitation: 0, user: 0, answer: "accept" },
  { _tag: "RemoveMember", user: 0 },
  { _tag: "Invite", slot: 1, role: 2, other: false },
  { _tag: "AnswerInvitation", invitation: 1, user: 0, answer: "revoke" },
  { _tag: "CreateWorkspace", type: "division", name: 1 },
  { _tag: "ChangeWorkspace", workspace: 1, change: "rename" },
  { _tag: "ChangeOrganization", change: "rename" },
  { _tag: "CreateDepartment", parent: null, code: 1 },
  { _tag: "CreateDepartment", parent: 0, code: null },
  { _tag: "ChangeDepartment", department: 0, change: "move", to: 1 },
  { _tag: "ChangeDepartment", department: 1, change: "rename", to: 2 },
  { _tag: "Hire", user: 1, department: 0 },
  { _tag: "ChangeEmployee", employee: 0, change: "active" },
  { _tag: "RolePermissions", role: 1, reset: false, keep: 2 },
  { _tag: "DefineSetting", key: 0, workspace: false, type: "string" },
  { _tag: "ChangeSetting", setting: 0, delete: false, value: 3 },
  { _tag: "CreateSession", user: 1, ttlHours: null },
  { _tag: "UseSession", session: 0, use: "authenticate" },
  { _tag: "UseSession", session: 0, use: "update" },
  { _tag: "LinkAccount", user: 1, provider: 0 },
  { _tag: "UnlinkAccount", account: 0 },
  { _tag: "IssueCode", slot: 1, type: "password_reset" },
  { _tag: "ConsumeCode", code: 0, wrong: false },
  { _tag: "Register", slot: 2, name: 4 },
  { _tag: "DeleteUser", user: 1 },
  { _tag: "Tick", hours: 24 },
  { _tag: "Forged", kind: "user" }
]

const key = (x: unknown): string => {
  const r = x as { id?: unknown; userId?: unknown; key?: unknown }
  return String(r.id ?? r.userId ?? r.key ?? JSON.stringify(normalizedOutcome({ _tag: "Success", value: x } as never)))
}
/** The rows sorted by id (or user id, or key). */
const byId = (rows: ReadonlyArray<unknown>): ReadonlyArray<unknown> =>
  [...rows].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0))

/** The key of the final state that holds lists in the order each side returned them. */
export const unorderedKey = "unordered"

/** Everything the run created, read through the public queries as the owner (errors included). */
export const readWorld = (world: World): Effect.Effect<unknown, never, any> =>
  Effect.gen(function*() {
    const o = world.owner
    const one = (effect: Effect.Effect<unknown, unknown, any>) => Effect.map(Effect.exit(effect), normalizedOutcome)
    // a list whose port promises no order (memory returns the store's order, Postgres its ORDER BY): compared as a set
    const set = (effect: Effect.Effect<ReadonlyArray<unknown>, unknown, any>) => one(Effect.map(effect, byId))
    const users = [...world.users, ...world.otherUsers]
    const actors = [o.userId, world.system.userId, ...users.map((u) => u.id)]
    const lists = {
      workspaces: Workspaces.listWorkspaces(o, {}),
      users: Users.listUsers(o, {}),
      members: Memberships.listMembers(o, {}),
      invitations: Invitations.listInvitations(o, {}),
      departments: Departments.listDepartments(o, {}),
      employees: Employees.listEmployees(o, {}),
      settings: Settings.listSettings(o, {})
    }
    const perUser = (u: KnownUser) => ({
      sessions: Sessions.listSessions(world.system, { userId: u.id }),
      accounts: Accounts.listAccounts(world.system, { userId: u.id })
    })
    return {
      organization: yield* one(Organizations.getOrganization(o, { organizationId: world.tenant.organizationId })),
      roles: yield* one(Roles.rolePermissions(o, {})),
      lists: yield* Effect.forEach(
        Object.entries(lists),
        ([name, list]) => Effect.map(set(list), (r) => ({ name, r }))
      ),
      each: yield* Effect.forEach(
        users,
        (u) =>
          Effect.all({
            user: one(Users.getUser(o, { userId: u.id })),
            membership: one(Memberships.getMembership(o, { userId: u.id })),
            sessions: set(perUser(u).sessions),
            accounts: set(perUser(u).accounts)
          })
      ),
      platform: yield* platformRecords(world.tenant, actors, { auditAsSet: true }),
      otherPlatform: yield* platformRecords(world.other ?? world.root, [
        Actor.system(world.other ?? world.root).userId,
        ...world.otherUsers.map((u) => u.id)
      ], { auditAsSet: true }),
      /** The same lists as each side returned them: only their order may differ (counted, not failed). */
      [unorderedKey]: [
        ...yield* Effect.forEach(Object.entries(lists), ([name, list]) => Effect.map(one(list), (r) => ({ name, r }))),
        { name: "audit", r: (yield* platformRecords(world.tenant, actors)).audit }
      ]
    }
  })
