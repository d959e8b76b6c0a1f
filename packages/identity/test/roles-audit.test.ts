/** Roles → permissions per tenant (the kernel Authorization backed by identity) and TEN-07 audit. */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Actor, AuditLog } from "@erpkit/kernel"
import { Audit, Departments, Memberships, Permissions, Roles, Users } from "@erpkit/identity"
import { layerTest } from "@erpkit/identity/testing"
import { actorOf, openTenant, outcome, register, snapshot, userWithRole } from "./helpers.ts"

const billingVoid = Actor.permission("billing.invoice.void")
/** The host's grants: identity's, billing's void for Finance Managers, and a role of the host's own. */
const grants = Actor.mergeGrants(Permissions.grants, {
  "Finance Manager": [billingVoid],
  Auditor: [Permissions.auditRead]
})

layer(layerTest({ grants }))("roles and permissions", (it) => {
  it.effect("the kernel Authorization uses the host's default grants (any context's permissions)", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor: finance } = yield* userWithRole(tenant, "Finance Manager")
      const { actor: rep } = yield* userWithRole(tenant, "Sales Rep")
      assert.strictEqual(yield* outcome(Actor.authorize(finance, billingVoid)), "Success")
      assert.strictEqual(yield* outcome(Actor.authorize(rep, billingVoid)), "Forbidden")
      assert.strictEqual(yield* outcome(Actor.authorize(Actor.system(tenant), billingVoid)), "Success")
    }))

  it.effect("AUTH-07 a host defines roles of its own by granting them; an undefined role is a ValidationError", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor: admin } = yield* userWithRole(tenant, "Admin")
      const { user } = yield* register(tenant)
      const auditor = yield* Memberships.assignRole(admin, { userId: user.id, role: "Auditor" })
      assert.strictEqual(auditor.role, "Auditor")
      assert.strictEqual(
        yield* outcome(Audit.auditByActor(actorOf(user, tenant, "Auditor"), { actorId: admin.userId })),
        "Success"
      )
      assert.strictEqual(
        yield* outcome(Memberships.assignRole(admin, { userId: user.id, role: "Pilot" })),
        "ValidationError",
        "not defined by the host"
      )
      assert.include((yield* Roles.rolePermissions(admin, {})).map((r) => r.role), "Auditor")
      assert.notInclude((yield* Roles.rolePermissions(admin, {})).map((r) => r.role), "system")
    }))

  it.effect("a tenant's override changes what a role holds in that tenant only", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const other = yield* openTenant()
      const { actor: admin } = yield* userWithRole(tenant, "Admin")
      const { actor: rep } = yield* userWithRole(tenant, "Sales Rep")
      const { actor: otherRep } = yield* userWithRole(other, "Sales Rep")
      const set = yield* Roles.setRolePermissions(admin, {
        role: "Sales Rep",
        permissions: [billingVoid, Permissions.departmentRead]
      })
      assert.isTrue(set.overridden)
      assert.strictEqual(yield* outcome(Actor.authorize(rep, billingVoid)), "Success")
      assert.strictEqual(yield* outcome(Actor.authorize(otherRep, billingVoid)), "Forbidden")
      assert.strictEqual(
        yield* outcome(Actor.authorize(rep, Permissions.organizationRead)),
        "Forbidden",
        "the override replaces the defaults"
      )
      const table = yield* Roles.rolePermissions(admin, {})
      assert.deepStrictEqual(
        table.find((r) => r.role === "Sales Rep")?.permissions,
        [Permissions.departmentRead, billingVoid].sort()
      )
      yield* Roles.resetRolePermissions(admin, { role: "Sales Rep" })
      assert.strictEqual(yield* outcome(Actor.authorize(rep, billingVoid)), "Forbidden")
      assert.strictEqual(yield* outcome(Actor.authorize(rep, Permissions.organizationRead)), "Success")
    }))

  it.effect("AUTH-02 no tenant configuration can give role assignment to a non-admin role", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor: admin } = yield* userWithRole(tenant, "Admin")
      const { actor: manager } = yield* userWithRole(tenant, "manager")
      const before = yield* snapshot
      for (const p of [Permissions.userAssignRole, Permissions.roleConfigure]) {
        assert.strictEqual(
          yield* outcome(Roles.setRolePermissions(admin, { role: "manager", permissions: [p] })),
          "ValidationError"
        )
      }
      assert.strictEqual(
        yield* outcome(Roles.setRolePermissions(admin, { role: "system", permissions: [] })),
        "ValidationError"
      )
      assert.strictEqual(
        yield* outcome(Roles.setRolePermissions(manager, { role: "manager", permissions: [] })),
        "Forbidden"
      )
      assert.strictEqual(yield* snapshot, before)
      const { user } = yield* register(tenant)
      assert.strictEqual(
        yield* outcome(Memberships.assignRole(manager, { userId: user.id, role: "Admin" })),
        "Forbidden"
      )
    }))

  it.effect("admin roles keep role configuration even after emptying their own permissions (no lock-out)", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor: admin } = yield* userWithRole(tenant, "Admin")
      yield* Roles.setRolePermissions(admin, { role: "Admin", permissions: [] })
      assert.strictEqual(yield* outcome(Actor.authorize(admin, Permissions.userRead)), "Forbidden")
      yield* Roles.resetRolePermissions(admin, { role: "Admin" })
      assert.strictEqual(yield* outcome(Actor.authorize(admin, Permissions.userRead)), "Success")
    }))
})

layer(layerTest())("audit", (it) => {
  it.effect("TEN-07 every create, update and delete is audited with old values, new values and the actor", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const created = yield* Departments.createDepartment(actor, { name: "Ops", code: "OPS" })
      yield* Departments.updateDepartment(actor, { departmentId: created.id, name: "Operations" })
      yield* Departments.deleteDepartment(actor, { departmentId: created.id })
      const entries = yield* Audit.auditByEntity(actor, { entityType: "Department", entityId: created.id })
      assert.deepStrictEqual(entries.map((e) => e.action), ["CREATE", "UPDATE", "DELETE"])
      assert.isTrue(entries.every((e) => e.actorId === actor.userId))
      assert.deepStrictEqual([entries[0]!.oldValues, (entries[0]!.newValues as { name: string }).name], [null, "Ops"])
      assert.deepStrictEqual(
        [(entries[1]!.oldValues as { name: string }).name, (entries[1]!.newValues as { name: string }).name],
        ["Ops", "Operations"]
      )
      assert.includeMembers([...entries[1]!.changedFields], ["name"])
      assert.isNotNull((entries[2]!.newValues as { deletedAt: number | null }).deletedAt)
      const byActor = yield* Audit.auditByActor(actor, { actorId: actor.userId })
      assert.includeMembers(byActor.map((e) => e.id), entries.map((e) => e.id))
    }))

  it.effect("TEN-07 user changes are audited; audit queries need the permission and stay in the tenant", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const other = yield* openTenant()
      const { actor } = yield* userWithRole(tenant, "admin")
      const { actor: otherAdmin } = yield* userWithRole(other, "admin")
      const { user } = yield* register(tenant)
      yield* Users.updateProfile(actorOf(user, tenant), { userId: user.id, name: "Renamed" })
      const entries = yield* Audit.auditByEntity(actor, { entityType: "User", entityId: user.id })
      assert.deepStrictEqual(entries.map((e) => e.action), ["CREATE", "UPDATE"])
      assert.deepStrictEqual(entries.map((e) => e.actorId), [entries[0]!.actorId, user.id])
      assert.deepStrictEqual(yield* Audit.auditByEntity(otherAdmin, { entityType: "User", entityId: user.id }), [])
      assert.strictEqual(
        yield* outcome(Audit.auditByEntity(actorOf(user, tenant), { entityType: "User", entityId: user.id })),
        "Forbidden"
      )
      const raw = yield* AuditLog.AuditLog.use((a) => a.byEntity(tenant, "User", user.id))
      assert.isFalse(JSON.stringify(raw).includes("codeHash"))
    }))
})
