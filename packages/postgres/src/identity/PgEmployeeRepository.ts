/**
 * `EmployeeRepository` on `identity.employees` (organization-wide rows, reads filtered to the tenant's
 * workspace). TEN-03: the live (user, organization) and (organization, employee number) partial unique
 * indexes give `Conflict`.
 */
import { Effect, Layer, Option } from "effect"
import type { Ids, Tenant } from "@erpkit/kernel"
import { type Employee, EmployeeRepository } from "@erpkit/identity"
import type { Fragment } from "effect/sql/Statement"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import { checkStorable, inOrganization, mapWrite, read, versioned } from "./shared.ts"

interface EmployeeRow {
  readonly id: string
  readonly userId: string
  readonly organizationId: string
  readonly workspaceId: string
  readonly departmentId: string | null
  readonly employeeNumber: string | null
  readonly position: string | null
  readonly status: Employee.EmployeeStatus
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly deletedAt: Date | null
  readonly version: number
}

const columns = `id, user_id AS "userId", organization_id AS "organizationId", workspace_id AS "workspaceId",
  department_id AS "departmentId", employee_number AS "employeeNumber", position, status,
  created_at AS "createdAt", updated_at AS "updatedAt", deleted_at AS "deletedAt", version`

const toEmployee = (row: EmployeeRow): Employee.Employee => ({
  id: row.id as Employee.EmployeeId,
  userId: row.userId as Ids.UserId,
  organizationId: row.organizationId as Ids.OrganizationId,
  workspaceId: row.workspaceId as Ids.WorkspaceId,
  departmentId: row.departmentId as Employee.Employee["departmentId"],
  employeeNumber: row.employeeNumber,
  position: row.position,
  status: row.status,
  createdAt: fromTimestamptz(row.createdAt),
  updatedAt: fromTimestamptz(row.updatedAt),
  deletedAt: fromTimestamptzOrNull(row.deletedAt),
  version: row.version
})

const employed = "the user is already an employee of this organization"
const reasons = {
  employees_user_live_key: employed,
  employees_number_live_key: "employee number is taken",
  employees_pkey: "id exists"
}

export const layer = Layer.effect(
  EmployeeRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const storable = (e: Employee.Employee) => checkStorable(e, ["employee"])
    const visible = (tenant: Tenant.Tenant) =>
      sql`organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND deleted_at IS NULL`
    const select = (where: Fragment) =>
      Effect.map(read(sql<EmployeeRow>`SELECT ${sql.literal(columns)} FROM identity.employees WHERE ${where}`), (rows) => rows.map(toEmployee))

    return {
      insert: (tenant, e) =>
        inOrganization(db, tenant)(Effect.andThen(
          storable(e),
          mapWrite("Employee", reasons)(sql`
            INSERT INTO identity.employees (id, user_id, organization_id, workspace_id, department_id, employee_number, position, status,
              created_at, updated_at, deleted_at, version)
            VALUES (${e.id}, ${e.userId}, ${tenant.organizationId}, ${tenant.workspaceId}, ${e.departmentId}, ${e.employeeNumber},
              ${e.position}, ${e.status}, ${toTimestamptz(e.createdAt)}, ${toTimestamptz(e.updatedAt)}, ${toTimestamptzOrNull(e.deletedAt)}::timestamptz,
              ${e.version})`)
        )),
      findById: (tenant, id) =>
        inOrganization(db, tenant)(Effect.map(select(sql`id = ${id} AND ${visible(tenant)}`), (found) => Option.fromNullishOr(found[0]))),
      list: (tenant) => inOrganization(db, tenant)(select(sql`${visible(tenant)} ORDER BY created_at, id`)),
      findByUser: (tenant, userId) =>
        inOrganization(db, tenant)(Effect.map(
          select(sql`user_id = ${userId} AND organization_id = ${tenant.organizationId} AND deleted_at IS NULL`),
          (found) => Option.fromNullishOr(found[0])
        )),
      update: (tenant, e) =>
        inOrganization(db, tenant)(Effect.andThen(
          storable(e),
          versioned(
            "Employee",
            e.id,
            e.version,
            mapWrite("Employee", reasons)(sql`
              UPDATE identity.employees SET user_id = ${e.userId}, department_id = ${e.departmentId}, employee_number = ${e.employeeNumber},
                position = ${e.position}, status = ${e.status}, updated_at = ${toTimestamptz(e.updatedAt)},
                deleted_at = ${toTimestamptzOrNull(e.deletedAt)}::timestamptz, version = ${e.version}
              WHERE id = ${e.id} AND ${visible(tenant)} AND version = ${e.version - 1}
              RETURNING id`),
            sql<{ version: number }>`SELECT version FROM identity.employees WHERE id = ${e.id} AND ${visible(tenant)}`
          )
        ))
    }
  })
)
