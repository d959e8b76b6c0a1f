/**
 * `SettingRepository` on `identity.settings` (TEN-08). A tenant sees its organization-wide settings
 * (workspace null) and its own workspace's, in the policy and in every statement. The unique
 * `(key, organization_id, workspace_id)` constraint (NULLS NOT DISTINCT) gives `SettingKeyTaken`; an update
 * never moves a setting's key or scope (the app role cannot even write those columns).
 */
import { Effect, Layer, Option, type Schema } from "effect"
import type { Ids, Tenant } from "@erpkit/kernel"
import { IdentityError, Setting, SettingRepository } from "@erpkit/identity"
import type { SqlClient } from "effect/sql"
import type { Fragment } from "effect/sql/Statement"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"
import { checkStorable, inWorkspace, lookup, mapWrite, read, versioned } from "./shared.ts"

interface SettingRow {
  readonly id: string
  readonly organizationId: string
  readonly workspaceId: string | null
  readonly key: string
  readonly category: string
  readonly dataType: Setting.SettingType
  readonly value: Schema.Json
  readonly description: string | null
  readonly secret: boolean
  readonly readOnly: boolean
  readonly rules: Setting.ValidationRules
  readonly createdBy: string | null
  readonly updatedBy: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly version: number
}

const columns =
  `id, organization_id AS "organizationId", workspace_id AS "workspaceId", key, category, data_type AS "dataType",
  value,
  description, secret, read_only AS "readOnly", rules, created_by AS "createdBy", updated_by AS "updatedBy",
  created_at AS "createdAt", updated_at AS "updatedAt", version`

const toSetting = (row: SettingRow): Setting.Setting =>
  new Setting.Setting({
    id: row.id as Setting.SettingId,
    organizationId: row.organizationId as Ids.OrganizationId,
    workspaceId: row.workspaceId as Ids.WorkspaceId | null,
    key: row.key,
    category: row.category,
    dataType: row.dataType,
    value: row.value,
    description: row.description,
    secret: row.secret,
    readOnly: row.readOnly,
    rules: row.rules,
    createdBy: row.createdBy as Ids.UserId | null,
    updatedBy: row.updatedBy as Ids.UserId | null,
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt),
    version: row.version
  })

/** TEN-08: the scope key's violation, with the key and the scope written. */
const taken = (s: Setting.Setting) => ({
  settings_scope_key: () =>
    new IdentityError.SettingKeyTaken({ key: s.key, scope: s.workspaceId === null ? "organization" : "workspace" })
})

/** TEN-08: what `tenant` sees, its organization-wide settings (workspace null) and its own workspace's. */
const visibleTo = (sql: SqlClient.SqlClient, tenant: Tenant.Tenant) =>
  sql`organization_id = ${tenant.organizationId} AND (workspace_id IS NULL OR workspace_id = ${tenant.workspaceId})`

/** The scope is the tenant's: its organization, and its workspace unless the setting is organization-wide. */
const insertRow = (sql: SqlClient.SqlClient, tenant: Tenant.Tenant, s: Setting.Setting) =>
  mapWrite("Setting", { settings_pkey: "id exists" }, taken(s))(sql`
    INSERT INTO identity.settings (id, organization_id, workspace_id, key, category, data_type, value,
      description, secret, read_only, rules, created_by, updated_by, created_at, updated_at, version)
    VALUES (${s.id}, ${tenant.organizationId}, ${
      s.workspaceId === null ? null : tenant.workspaceId
    }, ${s.key}, ${s.category},
      ${s.dataType}, ${JSON.stringify(s.value)}::jsonb, ${s.description}, ${s.secret}, ${s.readOnly}, ${
        JSON.stringify(s.rules)
      }::jsonb,
      ${s.createdBy}, ${s.updatedBy}, ${toTimestamptz(s.createdAt)}, ${toTimestamptz(s.updatedAt)}, ${s.version})`)

/**
 * Optimistic update: only from the previous version, and never of the key or scope (not in the SET list).
 * No row means missing or stale, which `versioned` tells apart with the version it then reads.
 */
const updateRow = (sql: SqlClient.SqlClient, tenant: Tenant.Tenant, s: Setting.Setting) =>
  versioned(
    "Setting",
    s.id,
    s.version,
    mapWrite("Setting")(sql`
      UPDATE identity.settings SET category = ${s.category}, data_type = ${s.dataType}, value = ${
        JSON.stringify(s.value)
      }::jsonb,
        description = ${s.description}, secret = ${s.secret}, read_only = ${s.readOnly}, rules = ${
          JSON.stringify(s.rules)
        }::jsonb,
        updated_by = ${s.updatedBy}, updated_at = ${toTimestamptz(s.updatedAt)}, version = ${s.version}
      WHERE id = ${s.id} AND ${visibleTo(sql, tenant)} AND version = ${s.version - 1}
      RETURNING id`),
    sql<{ version: number }>`SELECT version FROM identity.settings WHERE id = ${s.id} AND ${visibleTo(sql, tenant)}`
  )

export const layer = Layer.effect(
  SettingRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const storable = (s: Setting.Setting) => checkStorable(s, ["setting"])
    const visible = (tenant: Tenant.Tenant) => visibleTo(sql, tenant)
    const select = (where: Fragment) =>
      Effect.map(
        read(sql<SettingRow>`SELECT ${sql.literal(columns)} FROM identity.settings WHERE ${where}`),
        (rows) => rows.map(toSetting)
      )
    const first = (where: Fragment) => Effect.map(select(where), (found) => Option.fromNullishOr(found[0]))

    return {
      insert: (tenant, s) => inWorkspace(db, tenant)(Effect.andThen(storable(s), insertRow(sql, tenant, s))),
      findById: (tenant, id) => inWorkspace(db, tenant)(first(sql`id = ${id} AND ${visible(tenant)}`)),
      findByKey: (tenant, key, workspaceId) =>
        lookup(
          key,
          Option.none(),
          inWorkspace(db, tenant)(
            first(sql`key = ${key} AND workspace_id IS NOT DISTINCT FROM ${workspaceId}::uuid AND ${visible(tenant)}`)
          )
        ),
      list: (tenant) =>
        inWorkspace(db, tenant)(select(sql`${visible(tenant)} ORDER BY key COLLATE "C", workspace_id NULLS FIRST`)),
      update: (tenant, s) => inWorkspace(db, tenant)(Effect.andThen(storable(s), updateRow(sql, tenant, s))),
      remove: (tenant, id) =>
        inWorkspace(db, tenant)(
          Effect.map(
            read(
              sql<SettingRow>`DELETE FROM identity.settings WHERE id = ${id} AND ${visible(tenant)} RETURNING ${
                sql.literal(columns)
              }`
            ),
            (rows) => Option.map(Option.fromNullishOr(rows[0]), toSetting)
          )
        )
    }
  })
)
