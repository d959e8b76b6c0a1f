/**
 * Departments of the actor's workspace: codes unique per organization, a tree without cycles
 * (TEN-04), soft delete (TEN-06). Ids from another tenant are `NotFound` (TEN-01).
 */
import { Effect, Option, Schema } from "effect"
import { Command, Errors, Ids, type Tenant, Text } from "@erpkit/kernel"
import * as IdentityError from "./IdentityError.ts"
import { created, deleted, updated } from "./Changes.ts"
import * as Department from "./Department.ts"
import { DepartmentRepository } from "./DepartmentRepository.ts"
import * as Permissions from "./Permissions.ts"
import { RequiredText } from "./User.ts"
import { successor } from "./Versioned.ts"

/** A department code: trimmed, non-empty, storable (kernel `Text.Trimmed`), or null. */
const Code = Schema.NullOr(Text.Trimmed(50))

export const load = (tenant: Tenant.Tenant, id: Department.DepartmentId) =>
  Effect.flatMap(
    DepartmentRepository.use((r) => r.findById(tenant, id)),
    (found) =>
      Option.isSome(found)
        ? Effect.succeed(found.value)
        : Effect.fail(new Errors.NotFound({ entity: "Department", id }))
  )

export const createDepartment = Command.make({
  name: "identity.createDepartment",
  input: Schema.Struct({
    name: RequiredText(255),
    code: Schema.optionalKey(Code),
    parentId: Schema.optionalKey(Schema.NullOr(Department.DepartmentId))
  }),
  output: Department.Department,
  permission: Permissions.departmentManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const parentId = input.parentId ?? null
    if (parentId !== null) yield* load(ctx.tenant, parentId)
    const dept = new Department.Department({
      id: yield* Ids.nextId(Department.DepartmentId),
      tenant: ctx.tenant,
      name: input.name,
      code: input.code ?? null,
      parentId,
      isActive: true,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      deletedAt: null,
      version: 1
    })
    yield* DepartmentRepository.use((r) => r.insert(ctx.tenant, dept))
    return { result: dept, changes: [created("Department", dept.id, dept)] }
  })
})

export const updateDepartment = Command.make({
  name: "identity.updateDepartment",
  input: Schema.Struct({
    departmentId: Department.DepartmentId,
    name: Schema.optionalKey(RequiredText(255)),
    code: Schema.optionalKey(Code),
    isActive: Schema.optionalKey(Schema.Boolean)
  }),
  output: Department.Department,
  permission: Permissions.departmentManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* load(ctx.tenant, input.departmentId)
    const after: Department.Department = successor(before, {
      ...before,
      name: input.name ?? before.name,
      code: input.code === undefined ? before.code : input.code,
      isActive: input.isActive ?? before.isActive,
      updatedAt: ctx.now
    })
    yield* DepartmentRepository.use((r) => r.update(ctx.tenant, after))
    return { result: after, changes: [updated("Department", after.id, before, after)] }
  })
})

/** TEN-04: re-parents a department; a move that would close a loop is `DepartmentCycle`. */
export const moveDepartment = Command.make({
  name: "identity.moveDepartment",
  input: Schema.Struct({ departmentId: Department.DepartmentId, parentId: Schema.NullOr(Department.DepartmentId) }),
  output: Department.Department,
  permission: Permissions.departmentManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* load(ctx.tenant, input.departmentId)
    if (input.parentId !== null) yield* load(ctx.tenant, input.parentId)
    const parents = yield* DepartmentRepository.use((r) => r.parents(ctx.tenant))
    const after = successor(before, yield* Effect.fromResult(Department.move(parents, before, input.parentId, ctx.now)))
    yield* DepartmentRepository.use((r) => r.update(ctx.tenant, after))
    return { result: after, changes: [updated("Department", after.id, before, after)] }
  })
})

/** TEN-06: soft delete; a department with live sub-departments is refused (`DepartmentHasChildren`). */
export const deleteDepartment = Command.make({
  name: "identity.deleteDepartment",
  input: Schema.Struct({ departmentId: Department.DepartmentId }),
  output: Department.Department,
  permission: Permissions.departmentManage,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const before = yield* load(ctx.tenant, input.departmentId)
    const parents = yield* DepartmentRepository.use((r) => r.parents(ctx.tenant))
    const childCount = [...parents.values()].filter((parent) => parent === before.id).length
    if (childCount > 0) return yield* new IdentityError.DepartmentHasChildren({ departmentId: before.id, childCount })
    const after = successor(before, { ...before, deletedAt: ctx.now, updatedAt: ctx.now })
    yield* DepartmentRepository.use((r) => r.update(ctx.tenant, after))
    return { result: after, changes: [deleted("Department", after.id, before, after)] }
  })
})

export const getDepartment = Command.query({
  name: "identity.getDepartment",
  input: Schema.Struct({ departmentId: Department.DepartmentId }),
  permission: Permissions.departmentRead,
  handler: (input, ctx) => load(ctx.tenant, input.departmentId)
})

export const listDepartments = Command.query({
  name: "identity.listDepartments",
  input: Schema.Struct({}),
  permission: Permissions.departmentRead,
  handler: (_input, ctx) => DepartmentRepository.use((r) => r.list(ctx.tenant))
})
