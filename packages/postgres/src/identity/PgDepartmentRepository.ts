/**
 * `DepartmentRepository` on `identity.departments` (workspace rows). TEN-04/06: the live
 * (organization, code) partial unique index gives `Conflict`; a trigger re-checks that the tree stays
 * acyclic in the writing transaction (a second line behind `Department.wouldCycle`).
 */
import { Effect, Layer, Option } from "effect"
import type { Ids, Tenant } from "@erpkit/kernel"
import { type Department, DepartmentRepository } from "@erpkit/identity"
import type { Fragment } from "effect/sql/Statement"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import { checkStorable, inWorkspace, mapWrite, read, versioned } from "./shared.ts"

interface DepartmentRow {
  readonly id: string
  readonly organizationId: string
  readonly workspaceId: string
  readonly name: string
  readonly code: string | null
  readonly parentId: string | null
  readonly isActive: boolean
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly deletedAt: Date | null
  readonly version: number
}

const columns = `id, organization_id AS "organizationId", workspace_id AS "workspaceId", name, code, parent_id AS "parentId",
  is_active AS "isActive", created_at AS "createdAt", updated_at AS "updatedAt",
  deleted_at AS "deletedAt", version`

const toDepartment = (row: DepartmentRow): Department.Department => ({
  id: row.id as Department.DepartmentId,
  organizationId: row.organizationId as Ids.OrganizationId,
  workspaceId: row.workspaceId as Ids.WorkspaceId,
  name: row.name,
  code: row.code,
  parentId: row.parentId as Department.DepartmentId | null,
  isActive: row.isActive,
  createdAt: fromTimestamptz(row.createdAt),
  updatedAt: fromTimestamptz(row.updatedAt),
  deletedAt: fromTimestamptzOrNull(row.deletedAt),
  version: row.version
})

const reasons = (d: Department.Department) => ({
  departments_code_live_key: `code ${d.code ?? ""} is taken in this organization`,
  departments_pkey: "id exists"
})

export const layer = Layer.effect(
  DepartmentRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const storable = (d: Department.Department) => checkStorable(d, ["department"])
    const visible = (tenant: Tenant.Tenant) =>
      sql`organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND deleted_at IS NULL`
    const select = (where: Fragment) =>
      Effect.map(read(sql<DepartmentRow>`SELECT ${sql.literal(columns)} FROM identity.departments WHERE ${where}`), (rows) => rows.map(toDepartment))

    return {
      insert: (tenant, d) =>
        inWorkspace(db, tenant)(Effect.andThen(
          storable(d),
          mapWrite("Department", reasons(d))(sql`
            INSERT INTO identity.departments (id, organization_id, workspace_id, name, code, parent_id, is_active, created_at, updated_at,
              deleted_at, version)
            VALUES (${d.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${d.name}, ${d.code}, ${d.parentId}, ${d.isActive},
              ${toTimestamptz(d.createdAt)}, ${toTimestamptz(d.updatedAt)}, ${toTimestamptzOrNull(d.deletedAt)}::timestamptz, ${d.version})`)
        )),
      findById: (tenant, id) =>
        inWorkspace(db, tenant)(Effect.map(select(sql`id = ${id} AND ${visible(tenant)}`), (found) => Option.fromNullishOr(found[0]))),
      list: (tenant) => inWorkspace(db, tenant)(select(sql`${visible(tenant)} ORDER BY created_at, id`)),
      parents: (tenant) =>
        inWorkspace(db, tenant)(Effect.map(
          read(sql<{ id: string; parentId: string | null }>`
            SELECT id, parent_id AS "parentId" FROM identity.departments WHERE ${visible(tenant)}`),
          (rows) => new Map(rows.map((r) => [r.id, r.parentId] as const))
        )),
      update: (tenant, d) =>
        inWorkspace(db, tenant)(Effect.andThen(
          storable(d),
          versioned(
            "Department",
            d.id,
            d.version,
            mapWrite("Department", reasons(d))(sql`
              UPDATE identity.departments SET name = ${d.name}, code = ${d.code}, parent_id = ${d.parentId}, is_active = ${d.isActive},
                updated_at = ${toTimestamptz(d.updatedAt)}, deleted_at = ${toTimestamptzOrNull(d.deletedAt)}::timestamptz, version = ${d.version}
              WHERE id = ${d.id} AND ${visible(tenant)} AND version = ${d.version - 1}
              RETURNING id`),
            sql<{ version: number }>`SELECT version FROM identity.departments WHERE id = ${d.id} AND ${visible(tenant)}`
          )
        ))
    }
  })
)
