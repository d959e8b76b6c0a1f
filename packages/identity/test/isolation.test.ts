/**
 * TEN-01: every identity command and query is scoped to the actor's tenant. An admin of tenant A
 * who sends ids of tenant B (forged or leaked) gets `NotFound` and changes nothing; lists never
 * show B's records; workspace-scoped records stay inside their workspace.
 */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { type Tenant } from "@erpkit/kernel"
import { Access, Audit, Departments, Employees, Sessions, Settings, Users, Workspaces } from "@erpkit/identity"
import { expectForgedAttemptsRefused, layerTest, populatedTenant as populated } from "@erpkit/identity/testing"
import { outcome, snapshot } from "./helpers.ts"

layer(layerTest())("TEN-01 tenant isolation", (it) => {
  it.effect("TEN-01 forged ids of another tenant give NotFound through every identity command and write nothing", () =>
    expectForgedAttemptsRefused(snapshot))

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
