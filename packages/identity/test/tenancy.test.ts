/** Tenancy rules TEN-02 … TEN-06 and TEN-08 through the commands. */
import { assert, describe, it as vitest, layer } from "@effect/vitest"
import { Effect, Option } from "effect"
import { Actor, AuditLog, Command, Rate, TenantDefaults } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import {
  Departments,
  Employees,
  IdentityConfig,
  Organization,
  Organizations,
  Permissions,
  Setting,
  Settings,
  Workspaces
} from "@erpkit/identity"
import { layerTest } from "@erpkit/identity/testing"
import { freshBin, join, openTenant, outcome, registerVerified, snapshot, userWithRole } from "./helpers.ts"

describe("TEN-02 Kazakhstan BIN check digit", () => {
  vitest("TEN-02 the check digit uses weights 1..11, then 3..11,1,2 when the first sum gives 10", () => {
    assert.strictEqual(Organization.binCheckDigit("000000000010"), 0)
    assert.strictEqual(Organization.binCheckDigit("123456789013"), 3, "first pass gives 10, second gives 3")
    assert.isTrue(Organization.isValidBinCheckDigit("123456789013"))
    assert.isFalse(Organization.isValidBinCheckDigit("123456789012"))
    assert.isUndefined(Organization.binCheckDigit("12345678901"), "11 digits is no BIN")
    const impossible = Array.from({ length: 2000 }, (_, i) => `${String(i * 7919).padStart(11, "0").slice(-11)}0`).find(
      (b) => Organization.binCheckDigit(b) === undefined
    )
    assert.isDefined(impossible, "some bodies have no valid check digit (both sums give 10)")
    assert.isFalse(Organization.isValidBinCheckDigit(impossible!))
  })
})

layer(layerTest())("organizations and workspaces", (it) => {
  const system = Actor.system(tenantA)
  it.effect("TEN-02 BIN has exactly 12 digits and is unique among organizations", () =>
    Effect.gen(function*() {
      const before = yield* snapshot
      for (const bin of ["", "12345678901", "1234567890123", "12345678901a", "１２３４５６７８９０１２"]) {
        assert.strictEqual(
          yield* outcome(Organizations.createOrganization(system, { name: "X", bin, kind: "internal" })),
          "ValidationError",
          bin
        )
      }
      assert.strictEqual(yield* snapshot, before)
      const bin = freshBin()
      yield* Organizations.createOrganization(system, { name: "First", bin, kind: "internal" })
      assert.strictEqual(
        yield* outcome(Organizations.createOrganization(system, { name: "Second", bin: ` ${bin} `, kind: "customer" })),
        "BinTaken"
      )
    }))

  it.effect("TEN-02 the check digit is enforced when IdentityConfig.binCheckDigit is on", () =>
    Effect.gen(function*() {
      const config = yield* IdentityConfig
      const strict = (bin: string) =>
        Organizations.createOrganization(system, { name: "X", bin, kind: "internal" }).pipe(
          Effect.provideService(IdentityConfig, { ...config, binCheckDigit: true })
        )
      const good = freshBin()
      const bad = `${good.slice(0, 11)}${(Number(good[11]) + 1) % 10}`
      assert.strictEqual(yield* outcome(strict(bad)), "ValidationError")
      assert.strictEqual(yield* outcome(strict(good)), "Success")
    }))

  it.effect("TEN-05 organizations are internal or customer; customer ones may link their CRM customer", () =>
    Effect.gen(function*() {
      const customerId = "0e000000-0000-7000-8000-0000000000c2"
      const c = yield* Organizations.createOrganization(system, {
        name: "Client",
        bin: freshBin(),
        kind: "customer",
        customerId
      })
      assert.deepStrictEqual(
        [c.organization.kind, c.organization.customerId, c.workspace.type],
        ["customer", customerId, "main"]
      )
      assert.strictEqual(
        yield* outcome(
          Command.untyped(Organizations.createOrganization)(system, { name: "X", bin: freshBin(), kind: "partner" })
        ),
        "ValidationError"
      )
      assert.strictEqual(
        yield* outcome(
          Organizations.createOrganization(system, { name: "X", bin: freshBin(), kind: "internal", customerId })
        ),
        "ValidationError"
      )
    }))

  it.effect("TEN-05 users are admin, staff or customer in the role catalog (Stone Forest)", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      for (const role of ["admin", "staff", "customer"] as const) {
        assert.include(Actor.roles, role)
        const { membership } = yield* userWithRole(tenant, role)
        assert.strictEqual(membership.role, role)
      }
    }))

  it.effect("TEN-06 a soft-deleted organization is hidden and its BIN can be reused", () =>
    Effect.gen(function*() {
      const bin = freshBin()
      const first = yield* Organizations.createOrganization(system, { name: "Old", bin, kind: "internal" })
      const tenant = { organizationId: first.organization.id, workspaceId: first.workspace.id }
      yield* Organizations.deleteOrganization(Actor.system(tenant), { organizationId: first.organization.id })
      assert.strictEqual(
        yield* outcome(Organizations.getOrganization(Actor.system(tenant), { organizationId: first.organization.id })),
        "NotFound"
      )
      const second = yield* Organizations.createOrganization(system, { name: "New", bin, kind: "internal" })
      assert.strictEqual(second.organization.bin, bin)
    }))

  it.effect("TEN-06 workspaces: soft delete hides them; archived is terminal", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const branch = yield* Workspaces.createWorkspace(actor, { name: "Almaty", type: "branch" })
      const project = yield* Workspaces.createWorkspace(actor, { name: "P1", type: "project" })
      assert.strictEqual((yield* Workspaces.listWorkspaces(actor, {})).length, 3)
      const own = yield* Effect.flip(Workspaces.deleteWorkspace(actor, { workspaceId: tenant.workspaceId }))
      assert.strictEqual(own._tag, "WorkspaceInUse", "not the one you work in")
      assert.propertyVal(own, "workspaceId", tenant.workspaceId)
      yield* Workspaces.deleteWorkspace(actor, { workspaceId: branch.id })
      assert.strictEqual(yield* outcome(Workspaces.getWorkspace(actor, { workspaceId: branch.id })), "NotFound")
      assert.strictEqual((yield* Workspaces.listWorkspaces(actor, {})).length, 2)
      yield* Workspaces.setWorkspaceStatus(actor, { workspaceId: project.id, status: "archived" })
      assert.strictEqual(
        yield* outcome(Workspaces.setWorkspaceStatus(actor, { workspaceId: project.id, status: "active" })),
        "InvalidTransition"
      )
      assert.strictEqual(
        yield* outcome(Workspaces.renameWorkspace(actor, { workspaceId: project.id, name: "P2" })),
        "Immutable"
      )
      assert.strictEqual(
        yield* outcome(Command.untyped(Workspaces.createWorkspace)(actor, { name: "X", type: "galaxy" })),
        "ValidationError"
      )
    }))
})

layer(layerTest())("employees and departments", (it) => {
  it.effect("TEN-03 an employee is unique per (user, organization), across the organization's workspaces", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const user = yield* registerVerified(tenant)
      const branch = yield* Workspaces.createWorkspace(actor, { name: "Branch", type: "branch" })
      const inBranch = { ...actor, tenant: { ...tenant, workspaceId: branch.id } }
      const hired = yield* Employees.hireEmployee(actor, { userId: user.id, employeeNumber: "E-1" })
      assert.strictEqual(yield* outcome(Employees.hireEmployee(actor, { userId: user.id })), "AlreadyEmployed")
      assert.strictEqual(yield* outcome(Employees.hireEmployee(inBranch, { userId: user.id })), "AlreadyEmployed")
      const other = yield* openTenant()
      const { actor: otherAdmin } = yield* userWithRole(other, "admin")
      yield* join(other, user)
      yield* Employees.hireEmployee(otherAdmin, { userId: user.id, employeeNumber: "E-1" })
      yield* Employees.removeEmployee(actor, { employeeId: hired.id })
      assert.strictEqual(
        yield* outcome(Employees.getEmployee(actor, { employeeId: hired.id })),
        "NotFound",
        "TEN-06 hidden"
      )
      const rehired = yield* Employees.hireEmployee(inBranch, { userId: user.id, employeeNumber: "E-1" })
      assert.strictEqual(rehired.tenant.workspaceId, branch.id)
    }))

  it.effect("TEN-03 TEN-06 an employee number is unique among the live employees (EmployeeNumberTaken)", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const first = yield* registerVerified(tenant)
      const second = yield* registerVerified(tenant)
      const branch = yield* Workspaces.createWorkspace(actor, { name: "Branch", type: "branch" })
      const inBranch = { ...actor, tenant: { ...tenant, workspaceId: branch.id } }
      const hired = yield* Employees.hireEmployee(actor, { userId: first.id, employeeNumber: "E-7" })
      const before = yield* snapshot
      assert.strictEqual(
        yield* outcome(Employees.hireEmployee(inBranch, { userId: second.id, employeeNumber: "E-7" })),
        "EmployeeNumberTaken"
      )
      assert.strictEqual(yield* snapshot, before)
      const other = yield* Employees.hireEmployee(actor, { userId: second.id, employeeNumber: "E-8" })
      assert.strictEqual(
        yield* outcome(Employees.updateEmployee(actor, { employeeId: other.id, employeeNumber: "E-7" })),
        "EmployeeNumberTaken"
      )
      yield* Employees.removeEmployee(actor, { employeeId: hired.id })
      const renumbered = yield* Employees.updateEmployee(actor, { employeeId: other.id, employeeNumber: "E-7" })
      assert.strictEqual(renumbered.employeeNumber, "E-7")
    }))

  it.effect("TEN-04 department codes are unique per organization; the tree has no cycles", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const root = yield* Departments.createDepartment(actor, { name: "HQ", code: "HQ" })
      const ops = yield* Departments.createDepartment(actor, { name: "Ops", code: "OPS", parentId: root.id })
      const fleet = yield* Departments.createDepartment(actor, { name: "Fleet", code: "FLT", parentId: ops.id })
      assert.strictEqual(
        yield* outcome(Departments.createDepartment(actor, { name: "Dup", code: "OPS" })),
        "DepartmentCodeTaken"
      )
      assert.strictEqual(
        yield* outcome(Departments.updateDepartment(actor, { departmentId: fleet.id, code: "HQ" })),
        "DepartmentCodeTaken"
      )
      const before = yield* snapshot
      assert.strictEqual(
        yield* outcome(Departments.moveDepartment(actor, { departmentId: root.id, parentId: fleet.id })),
        "DepartmentCycle"
      )
      assert.strictEqual(
        yield* outcome(Departments.moveDepartment(actor, { departmentId: ops.id, parentId: ops.id })),
        "DepartmentCycle"
      )
      assert.strictEqual(yield* snapshot, before)
      const moved = yield* Departments.moveDepartment(actor, { departmentId: fleet.id, parentId: root.id })
      assert.strictEqual(moved.parentId, root.id)
      yield* Departments.moveDepartment(actor, { departmentId: ops.id, parentId: fleet.id })
      assert.strictEqual(
        yield* outcome(Departments.deleteDepartment(actor, { departmentId: root.id })),
        "DepartmentHasChildren",
        "has children"
      )
      const other = yield* openTenant()
      const { actor: otherAdmin } = yield* userWithRole(other, "admin")
      yield* Departments.createDepartment(otherAdmin, { name: "HQ", code: "HQ" })
    }))

  it.effect("TEN-06 a soft-deleted department is hidden and its code is free again", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const d = yield* Departments.createDepartment(actor, { name: "Old", code: "SALES" })
      yield* Departments.deleteDepartment(actor, { departmentId: d.id })
      assert.strictEqual(yield* outcome(Departments.getDepartment(actor, { departmentId: d.id })), "NotFound")
      assert.deepStrictEqual(yield* Departments.listDepartments(actor, {}), [])
      const again = yield* Departments.createDepartment(actor, { name: "New", code: "SALES" })
      assert.strictEqual(again.code, "SALES")
    }))
})

layer(layerTest())("settings", (it) => {
  it.effect("TEN-08 settings are unique per (key, organization, workspace)", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const base = { key: "billing.currency", dataType: "string", value: "KZT" } as const
      yield* Settings.defineSetting(actor, { ...base, scope: "organization" })
      assert.strictEqual(
        yield* outcome(Settings.defineSetting(actor, { ...base, scope: "organization" })),
        "SettingKeyTaken"
      )
      yield* Settings.defineSetting(actor, { ...base, scope: "workspace", value: "USD" })
      assert.strictEqual(
        yield* outcome(Settings.defineSetting(actor, { ...base, scope: "workspace" })),
        "SettingKeyTaken"
      )
      assert.strictEqual(
        (yield* Settings.getSetting(actor, { key: base.key })).value,
        "USD",
        "the workspace value wins"
      )
      const branch = yield* Workspaces.createWorkspace(actor, { name: "B", type: "branch" })
      const inBranch = { ...actor, tenant: { ...tenant, workspaceId: branch.id } }
      assert.strictEqual((yield* Settings.getSetting(inBranch, { key: base.key })).value, "KZT")
    }))

  it.effect("TEN-08 values are typed and validated (pattern, length, min, max, enum)", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const define = (input: Record<string, unknown>) =>
        Command.untyped(Settings.defineSetting)(actor, { scope: "organization", ...input })
      assert.strictEqual(yield* outcome(define({ key: "a.num", dataType: "number", value: "5" })), "ValidationError")
      assert.strictEqual(yield* outcome(define({ key: "a.bool", dataType: "boolean", value: 1 })), "ValidationError")
      assert.strictEqual(yield* outcome(define({ key: "a.str", dataType: "string", value: 5 })), "ValidationError")
      assert.strictEqual(
        yield* outcome(define({ key: "a.num", dataType: "number", value: 50, rules: { min: 1, max: 10 } })),
        "ValidationError"
      )
      assert.strictEqual(
        yield* outcome(define({ key: "a.str", dataType: "string", value: "abc", rules: { pattern: "[0-9]+" } })),
        "ValidationError"
      )
      assert.strictEqual(
        yield* outcome(define({ key: "a.str", dataType: "string", value: "x", rules: { enum: ["y", "z"] } })),
        "ValidationError"
      )
      assert.strictEqual(
        yield* outcome(define({ key: "a.str", dataType: "string", value: "x", rules: { pattern: "(" } })),
        "ValidationError"
      )
      assert.strictEqual(
        yield* outcome(define({ key: "a.bool", dataType: "boolean", value: true, rules: { min: 1 } })),
        "ValidationError"
      )
      assert.strictEqual(yield* outcome(define({ key: "bad key!", dataType: "string", value: "x" })), "ValidationError")
      const ttl = yield* define({ key: "session.ttlHours", dataType: "number", value: 8, rules: { min: 1, max: 72 } })
      assert.strictEqual(
        yield* outcome(Settings.updateSetting(actor, { settingId: ttl.id, value: 100 })),
        "ValidationError"
      )
      assert.strictEqual(
        yield* outcome(Settings.updateSetting(actor, { settingId: ttl.id, value: "9" })),
        "ValidationError"
      )
      assert.strictEqual((yield* Settings.updateSetting(actor, { settingId: ttl.id, value: 24 })).value, 24)
      const json = yield* define({ key: "ui.theme", dataType: "json", value: { dark: true, accents: ["#fff"] } })
      assert.deepStrictEqual(json.value, { dark: true, accents: ["#fff"] })
      // a value is configuration: at most Setting.valueMaxLength characters as JSON, on define and update
      const before = yield* snapshot
      const huge = "x".repeat(Setting.valueMaxLength)
      assert.strictEqual(
        yield* outcome(define({ key: "ui.banner", dataType: "json", value: { text: huge } })),
        "ValidationError"
      )
      assert.strictEqual(
        yield* outcome(Settings.updateSetting(actor, { settingId: json.id, value: [huge] })),
        "ValidationError"
      )
      assert.strictEqual(yield* snapshot, before)
      const largest = "x".repeat(Setting.valueMaxLength - 2)
      assert.strictEqual((yield* define({ key: "ui.banner", dataType: "string", value: largest })).value, largest)
    }))

  it.effect("TEN-08 secret values are never returned by reads nor written to the audit log", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const secret = "sk_live_very_secret"
      const s = yield* Settings.defineSetting(actor, {
        key: "payments.apiKey",
        scope: "organization",
        dataType: "string",
        value: secret,
        secret: true
      })
      assert.deepStrictEqual([s.value, s.masked], [null, true])
      yield* Settings.updateSetting(actor, { settingId: s.id, value: `${secret}2` })
      const read = yield* Settings.getSetting(actor, { key: "payments.apiKey" })
      const listed = yield* Settings.listSettings(actor, {})
      const audit = yield* AuditLog.AuditLog.use((a) => a.byEntity(tenant, "Setting", s.id))
      assert.strictEqual(audit.length, 2)
      for (const shown of [read, listed, audit]) assert.notInclude(JSON.stringify(shown), secret)
      assert.deepStrictEqual(yield* Settings.resolveValue(tenant, "payments.apiKey"), Option.some(`${secret}2`))
    }))

  it.effect("TEN-08 the tenant time zone setting must be a real IANA zone; it defaults to Asia/Almaty", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      assert.strictEqual(yield* Settings.timeZoneOf(tenant), "Asia/Almaty")
      const define = (value: unknown) =>
        Command.untyped(Settings.defineSetting)(actor, {
          key: Settings.timeZoneKey,
          scope: "organization",
          dataType: "string",
          value
        })
      assert.strictEqual(yield* outcome(define("Mars/Olympus")), "ValidationError")
      const s = yield* define("Asia/Aqtobe")
      assert.strictEqual(yield* Settings.timeZoneOf(tenant), "Asia/Aqtobe")
      assert.strictEqual(
        yield* outcome(Settings.updateSetting(actor, { settingId: s.id, value: "Nowhere" })),
        "ValidationError"
      )
    }))

  it.effect("TEN-08 the tenant VAT rate setting is a well-formed rate; tenantDefaults reads both, else defaults", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const before = yield* Settings.tenantDefaults(tenant)
      assert.deepStrictEqual(
        [before.timeZone(tenant), before.taxRate(tenant)],
        [TenantDefaults.standard.timeZone, TenantDefaults.standard.taxRate]
      )
      const define = (key: string, value: unknown) =>
        Command.untyped(Settings.defineSetting)(actor, { key, scope: "organization", dataType: "string", value })
      assert.strictEqual(yield* outcome(define(Settings.vatRateKey, "twelve")), "ValidationError")
      yield* define(Settings.vatRateKey, "20%")
      yield* define(Settings.timeZoneKey, "Europe/Berlin")
      const after = yield* Settings.tenantDefaults(tenant)
      assert.deepStrictEqual(
        [after.timeZone(tenant), after.taxRate(tenant)],
        ["Europe/Berlin", Rate.fromBasisPoints(2000)]
      )
      const other = yield* openTenant()
      const host = yield* Settings.tenantDefaults(other).pipe(Effect.provide(TenantDefaults.layer({ timeZone: "UTC" })))
      assert.strictEqual(host.timeZone(other), "UTC", "without settings, the host's defaults apply")
    }))

  it.effect("TEN-08 read-only settings refuse updates and deletion", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const s = yield* Settings.defineSetting(actor, {
        key: "tenant.timeZone",
        scope: "organization",
        dataType: "string",
        value: "Asia/Almaty",
        readOnly: true
      })
      const before = yield* snapshot
      assert.strictEqual(yield* outcome(Settings.updateSetting(actor, { settingId: s.id, value: "UTC" })), "Immutable")
      assert.strictEqual(yield* outcome(Settings.deleteSetting(actor, { settingId: s.id })), "Immutable")
      assert.strictEqual(yield* snapshot, before)
      const { actor: employee } = yield* userWithRole(tenant, "employee")
      assert.strictEqual(
        yield* outcome(
          Settings.defineSetting(employee, { key: "x", scope: "organization", dataType: "string", value: "y" })
        ),
        "Forbidden"
      )
      assert.include(Permissions.grants.admin ?? [], Permissions.settingManage)
    }))
})
