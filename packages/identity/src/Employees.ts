/**
 * Employees of the actor's workspace: one live record per (user, organization) (TEN-03), soft
 * delete (TEN-06), status lifecycle. Ids from another tenant are `NotFound` (TEN-01).
 */
import { Effect, Option, Schema } from "effect"
import { Command, Errors, Ids, type Tenant, Text } from "@erpkit/kernel"
import { created, deleted, updated } from "./Changes.ts"
import { DepartmentId } from "./Department.ts"
import { load as loadDepartment } from "./Departments.ts"
import * as Employee from "./Employee.ts"
import { EmployeeRepository } from "./EmployeeRepository.ts"
import * as Permissions from "./Permissions.ts"
import { MembershipRepository } from "./MembershipRepository.ts"
import { successor } from "./Versioned.ts"

/** Trimmed, non-empty, storable text (kernel `Text.Trimmed`), or null. */
const OptionalText = (max: number) => Schema.NullOr(Text.Trimmed(max))

export const load = (tenant: Tenant.Tenant, id: Employee.EmployeeId) =>
  Effect.flatMap(
    EmployeeRepository.use((r) => r.findById(tenant, id)),
    (found) =>
      Option.isSome(found) ? Effect.succeed(found.value) : Effect.fail(new Errors.NotFound({ entity: "Employee", id }))
  )

/** Writes the next version of `before` and reports it. */
const save = (tenant: Tenant.Tenant, before: Employee.Employee, changed: Employee.Employee) => {
  const after = successor(before, changed)
  return Effect.as(EmployeeRepository.use((r) => r.update(tenant, after)), {
    result: after,
    changes: [updated("Employee", after.id, before, after)]
  })
}

/** What hiring sets and an update may change. */
const employmentFields = {
  departmentId: Schema.optionalKey(Schema.NullOr(DepartmentId)),
  employeeNumber: Schema.optionalKey(OptionalText(50)),
  position: Schema.optionalKey(OptionalText(255))
}

/**
 * Hires a member of this organization (its own users, or users who accepted its invitation): anyone
 * else is `NotFound`, so no organization employs a user without that user's consent.
 */
export const hireEmployee = Command.make({
  name: "identity.hireEmployee",
  input: Schema.Struct({ userId: Ids.UserId, ...employmentFields }),
  output: Employee.Employee,
  permission: Permissions.employeeManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const member = yield* MembershipRepository.use((r) => r.find(ctx.tenant.organizationId, input.userId))
    if (Option.isNone(member)) return yield* new Errors.NotFound({ entity: "User", id: input.userId })
    const departmentId = input.departmentId ?? null
    if (departmentId !== null) yield* loadDepartment(ctx.tenant, departmentId)
    const employee = new Employee.Employee({
      id: yield* Ids.nextId(Employee.EmployeeId),
      userId: input.userId,
      tenant: ctx.tenant,
      departmentId,
      employeeNumber: input.employeeNumber ?? null,
      position: input.position ?? null,
      status: "pending",
      createdAt: ctx.now,
      updatedAt: ctx.now,
      deletedAt: null,
      version: 1
    })
    yield* EmployeeRepository.use((r) => r.insert(ctx.tenant, employee))
    return { result: employee, changes: [created("Employee", employee.id, employee)] }
  })
})

export const updateEmployee = Command.make({
  name: "identity.updateEmployee",
  input: Schema.Struct({ employeeId: Employee.EmployeeId, ...employmentFields }),
  output: Employee.Employee,
  permission: Permissions.employeeManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* load(ctx.tenant, input.employeeId)
    if (input.departmentId != null) yield* loadDepartment(ctx.tenant, input.departmentId)
    return yield* save(ctx.tenant, before, {
      ...before,
      departmentId: input.departmentId === undefined ? before.departmentId : input.departmentId,
      employeeNumber: input.employeeNumber === undefined ? before.employeeNumber : input.employeeNumber,
      position: input.position === undefined ? before.position : input.position,
      updatedAt: ctx.now
    })
  })
})

export const setEmployeeStatus = Command.make({
  name: "identity.setEmployeeStatus",
  input: Schema.Struct({ employeeId: Employee.EmployeeId, status: Employee.EmployeeStatus }),
  output: Employee.Employee,
  permission: Permissions.employeeManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* load(ctx.tenant, input.employeeId)
    return yield* save(ctx.tenant, before, yield* Effect.fromResult(Employee.setStatus(before, input.status, ctx.now)))
  })
})

/** TEN-06: soft delete; the user may be hired again afterwards. */
export const removeEmployee = Command.make({
  name: "identity.removeEmployee",
  input: Schema.Struct({ employeeId: Employee.EmployeeId }),
  output: Employee.Employee,
  permission: Permissions.employeeManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* load(ctx.tenant, input.employeeId)
    const after = successor(before, { ...before, deletedAt: ctx.now, updatedAt: ctx.now })
    yield* EmployeeRepository.use((r) => r.update(ctx.tenant, after))
    return { result: after, changes: [deleted("Employee", after.id, before, after)] }
  })
})

export const getEmployee = Command.query({
  name: "identity.getEmployee",
  input: Schema.Struct({ employeeId: Employee.EmployeeId }),
  permission: Permissions.employeeRead,
  handler: (input, ctx) => load(ctx.tenant, input.employeeId)
})

export const listEmployees = Command.query({
  name: "identity.listEmployees",
  input: Schema.Struct({}),
  permission: Permissions.employeeRead,
  handler: (_input, ctx) => EmployeeRepository.use((r) => r.list(ctx.tenant))
})
