/**
 * Departments (seed 001): a tree per organization. Codes are unique among the organization's live
 * departments and the tree never has a cycle (TEN-04).
 */
import { Result, Schema } from "effect"
import { Ids, Instant, Tenant } from "@erpkit/kernel"
import { Version } from "./Versioned.ts"
import { DepartmentCycle } from "./IdentityError.ts"

export const DepartmentId = Ids.makeId("DepartmentId")
export type DepartmentId = typeof DepartmentId.Type

export class Department extends Schema.Class<Department>("Department")({
  id: DepartmentId,
  /** The workspace the department belongs to; its code is unique in the whole organization. */
  tenant: Tenant.Tenant,
  name: Schema.String,
  code: Schema.NullOr(Schema.String),
  parentId: Schema.NullOr(DepartmentId),
  isActive: Schema.Boolean,
  createdAt: Instant.Instant,
  updatedAt: Instant.Instant,
  /** Optimistic concurrency: +1 on every write (see `Versioned`). */
  version: Version,
  deletedAt: Schema.NullOr(Instant.Instant)
}) {}

/**
 * Whether putting `id` under `parentId` closes a loop: walk up from the new parent; meeting `id`
 * means a cycle. `parentOf` covers the organization's departments; the walk is bounded by their
 * count, so even corrupt data (an existing loop) cannot make it spin.
 */
export const wouldCycle = (
  parentOf: ReadonlyMap<string, string | null>,
  id: DepartmentId,
  parentId: DepartmentId | null
): boolean => {
  let current: string | null = parentId
  for (let steps = 0; current !== null && steps <= parentOf.size; steps++) {
    if (current === id) return true
    current = parentOf.get(current) ?? null
  }
  return current !== null
}

export const move = (
  parentOf: ReadonlyMap<string, string | null>,
  dept: Department,
  parentId: DepartmentId | null,
  now: number
): Result.Result<Department, DepartmentCycle> =>
  wouldCycle(parentOf, dept.id, parentId)
    ? Result.fail(new DepartmentCycle({ departmentId: dept.id, parentId: parentId ?? "" }))
    : Result.succeed(new Department({ ...dept, parentId, updatedAt: now }))

/** Invariant: following parents from any department ends at a root within `size` steps. */
export const isAcyclic = (parentOf: ReadonlyMap<string, string | null>): boolean =>
  [...parentOf.keys()].every((start) => {
    let current: string | null = start
    for (let steps = 0; steps <= parentOf.size; steps++) {
      current = parentOf.get(current) ?? null
      if (current === null) return true
      if (current === start) return false
    }
    return false
  })
