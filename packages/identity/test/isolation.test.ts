/**
 * TEN-01: every identity command and query is scoped to the actor's tenant. An admin of tenant A
 * who sends ids of tenant B (forged or leaked) gets `NotFound` and changes nothing; lists never
 * show B's records; workspace-scoped records stay inside their workspace.
 */
import { assert, layer } from "@effect/vitest"
import { Effect, type Layer } from "effect"
import { Actor, type Tenant } from "@erpkit/kernel"
import { Access, Accounts, Audit, Departments, Employees, Organizations, Sessions, Settings, Users, Workspaces } from "@erpkit/identity"
import { layerTest } from "@erpkit/identity/testing"
import { actorOf, openTenant, outcome, register, snapshot, userWithRole } from "./helpers.ts"

/** A tenant with one of everything, created through the commands. */
const populated = Effect.gen(function*() {
  const tenant = yield* openTenant()
  const { actor: admin } = yield* userWithRole(tenant, "admin")
  const { user } = yield* register(tenant)
  const self = actorOf(user, tenant)
  const session = yield* Sessions.createSession(Actor.system(tenant), { userId: user.id })
  const account = yield* Accounts.linkAccount(self, { userId: user.id, providerId: "google", accountId: `g-${user.id}` })
  const department = yield* Departments.createDepartment(admin, { name: "Ops", code: "OPS" })
  const employee = yield* Employees.hireEmployee(admin, { userId: user.id, departmentId: department.id })
  const workspace = yield* Workspaces.createWorkspace(admin, { name: "Branch", type: "branch" })
  const setting = yield* Settings.defineSetting(admin, { key: "only.here", scope: "organization", dataType: "string", value: "x" })
  return { tenant, admin, user, session, account, department, employee, workspace, setting }
})

type Populated = Effect.Success<typeof populated>

/** Every command/query an admin of `a` could aim at `b`'s records, by name. */
type Services = Layer.Success<ReturnType<typeof layerTest>>
type Attempt = Effect.Effect<unknown, { readonly _tag: string }, Services>

const forged = (a: Populated, b: Populated): ReadonlyArray<readonly [string, Attempt]> => {
  const admin = a.admin
  const system = Actor.system(a.tenant)
  const user = b.user.id
  return [
    ["getUser", Users.getUser(admin, { userId: user })],
    ["updateProfile", Users.updateProfile(admin, { userId: user, name: "x" })],
    ["changeEmail", Users.changeEmail(admin, { userId: user, email: "forged@example.kz" })],
    ["requestEmailChange", Users.requestEmailChange(admin, { userId: user, email: "forged2@example.kz" })],
    ["confirmEmailChange", Users.confirmEmailChange(admin, { userId: user, email: "forged2@example.kz", code: "12345678" })],
    ["assignRole", Users.assignRole(admin, { userId: user, role: "Admin" })],
    ["banUser", Users.banUser(admin, { userId: user, reason: "x" })],
    ["unbanUser", Users.unbanUser(admin, { userId: user })],
    ["setUserStatus", Users.setUserStatus(admin, { userId: user, status: "active" })],
    ["advanceRegistration", Users.advanceRegistration(admin, { userId: user, to: "email_verified" })],
    ["deleteUser", Users.deleteUser(admin, { userId: user })],
    ["createSession", Sessions.createSession(system, { userId: user })],
    ["updateSession", Sessions.updateSession(admin, { sessionId: b.session.session.id, changes: { ipAddress: "6.6.6.6" } })],
    ["revokeSession", Sessions.revokeSession(admin, { sessionId: b.session.session.id })],
    ["listSessions", Sessions.listSessions(admin, { userId: user })],
    ["linkAccount", Accounts.linkAccount(admin, { userId: user, providerId: "github", accountId: "forged" })],
    ["unlinkAccount", Accounts.unlinkAccount(admin, { accountId: b.account.id })],
    ["listAccounts", Accounts.listAccounts(admin, { userId: user })],
    ["getOrganization", Organizations.getOrganization(admin, { organizationId: b.tenant.organizationId })],
    ["updateOrganization", Organizations.updateOrganization(admin, { organizationId: b.tenant.organizationId, name: "x" })],
    ["setOrganizationStatus", Organizations.setOrganizationStatus(admin, { organizationId: b.tenant.organizationId, status: "inactive" })],
    ["deleteOrganization", Organizations.deleteOrganization(system, { organizationId: b.tenant.organizationId })],
    ["getWorkspace", Workspaces.getWorkspace(admin, { workspaceId: b.workspace.id })],
    ["renameWorkspace", Workspaces.renameWorkspace(admin, { workspaceId: b.workspace.id, name: "x" })],
    ["setWorkspaceStatus", Workspaces.setWorkspaceStatus(admin, { workspaceId: b.workspace.id, status: "archived" })],
    ["deleteWorkspace", Workspaces.deleteWorkspace(admin, { workspaceId: b.workspace.id })],
    ["getEmployee", Employees.getEmployee(admin, { employeeId: b.employee.id })],
    ["updateEmployee", Employees.updateEmployee(admin, { employeeId: b.employee.id, position: "x" })],
    ["setEmployeeStatus", Employees.setEmployeeStatus(admin, { employeeId: b.employee.id, status: "active" })],
    ["removeEmployee", Employees.removeEmployee(admin, { employeeId: b.employee.id })],
    ["hireEmployee into B's department", Employees.hireEmployee(admin, { userId: a.user.id, departmentId: b.department.id })],
    ["getDepartment", Departments.getDepartment(admin, { departmentId: b.department.id })],
    ["updateDepartment", Departments.updateDepartment(admin, { departmentId: b.department.id, name: "x" })],
    ["moveDepartment", Departments.moveDepartment(admin, { departmentId: b.department.id, parentId: null })],
    ["move under B's department", Departments.moveDepartment(admin, { departmentId: a.department.id, parentId: b.department.id })],
    ["createDepartment under B's", Departments.createDepartment(admin, { name: "x", parentId: b.department.id })],
    ["deleteDepartment", Departments.deleteDepartment(admin, { departmentId: b.department.id })],
    ["updateSetting", Settings.updateSetting(admin, { settingId: b.setting.id, value: "y" })],
    ["deleteSetting", Settings.deleteSetting(admin, { settingId: b.setting.id })]
  ]
}

layer(layerTest())("TEN-01 tenant isolation", (it) => {
  it.effect("TEN-01 forged ids of another tenant give NotFound through every identity command and write nothing", () =>
    Effect.gen(function*() {
      const a = yield* populated
      const b = yield* populated
      for (const [name, attempt] of forged(a, b)) {
        const before = yield* snapshot
        assert.strictEqual(yield* outcome(attempt), "NotFound", name)
        assert.strictEqual(yield* snapshot, before, `${name} wrote something`)
      }
    }))

  it.effect("TEN-01 lists and reads never show another tenant's records", () =>
    Effect.gen(function*() {
      const a = yield* populated
      const b = yield* populated
      const admin = a.admin
      const ids = (rows: ReadonlyArray<{ readonly id: string }>) => rows.map((r) => r.id)
      assert.notInclude(ids(yield* Users.listUsers(admin, {})), b.user.id)
      assert.notInclude(ids(yield* Workspaces.listWorkspaces(admin, {})), b.workspace.id)
      assert.notInclude(ids(yield* Employees.listEmployees(admin, {})), b.employee.id)
      assert.notInclude(ids(yield* Departments.listDepartments(admin, {})), b.department.id)
      assert.notInclude(ids(yield* Settings.listSettings(admin, {})), b.setting.id)
      assert.deepStrictEqual(yield* Audit.auditByEntity(admin, { entityType: "Employee", entityId: b.employee.id }), [])
      assert.deepStrictEqual(yield* Audit.auditByActor(admin, { actorId: b.admin.userId }), [])
      yield* Settings.defineSetting(b.admin, { key: "b.only", scope: "organization", dataType: "string", value: "secret-ish" })
      assert.strictEqual(yield* outcome(Settings.getSetting(admin, { key: "b.only" })), "NotFound")
    }))

  it.effect("TEN-01 employees and departments stay inside their workspace", () =>
    Effect.gen(function*() {
      const a = yield* populated
      const inBranch = { ...a.admin, tenant: { ...a.tenant, workspaceId: a.workspace.id } satisfies Tenant.Tenant }
      assert.strictEqual(yield* outcome(Employees.getEmployee(inBranch, { employeeId: a.employee.id })), "NotFound")
      assert.strictEqual(yield* outcome(Departments.getDepartment(inBranch, { departmentId: a.department.id })), "NotFound")
      assert.deepStrictEqual(yield* Departments.listDepartments(inBranch, {}), [])
      assert.strictEqual((yield* Settings.getSetting(inBranch, { key: "only.here" })).value, "x", "organization-wide settings reach every workspace")
    }))

  it.effect("TEN-01 a session token authenticates only into the tenant it was opened for", () =>
    Effect.gen(function*() {
      const a = yield* populated
      const who = yield* Sessions.authenticate(Access.anonymous(a.tenant), { token: a.session.token })
      assert.deepStrictEqual(who.session.tenant, a.tenant)
    }))
})
