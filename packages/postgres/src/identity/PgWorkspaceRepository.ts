/**
 * `WorkspaceRepository` on `identity.workspaces` (organization-wide rows: a tenant sees every live
 * workspace of its organization). Opening an organization inserts its first workspace from the system
 * actor's transaction, which serves another tenant: that insert joins the transaction as it is, and
 * the policy accepts it only because the same transaction inserted the organization.
 */
import { Effect, Layer, Option } from "effect"
import type { Fragment } from "effect/sql/Statement"
import { type Ids, Tenant } from "@erpkit/kernel"
import { Workspace, WorkspaceRepository } from "@erpkit/identity"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import { checkStorable, inOrganization, mapWrite, read, versioned } from "./shared.ts"

interface WorkspaceRow {
  readonly id: string
  readonly organizationId: string
  readonly name: string
  readonly description: string | null
  readonly type: Workspace.WorkspaceType
  readonly status: Workspace.WorkspaceStatus
  readonly createdBy: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly deletedAt: Date | null
  readonly version: number
}

const columns = `id, organization_id AS "organizationId", name, description, type, status, created_by AS "createdBy",
  created_at AS "createdAt", updated_at AS "updatedAt", deleted_at AS "deletedAt", version`

const toWorkspace = (row: WorkspaceRow): Workspace.Workspace =>
  new Workspace.Workspace({
    id: row.id as Ids.WorkspaceId,
    organizationId: row.organizationId as Ids.OrganizationId,
    name: row.name,
    description: row.description,
    type: row.type,
    status: row.status,
    createdBy: row.createdBy as Ids.UserId | null,
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt),
    deletedAt: fromTimestamptzOrNull(row.deletedAt),
    version: row.version
  })

export const layer = Layer.effect(
  WorkspaceRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const storable = (ws: Workspace.Workspace) => checkStorable(ws, ["workspace"])
    const live = (tenant: Tenant.Tenant) => sql`organization_id = ${tenant.organizationId} AND deleted_at IS NULL`
    /** The workspaces matching `where` (a condition, optionally followed by ORDER BY). */
    const select = (where: Fragment) =>
      Effect.map(
        read(sql<WorkspaceRow>`SELECT ${sql.literal(columns)} FROM identity.workspaces WHERE ${where}`),
        (rows) => rows.map(toWorkspace)
      )

    /** The current command serves another organization: only the one it opened may get a workspace. */
    const scopeForInsert = (tenant: Tenant.Tenant) => <A, E, R>(effect: Effect.Effect<A, E, R>) =>
      Effect.flatMap(
        Tenant.CurrentTenant,
        (current) =>
          current !== undefined && current.organizationId !== tenant.organizationId
            ? db.transaction(effect)
            : inOrganization(db, tenant)(effect)
      )

    return {
      insert: (tenant, ws) =>
        scopeForInsert(tenant)(Effect.andThen(
          storable(ws),
          mapWrite("Workspace", { workspaces_pkey: "id exists" })(sql`
            INSERT INTO identity.workspaces (id, organization_id, name, description, type, status, created_by,
              created_at, updated_at, deleted_at, version)
            VALUES (${ws.id}, ${tenant.organizationId}, ${ws.name}, ${ws.description}, ${ws.type}, ${ws.status},
              ${ws.createdBy}, ${toTimestamptz(ws.createdAt)}, ${toTimestamptz(ws.updatedAt)}, ${
                toTimestamptzOrNull(ws.deletedAt)
              }::timestamptz, ${ws.version})`)
        )),
      findById: (tenant, id) =>
        inOrganization(db, tenant)(
          Effect.map(select(sql`id = ${id} AND ${live(tenant)}`), (rows) => Option.fromNullishOr(rows[0]))
        ),
      list: (tenant) => inOrganization(db, tenant)(select(sql`${live(tenant)} ORDER BY created_at, id`)),
      update: (tenant, ws) =>
        inOrganization(db, tenant)(
          Effect.andThen(
            storable(ws),
            versioned(
              "Workspace",
              ws.id,
              ws.version,
              mapWrite("Workspace")(sql`
              UPDATE identity.workspaces SET name = ${ws.name}, description = ${ws.description}, type = ${ws.type},
                status = ${ws.status}, created_by = ${ws.createdBy}, updated_at = ${toTimestamptz(ws.updatedAt)},
                deleted_at = ${toTimestamptzOrNull(ws.deletedAt)}::timestamptz,
                version = ${ws.version}
              WHERE id = ${ws.id} AND ${live(tenant)} AND version = ${ws.version - 1}
              RETURNING id`),
              sql<{ version: number }>`SELECT version FROM identity.workspaces WHERE id = ${ws.id} AND ${live(tenant)}`
            )
          )
        )
    }
  })
)
