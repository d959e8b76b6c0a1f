/**
 * The kernel `AuditLog` port on `platform.audit_log`, append-only: the app role holds only SELECT and
 * INSERT, and a trigger rejects UPDATE, DELETE and TRUNCATE for every role, the owner included.
 */
import { Effect, Layer } from "effect"
import { AuditLog, type Tenant } from "@erpkit/kernel"
import type { Fragment } from "effect/sql/Statement"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"

export const auditLimitMax = 10_000

interface AuditRow {
  readonly id: string
  readonly organizationId: string
  readonly workspaceId: string
  readonly actorId: string
  readonly command: string
  readonly entityType: string
  readonly entityId: string
  readonly action: AuditLog.AuditAction
  readonly oldValues: unknown
  readonly newValues: unknown
  readonly changedFields: ReadonlyArray<string>
  readonly at: number
}

const columns = `id, organization_id AS "organizationId", workspace_id AS "workspaceId", actor_id AS "actorId", command,
  entity_type AS "entityType", entity_id AS "entityId", action, old_values AS "oldValues", new_values AS "newValues",
  to_jsonb(changed_fields) AS "changedFields", round(extract(epoch FROM at) * 1000)::float8 AS at`

const toEntry = (row: AuditRow): AuditLog.AuditEntry => ({
  id: row.id,
  tenant: { organizationId: row.organizationId, workspaceId: row.workspaceId } as Tenant.Tenant,
  actorId: row.actorId as AuditLog.AuditEntry["actorId"],
  command: row.command,
  entityType: row.entityType,
  entityId: row.entityId,
  action: row.action,
  oldValues: (row.oldValues ?? null) as AuditLog.AuditEntry["oldValues"],
  newValues: (row.newValues ?? null) as AuditLog.AuditEntry["newValues"],
  changedFields: [...row.changedFields],
  at: Number(row.at)
})

const clampLimit = (limit: number | undefined): number =>
  limit === undefined ? auditLimitMax : Math.max(0, Math.min(auditLimitMax, Math.floor(limit)))

export const layer = Layer.effect(
  AuditLog.AuditLog,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql

    const appendOne = (entry: AuditLog.AuditEntry) =>
      db.inTenant(entry.tenant)(Effect.gen(function*() {
        yield* Storable.checkOrDie(entry, ["auditEntry"])
        yield* SqlState.orDie(sql`
          INSERT INTO platform.audit_log (id, organization_id, workspace_id, actor_id, command, entity_type, entity_id,
            action, old_values, new_values, changed_fields, at)
          VALUES (${entry.id}, ${entry.tenant.organizationId}, ${entry.tenant.workspaceId}, ${entry.actorId}, ${entry.command},
            ${entry.entityType}, ${entry.entityId}, ${entry.action},
            ${entry.oldValues === null ? null : JSON.stringify(entry.oldValues)}::jsonb,
            ${entry.newValues === null ? null : JSON.stringify(entry.newValues)}::jsonb,
            ARRAY(SELECT jsonb_array_elements_text(${JSON.stringify(entry.changedFields)}::jsonb)),
            timestamptz 'epoch' + ${entry.at}::numeric * interval '1 millisecond')`)
      }))

    const query = (tenant: Tenant.Tenant, filter: Fragment, limit: number | undefined) =>
      db.inTenant(tenant)(
        Effect.map(
          SqlState.orDie(sql<AuditRow>`
            SELECT ${sql.literal(columns)} FROM platform.audit_log
            WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND ${filter}
            ORDER BY seq LIMIT ${clampLimit(limit)}`),
          (rows) => rows.map(toEntry)
        )
      )

    return {
      append: (entries) => db.transaction(Effect.forEach(entries, appendOne, { discard: true })),
      byEntity: (tenant, entityType, entityId, q) =>
        query(tenant, sql`entity_type = ${entityType} AND entity_id = ${entityId}`, q?.limit),
      byActor: (tenant, actorId, q) => query(tenant, sql`actor_id = ${actorId}`, q?.limit)
    }
  })
)
