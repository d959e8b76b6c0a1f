/**
 * `RolePermissionRepository` on `identity.role_permissions`: one row per (organization, role) with a
 * sorted, duplicate-free `text[]` of permissions. `set` is one upsert.
 */
import { Effect, Layer, Option } from "effect"
import type { Actor } from "@erpkit/kernel"
import { RolePermissionRepository } from "@erpkit/identity"
import { PgDatabase } from "../Database.ts"
import { checkStorable, inOrganization, read } from "./shared.ts"

const normalized = (permissions: ReadonlyArray<Actor.Permission>): ReadonlyArray<Actor.Permission> =>
  [...new Set(permissions)].sort()

export const layer = Layer.effect(
  RolePermissionRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql

    return {
      find: (tenant, role) =>
        inOrganization(db, tenant)(Effect.map(
          read(sql<{ permissions: ReadonlyArray<string> }>`
            SELECT permissions FROM identity.role_permissions WHERE organization_id = ${tenant.organizationId}
              AND role = ${role}`),
          (rows) => Option.map(Option.fromNullishOr(rows[0]), (r) => r.permissions as ReadonlyArray<Actor.Permission>)
        )),
      list: (tenant) =>
        inOrganization(db, tenant)(Effect.map(
          read(sql<{ role: Actor.Role; permissions: ReadonlyArray<string> }>`
            SELECT role, permissions FROM identity.role_permissions WHERE organization_id = ${tenant.organizationId}
              ORDER BY role COLLATE "C"`),
          (rows) => rows.map((r) => ({ role: r.role, permissions: r.permissions as ReadonlyArray<Actor.Permission> }))
        )),
      set: (tenant, role, permissions) =>
        inOrganization(db, tenant)(Effect.andThen(
          checkStorable(permissions, ["permissions"]),
          Effect.asVoid(read(sql`
            INSERT INTO identity.role_permissions (organization_id, role, permissions, updated_at)
            VALUES (${tenant.organizationId}, ${role}, ${normalized(permissions)}::text[], now())
            ON CONFLICT (organization_id, role) DO UPDATE SET permissions = excluded.permissions,
              updated_at = excluded.updated_at`))
        )),
      remove: (tenant, role) =>
        inOrganization(db, tenant)(
          Effect.map(
            read(sql`DELETE FROM identity.role_permissions WHERE organization_id = ${tenant.organizationId}
              AND role = ${role} RETURNING role`),
            (rows) => rows.length > 0
          )
        )
    }
  })
)
