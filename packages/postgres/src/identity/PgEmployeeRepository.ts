/**
 * `EmployeeRepository` on `identity.employees` (organization-wide rows, reads filtered to the tenant's
 * workspace). TEN-03: the live (user, organization) partial unique index gives `AlreadyEmployed`, the
 * live (organization, employee number) one `EmployeeNumberTaken`.
 */
import { Effect, Layer, Option } from "effect"
import type { Ids, Tenant } from "@erpkit/kernel"
import { Employee, EmployeeRepository, IdentityError } from "@erpkit/identity"
import type { Fragment } from "effect/sql/Statement"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import { checkStorable, inOrganization, mapWrite, noConflict, read, tenantOf, versioned } from "./shared.ts"

interface EmployeeRow extends TenantTable.TenantColumns {
  readonly id: string
  readonly userId: string
  readonly departmentId: string | null
  readonly employeeNumber: string | null
  readonly position: string | null
  readonly status: Employee.EmployeeStatus
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly deletedAt: Date | null
  readonly version: number
}

const toEmployee = (row: EmployeeRow): Employee.Employee =>
  new Employee.Employee({
    id: row.id as Employee.EmployeeId,
    userId: row.userId as Ids.UserId,
    tenant: tenantOf(row),
    departmentId: row.departmentId as Employee.Employee["departmentId"],
    employeeNumber: row.employeeNumber,
    position: row.position,
    status: row.status,
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt),
    deletedAt: fromTimestamptzOrNull(row.deletedAt),
    version: row.version
  })

type E = Employee.Employee

/** `identity.employees` (alias `e`); reads and updates see live rows only. */
export const employees = TenantTable.make<E, EmployeeRow>({
  table: "identity.employees",
  alias: "e",
  entity: "Employee",
  columns: [
    column("id", (e) => e.id, { fixed: true }),
    column("user_id", (e) => e.userId),
    column("department_id", (e) => e.departmentId),
    column("employee_number", (e) => e.employeeNumber),
    column("position", (e) => e.position),
    column("status", (e) => e.status),
    column("created_at", (e) => toTimestamptz(e.createdAt), { fixed: true }),
    column("updated_at", (e) => toTimestamptz(e.updatedAt)),
    column("deleted_at", (e) => toTimestamptzOrNull(e.deletedAt), { cast: "timestamptz" }),
    column("version", (e) => e.version)
  ],
  decode: toEmployee,
  live: "e.deleted_at IS NULL"
})

const reasons = { employees_pkey: "id exists" }
/** TEN-03/06: the live unique indexes' violations, with the figures written. */
const taken = (e: E) => ({
  employees_user_live_key: () => new IdentityError.AlreadyEmployed({ userId: e.userId }),
  employees_number_live_key: () => new IdentityError.EmployeeNumberTaken({ employeeNumber: e.employeeNumber ?? "" })
})

export const layer = Layer.effect(
  EmployeeRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const storable = (e: E) => checkStorable(e, ["employee"])
    const select = (where: Fragment) =>
      Effect.map(
        read(sql<EmployeeRow>`SELECT ${sql.literal(employees.selectList())} FROM identity.employees e WHERE ${where}`),
        (rows) => rows.map(toEmployee)
      )

    return {
      insert: (tenant, e) =>
        inOrganization(db, tenant)(
          Effect.andThen(storable(e), mapWrite("Employee", reasons, taken(e))(employees.insert(sql, tenant, e)))
        ),
      findById: (tenant, id) =>
        inOrganization(db, tenant)(
          Effect.map(
            select(sql`e.id = ${id} AND ${employees.scope(sql, tenant)}`),
            (found) => Option.fromNullishOr(found[0])
          )
        ),
      list: (tenant) =>
        inOrganization(db, tenant)(select(sql`${employees.scope(sql, tenant)} ORDER BY e.created_at, e.id`)),
      findByUser: (tenant, userId) =>
        inOrganization(db, tenant)(
          Effect.map(
            select(
              sql`e.user_id = ${userId} AND e.organization_id = ${tenant.organizationId} AND e.deleted_at IS NULL`
            ),
            (found) => Option.fromNullishOr(found[0])
          )
        ),
      // optimistic: matches only the version this write follows
      update: (tenant: Tenant.Tenant, e: E) =>
        inOrganization(db, tenant)(
          Effect.andThen(
            storable(e),
            versioned(
              "Employee",
              e.id,
              e.version,
              noConflict(
                mapWrite("Employee", reasons, taken(e))(employees.updateVersioned(sql, tenant, e.id, e, e.version - 1))
              ),
              employees.storedVersion(sql, tenant, e.id)
            )
          )
        )
    }
  })
)
