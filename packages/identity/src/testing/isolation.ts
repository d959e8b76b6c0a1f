/**
 * TEN-01 fixtures and checks shared by every adapter's isolation tests: a tenant with one record of
 * every kind, created through the commands; every command or query an admin of one tenant could aim
 * at another tenant's records (each must give `NotFound` and write nothing); list, read, session and
 * workspace scoping.
 */
import { assert } from "@effect/vitest"
import { Effect } from "effect"
import { Actor, type Tenant } from "@erpkit/kernel"
import type { Account } from "../Account.ts"
import type { Department } from "../Department.ts"
import type { Employee } from "../Employee.ts"
import type { Invitation } from "../Invitation.ts"
import type { Setting } from "../Setting.ts"
import type { User } from "../User.ts"
import type { Workspace } from "../Workspace.ts"
import * as Access from "../Access.ts"
import * as Accounts from "../Accounts.ts"
import * as Audit from "../Audit.ts"
import * as Departments from "../Departments.ts"
import * as Employees from "../Employees.ts"
import * as Invitations from "../Invitations.ts"
import * as Memberships from "../Memberships.ts"
import * as Organizations from "../Organizations.ts"
import * as Sessions from "../Sessions.ts"
import * as Settings from "../Settings.ts"
import * as Users from "../Users.ts"
import * as Workspaces from "../Workspaces.ts"
import {
  actorOf,
  type CommandServicesOf,
  type Failure,
  freshEmail,
  openTenant,
  outcome,
  register,
  userWithRole
} from "./fixtures.ts"

/** What the commands of this file need: identity's ports, its configuration and the kernel's command services. */
export type IsolationServices = CommandServicesOf<
  | typeof Users
  | typeof Sessions
  | typeof Accounts
  | typeof Organizations
  | typeof Workspaces
  | typeof Employees
  | typeof Departments
  | typeof Settings
  | typeof Audit
  | typeof Memberships
  | typeof Invitations
>

/**
 * A tenant with one of everything, created through the commands; the admin also changed the user's role (audit rows).
 */
export const populatedTenant: Effect.Effect<PopulatedTenant, Failure, IsolationServices> = Effect.gen(function*() {
  const tenant = yield* openTenant()
  const { actor: admin } = yield* userWithRole(tenant, "admin")
  const { user } = yield* register(tenant)
  const self = actorOf(user, tenant)
  const session = yield* Sessions.createSession(Actor.system(tenant), { userId: user.id })
  const account = yield* Accounts.linkAccount(self, {
    userId: user.id,
    providerId: "google",
    accountId: `g-${user.id}`
  })
  const department = yield* Departments.createDepartment(admin, { name: "Ops", code: "OPS" })
  const employee = yield* Employees.hireEmployee(admin, { userId: user.id, departmentId: department.id })
  const workspace = yield* Workspaces.createWorkspace(admin, { name: "Branch", type: "branch" })
  const setting = yield* Settings.defineSetting(admin, {
    key: "only.here",
    scope: "organization",
    dataType: "string",
    value: "x"
  })
  yield* Memberships.assignRole(admin, { userId: user.id, role: "manager" })
  const invitation = yield* Invitations.inviteMember(admin, { email: freshEmail("invited"), role: "staff" })
  return { tenant, admin, user, session, account, department, employee, workspace, setting, invitation }
})

export interface PopulatedTenant {
  readonly tenant: Tenant.Tenant
  readonly admin: Actor.Actor
  readonly user: User
  readonly session: Effect.Success<ReturnType<typeof Sessions.createSession>>
  readonly account: Account
  readonly department: Department
  readonly employee: Employee
  readonly workspace: Workspace
  readonly setting: Setting
  readonly invitation: Invitation
}

/** The attempts by name. */
const attempts = (a: PopulatedTenant, b: PopulatedTenant): Record<string, ForgedAttempt> => {
  const admin = a.admin
  const system = Actor.system(a.tenant)
  const user = b.user.id
  return {
    getUser: Users.getUser(admin, { userId: user }),
    updateProfile: Users.updateProfile(admin, { userId: user, name: "x" }),
    changeEmail: Users.changeEmail(admin, { userId: user, email: "forged@example.kz" }),
    requestEmailChange: Users.requestEmailChange(admin, { userId: user, email: "forged2@example.kz" }),
    confirmEmailChange: Users.confirmEmailChange(admin, {
      userId: user,
      email: "forged2@example.kz",
      code: "12345678"
    }),
    assignRole: Memberships.assignRole(admin, { userId: user, role: "Admin" }),
    removeMember: Memberships.removeMember(admin, { userId: user }),
    getMembership: Memberships.getMembership(admin, { userId: user }),
    revokeInvitation: Invitations.revokeInvitation(admin, { invitationId: b.invitation.id }),
    acceptInvitation: Invitations.acceptInvitation(admin, { invitationId: b.invitation.id }),
    declineInvitation: Invitations.declineInvitation(admin, { invitationId: b.invitation.id }),
    banUser: Users.banUser(admin, { userId: user, reason: "x" }),
    unbanUser: Users.unbanUser(admin, { userId: user }),
    setUserStatus: Users.setUserStatus(admin, { userId: user, status: "active" }),
    advanceRegistration: Users.advanceRegistration(admin, { userId: user, to: "email_verified" }),
    deleteUser: Users.deleteUser(admin, { userId: user }),
    createSession: Sessions.createSession(system, { userId: user }),
    updateSession: Sessions.updateSession(admin, {
      sessionId: b.session.session.id,
      changes: { ipAddress: "6.6.6.6" }
    }),
    revokeSession: Sessions.revokeSession(admin, { sessionId: b.session.session.id }),
    listSessions: Sessions.listSessions(admin, { userId: user }),
    linkAccount: Accounts.linkAccount(admin, { userId: user, providerId: "github", accountId: "forged" }),
    unlinkAccount: Accounts.unlinkAccount(admin, { accountId: b.account.id }),
    listAccounts: Accounts.listAccounts(admin, { userId: user }),
    getOrganization: Organizations.getOrganization(admin, { organizationId: b.tenant.organizationId }),
    updateOrganization: Organizations.updateOrganization(admin, { organizationId: b.tenant.organizationId, name: "x" }),
    setOrganizationStatus: Organizations.setOrganizationStatus(admin, {
      organizationId: b.tenant.organizationId,
      status: "inactive"
    }),
    deleteOrganization: Organizations.deleteOrganization(system, { organizationId: b.tenant.organizationId }),
    getWorkspace: Workspaces.getWorkspace(admin, { workspaceId: b.workspace.id }),
    renameWorkspace: Workspaces.renameWorkspace(admin, { workspaceId: b.workspace.id, name: "x" }),
    setWorkspaceStatus: Workspaces.setWorkspaceStatus(admin, { workspaceId: b.workspace.id, status: "archived" }),
    deleteWorkspace: Workspaces.deleteWorkspace(admin, { workspaceId: b.workspace.id }),
    getEmployee: Employees.getEmployee(admin, { employeeId: b.employee.id }),
    updateEmployee: Employees.updateEmployee(admin, { employeeId: b.employee.id, position: "x" }),
    setEmployeeStatus: Employees.setEmployeeStatus(admin, { employeeId: b.employee.id, status: "active" }),
    removeEmployee: Employees.removeEmployee(admin, { employeeId: b.employee.id }),
    "hireEmployee into B's department": Employees.hireEmployee(admin, {
      userId: a.user.id,
      departmentId: b.department.id
    }),
    getDepartment: Departments.getDepartment(admin, { departmentId: b.department.id }),
    updateDepartment: Departments.updateDepartment(admin, { departmentId: b.department.id, name: "x" }),
    moveDepartment: Departments.moveDepartment(admin, { departmentId: b.department.id, parentId: null }),
    "move under B's department": Departments.moveDepartment(admin, {
      departmentId: a.department.id,
      parentId: b.department.id
    }),
    "createDepartment under B's": Departments.createDepartment(admin, { name: "x", parentId: b.department.id }),
    deleteDepartment: Departments.deleteDepartment(admin, { departmentId: b.department.id }),
    updateSetting: Settings.updateSetting(admin, { settingId: b.setting.id, value: "y" }),
    deleteSetting: Settings.deleteSetting(admin, { settingId: b.setting.id })
  }
}

export type ForgedAttempt = Effect.Effect<unknown, Failure, IsolationServices>

/** Every command or query an admin of `a` could aim at `b`'s records, by name. */
export const forgedAttempts = (
  a: PopulatedTenant,
  b: PopulatedTenant
): ReadonlyArray<readonly [string, ForgedAttempt]> => Object.entries(attempts(a, b))

/**
 * TEN-01 on any adapter: of two populated tenants, every forged attempt by A's admin on B's records
 * gives `NotFound` and leaves `snapshot` (the adapter's view of every table) as it was.
 */
export const expectForgedAttemptsRefused = <R>(
  snapshot: Effect.Effect<string, never, R>
): Effect.Effect<void, Failure, IsolationServices | R> =>
  Effect.gen(function*() {
    const a = yield* populatedTenant
    const b = yield* populatedTenant
    for (const [name, attempt] of forgedAttempts(a, b)) {
      const before = yield* snapshot
      assert.strictEqual(yield* outcome(attempt), "NotFound", name)
      assert.strictEqual(yield* snapshot, before, `${name} wrote something`)
    }
  })

const ids = (rows: ReadonlyArray<{ readonly id: string }>) => rows.map((r) => r.id)

/**
 * TEN-01 on any adapter: of two populated tenants, A's lists hold exactly A's records and reads never
 * show B's (audit, settings); B's session token acts in B only, even presented to A.
 */
export const expectListsScoped: Effect.Effect<void, Failure, IsolationServices> = Effect.gen(function*() {
  const a = yield* populatedTenant
  const b = yield* populatedTenant
  assert.sameMembers(ids(yield* Users.listUsers(a.admin, {})), [a.admin.userId, a.user.id])
  assert.sameMembers(ids(yield* Workspaces.listWorkspaces(a.admin, {})), [a.tenant.workspaceId, a.workspace.id])
  assert.deepStrictEqual(ids(yield* Employees.listEmployees(a.admin, {})), [a.employee.id])
  assert.deepStrictEqual(ids(yield* Departments.listDepartments(a.admin, {})), [a.department.id])
  assert.notInclude(ids(yield* Settings.listSettings(a.admin, {})), b.setting.id)
  assert.deepStrictEqual(yield* Audit.auditByEntity(a.admin, { entityType: "Employee", entityId: b.employee.id }), [])
  assert.deepStrictEqual(yield* Audit.auditByActor(a.admin, { actorId: b.admin.userId }), [])
  yield* Settings.defineSetting(b.admin, {
    key: "b.only",
    scope: "organization",
    dataType: "string",
    value: "secret-ish"
  })
  assert.strictEqual(yield* outcome(Settings.getSetting(a.admin, { key: "b.only" })), "NotFound")
  const who = yield* Sessions.authenticate(Access.anonymous(b.tenant), { token: b.session.token })
  assert.deepStrictEqual(who.session.tenant, b.tenant)
  // The token decides the tenant: presented to A, it still acts in B only.
  const elsewhere = yield* Sessions.authenticate(Access.anonymous(a.tenant), { token: b.session.token })
  assert.deepStrictEqual(elsewhere.actor.tenant, b.tenant)
  assert.sameMembers(ids((yield* Memberships.listMembers(a.admin, {})).map((m) => ({ id: m.userId }))), [
    a.admin.userId,
    a.user.id
  ])
  assert.deepStrictEqual(ids(yield* Invitations.listInvitations(a.admin, {})), [a.invitation.id])
})

/**
 * TEN-01 on any adapter: employees and departments stay inside their workspace; organization-wide settings reach every
 * workspace.
 */
export const expectWorkspaceScoping: Effect.Effect<void, Failure, IsolationServices> = Effect.gen(function*() {
  const a = yield* populatedTenant
  const inBranch = { ...a.admin, tenant: { ...a.tenant, workspaceId: a.workspace.id } satisfies Tenant.Tenant }
  assert.strictEqual(yield* outcome(Employees.getEmployee(inBranch, { employeeId: a.employee.id })), "NotFound")
  assert.strictEqual(yield* outcome(Departments.getDepartment(inBranch, { departmentId: a.department.id })), "NotFound")
  assert.deepStrictEqual(yield* Departments.listDepartments(inBranch, {}), [])
  assert.strictEqual(
    (yield* Settings.getSetting(inBranch, { key: "only.here" })).value,
    "x",
    "organization-wide settings reach every workspace"
  )
})
