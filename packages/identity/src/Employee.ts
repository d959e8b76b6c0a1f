/**
 * Employees (seed 001): a user's membership of an organization, placed in a workspace and
 * optionally a department. One live employee per (user, organization) (TEN-03, TEN-06).
 */
import { Result, Schema } from "effect"
import { type Errors, Ids, Instant, StateMachine, Tenant } from "@erpkit/kernel"
import { Version } from "./Versioned.ts"
import { DepartmentId } from "./Department.ts"

export const EmployeeId = Ids.makeId("EmployeeId")
export type EmployeeId = typeof EmployeeId.Type

export const EmployeeStatus = Schema.Literals(["pending", "active", "inactive", "terminated"])
export type EmployeeStatus = typeof EmployeeStatus.Type

export const statusMachine = StateMachine.make<EmployeeStatus>({
  name: "EmployeeStatus",
  states: ["pending", "active", "inactive", "terminated"],
  initial: [{ state: "pending", label: "hireEmployee" }],
  terminal: ["terminated"],
  transitions: [
    { from: "pending", to: "active", label: "setEmployeeStatus" },
    { from: "active", to: "inactive", label: "setEmployeeStatus" },
    { from: "inactive", to: "active", label: "setEmployeeStatus" },
    { from: "pending", to: "terminated", label: "setEmployeeStatus" },
    { from: "active", to: "terminated", label: "setEmployeeStatus" },
    { from: "inactive", to: "terminated", label: "setEmployeeStatus" }
  ]
})

export class Employee extends Schema.Class<Employee>("Employee")({
  id: EmployeeId,
  userId: Ids.UserId,
  /** The workspace the employee is placed in; uniqueness spans the whole organization. */
  tenant: Tenant.Tenant,
  departmentId: Schema.NullOr(DepartmentId),
  /** Unique among the organization's live employees when set. */
  employeeNumber: Schema.NullOr(Schema.String),
  position: Schema.NullOr(Schema.String),
  status: EmployeeStatus,
  createdAt: Instant.Instant,
  updatedAt: Instant.Instant,
  /** Optimistic concurrency: +1 on every write (see `Versioned`). */
  version: Version,
  deletedAt: Schema.NullOr(Instant.Instant)
}) {}

export const setStatus = (
  e: Employee,
  to: EmployeeStatus,
  now: number
): Result.Result<Employee, Errors.InvalidTransition> =>
  Result.map(
    StateMachine.transition(statusMachine, e.status, to),
    (status) => new Employee({ ...e, status, updatedAt: now })
  )
