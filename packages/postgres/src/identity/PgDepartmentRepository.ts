/**
 * `DepartmentRepository` on `identity.departments` (workspace rows). TEN-04/06: the live
 * (organization, code) partial unique index gives `DepartmentCodeTaken`; a trigger re-checks that the
 * tree stays acyclic in the writing transaction (a second line behind `Department.wouldCycle`).
 */
import { Effect, Layer, Option } from "effect"
import type { Tenant } from "@erpkit/kernel"
import { Department, DepartmentRepository, IdentityError } from "@erpkit/identity"
import type { Fragment } from "effect/sql/Statement"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import { checkStorable, inWorkspace, mapWrite, noConflict, read, tenantOf, versioned } from "./shared.ts"

interface DepartmentRow extends TenantTable.TenantColumns {
  readonly id: string
  readonly name: string
  readonly code: string | null
  readonly parentId: string | null
  readonly isActive: boolean
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly deletedAt: Date | null
  readonly version: number
}

const toDepartment = (row: DepartmentRow): Department.Department =>
  new Department.Department({
    id: row.id as Department.DepartmentId,
    tenant: tenantOf(row),
    name: row.name,
    code: row.code,
    parentId: row.parentId as Department.DepartmentId | null,
    isActive: row.isActive,
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt),
    deletedAt: fromTimestamptzOrNull(row.deletedAt),
    version: row.version
  })

type D = Department.Department

/** `identity.departments` (alias `d`); reads and updates see live rows only. */
export const departments = TenantTable.make<D, DepartmentRow>({
  table: "identity.departments",
  alias: "d",
  entity: "Department",
  columns: [
    column("id", (d) => d.id, { fixed: true }),
    column("name", (d) => d.name),
    column("code", (d) => d.code),
    column("parent_id", (d) => d.parentId),
    column("is_active", (d) => d.isActive),
    column("created_at", (d) => toTimestamptz(d.createdAt), { fixed: true }),
    column("updated_at", (d) => toTimestamptz(d.updatedAt)),
    column("deleted_at", (d) => toTimestamptzOrNull(d.deletedAt), { cast: "timestamptz" }),
    column("version", (d) => d.version)
  ],
  decode: toDepartment,
  live: "d.deleted_at IS NULL"
})

const reasons = { departments_pkey: "id exists" }
/** TEN-04/06: the live code index's violation, with the code written. */
const taken = (d: D) => ({
  departments_code_live_key: () => new IdentityError.DepartmentCodeTaken({ code: d.code ?? "" })
})

export const layer = Layer.effect(
  DepartmentRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const storable = (d: D) => checkStorable(d, ["department"])
    const select = (tenant: Tenant.Tenant, where: Fragment) =>
      Effect.map(
        read(sql<DepartmentRow>`SELECT ${sql.literal(departments.selectList())} FROM identity.departments d
          WHERE ${departments.scope(sql, tenant)} ${where}`),
        (rows) => rows.map(toDepartment)
      )

    return {
      insert: (tenant, d) =>
        inWorkspace(db, tenant)(
          Effect.andThen(storable(d), mapWrite("Department", reasons, taken(d))(departments.insert(sql, tenant, d)))
        ),
      findById: (tenant, id) =>
        inWorkspace(db, tenant)(
          Effect.map(select(tenant, sql`AND d.id = ${id}`), (found) => Option.fromNullishOr(found[0]))
        ),
      list: (tenant) => inWorkspace(db, tenant)(select(tenant, sql`ORDER BY d.created_at, d.id`)),
      parents: (tenant) =>
        inWorkspace(db, tenant)(Effect.map(
          read(sql<{ id: string; parentId: string | null }>`
            SELECT d.id, d.parent_id AS "parentId" FROM identity.departments d WHERE ${
              departments.scope(sql, tenant)
            }`),
          (rows) => new Map(rows.map((r) => [r.id, r.parentId] as const))
        )),
      // optimistic: matches only the version this write follows
      update: (tenant, d) =>
        inWorkspace(db, tenant)(
          Effect.andThen(
            storable(d),
            versioned(
              "Department",
              d.id,
              d.version,
              noConflict(
                mapWrite("Department", reasons, taken(d))(
                  departments.updateVersioned(sql, tenant, d.id, d, d.version - 1)
                )
              ),
              departments.storedVersion(sql, tenant, d.id)
            )
          )
        )
    }
  })
)
