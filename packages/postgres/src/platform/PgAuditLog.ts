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
import { epochMillisToTimestamptz, fromTimestamptz } from "../sql/Timestamps.ts"

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
  readonly at: Date
}

const columns = `id, organization_id AS "organizationId", workspace_id AS "workspaceId", actor_id AS "actorId", command,
  entity_type AS "entityType", entity_id AS "entityId", action, old_values AS "oldValues", new_values AS "newValues",
  to_jsonb(changed_fields) AS "changedFields", at`

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
  at: fromTimestamptz(row.at)
})

const at = epochMillisToTimestamptz("x.at")

const clampLimit = (limit: number | undefined): number =>
  limit === undefined ? auditLimitMax : Math.max(0, Math.min(auditLimitMax, Math.floor(limit)))

export const layer = Layer.effect(
  AuditLog.AuditLog,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql

    /** One tenant's entries in ONE statement, in the given order (`seq` follows `ord`). */
    const appendTenant = (entries: ReadonlyArray<AuditLog.AuditEntry>) =>
      Effect.gen(function*() {
        const rows = yield* Storable.jsonTextOrDie(
          entries.map((e, ord) => ({
            ord,
            id: e.id,
            organization_id: e.tenant.organizationId,
            workspace_id: e.tenant.workspaceId,
            actor_id: e.actorId,
            command: e.command,
            entity_type: e.entityType,
            entity_id: e.entityId,
            action: e.action,
            old_values: e.oldValues,
            new_values: e.newValues,
            changed_fields: e.changedFields,
            at: e.at
          })),
          ["auditEntries"]
        )
        yield* db.write(entries[0]!.tenant, {
          tables: ["platform.audit_log"],
          statement: sql`
          INSERT INTO platform.audit_log (id, organization_id, workspace_id, actor_id, command, entity_type, entity_id,
            action, old_values, new_values, changed_fields, at)
          SELECT x.id, x.organization_id, x.workspace_id, x.actor_id, x.command, x.entity_type, x.entity_id, x.action,
            x.old_values, x.new_values, x.changed_fields, ${sql.literal(at)}
          FROM jsonb_to_recordset(${rows}::jsonb) AS x(ord integer, id uuid, organization_id uuid, workspace_id uuid,
            actor_id uuid, command text, entity_type text, entity_id text, action text, old_values jsonb,
            new_values jsonb, changed_fields text[], at numeric)
          ORDER BY x.ord`
        })
      })

    const query = (tenant: Tenant.Tenant, filter: Fragment, limit: number | undefined) =>
      db.inTenant(tenant)(Effect.map(
        SqlState.orDie(sql<AuditRow>`
            SELECT ${sql.literal(columns)} FROM platform.audit_log
            WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND ${filter}
            ORDER BY seq LIMIT ${clampLimit(limit)}`),
        (rows) => rows.map(toEntry)
      ))

    return {
      append: (entries) =>
        entries.length === 0 ? Effect.void : Effect.flatMap(db.defers(entries[0]!.tenant), (defers) => {
          const groups = groupByTenant(entries)
          // the command's own unit of work: deferred, no join (joining flushes the deferred writes)
          return defers && groups.length === 1
            ? appendTenant(groups[0]!)
            : db.transaction(
              Effect.forEach(groups, (group) => db.inTenant(group[0]!.tenant)(appendTenant(group)), { discard: true })
            )
        }),
      byEntity: (tenant, entityType, entityId, q) =>
        query(tenant, sql`entity_type = ${entityType} AND entity_id = ${entityId}`, q?.limit),
      byActor: (tenant, actorId, q) => query(tenant, sql`actor_id = ${actorId}`, q?.limit)
    }
  })
)

/** Entries grouped by tenant (first appearance order; order within a tenant kept). */
const groupByTenant = (
  entries: ReadonlyArray<AuditLog.AuditEntry>
): ReadonlyArray<ReadonlyArray<AuditLog.AuditEntry>> => {
  const groups = new Map<string, Array<AuditLog.AuditEntry>>()
  for (const entry of entries) {
    const k = `${entry.tenant.organizationId}/${entry.tenant.workspaceId}`
    const group = groups.get(k)
    if (group === undefined) groups.set(k, [entry])
    else group.push(entry)
  }
  return [...groups.values()]
}
