/**
 * The append-only invoice event log, `billing.invoice_events`: appended as ONE deferred INSERT from
 * `jsonb_to_recordset` (in the given order; `seq` keeps it), read back in that order.
 */
import { Effect } from "effect"
import type { Ids, Tenant } from "@erpkit/kernel"
import { InvoiceEvent } from "@erpkit/billing"
import type { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { epochMillisToTimestamptz, fromTimestamptz } from "../sql/Timestamps.ts"
import { jsonRows, sameTenant, type TenantColumns, tenantOf } from "./shared.ts"

type Db = PgDatabase["Service"]

interface EventRow extends TenantColumns {
  readonly id: string
  readonly invoiceId: string
  readonly type: InvoiceEvent.InvoiceEventType
  readonly data: unknown
  readonly triggeredBy: string | null
  readonly triggeredBySystem: string | null
  readonly at: Date
}

const toEvent = (r: EventRow): InvoiceEvent.InvoiceEvent =>
  new InvoiceEvent.InvoiceEvent({
    id: r.id as InvoiceEvent.InvoiceEvent["id"],
    tenant: tenantOf(r),
    invoiceId: r.invoiceId as InvoiceEvent.InvoiceEvent["invoiceId"],
    type: r.type,
    data: r.data as InvoiceEvent.InvoiceEvent["data"],
    triggeredBy: r.triggeredBy as Ids.UserId | null,
    triggeredBySystem: r.triggeredBySystem,
    at: fromTimestamptz(r.at)
  })

const at = epochMillisToTimestamptz("x.at")

/** Appends `events` (deferred: `PgDatabase.write`). */
export const appendEvents =
  (db: Db) => (tenant: Tenant.Tenant, events: ReadonlyArray<InvoiceEvent.InvoiceEvent>): Effect.Effect<void> => {
    if (events.length === 0) return Effect.void
    const foreign = events.find((e) => !sameTenant(e.tenant, tenant))
    if (foreign !== undefined) {
      return Effect.die(new Error(`InvoiceEvent ${foreign.id} belongs to another tenant than the one given`))
    }
    const sql = db.sql
    const rows = jsonRows(
      events.map((e, ord) => ({
        ord,
        id: e.id,
        invoice_id: e.invoiceId,
        type: e.type,
        data: e.data,
        triggered_by: e.triggeredBy,
        triggered_by_system: e.triggeredBySystem,
        at: e.at
      }))
    )
    return Effect.andThen(
      Storable.checkOrDie(events.map((e) => [e.data, e.triggeredBySystem]), ["events"]),
      db.write(tenant, {
        tables: ["billing.invoice_events"],
        statement: sql`
      INSERT INTO billing.invoice_events (id, organization_id, workspace_id, invoice_id, type, data, triggered_by,
        triggered_by_system, at)
      SELECT x.id, ${tenant.organizationId}, ${tenant.workspaceId}, x.invoice_id, x.type, x.data, x.triggered_by,
        x.triggered_by_system, ${sql.literal(at)}
      FROM jsonb_to_recordset(${rows}::jsonb) AS x(ord integer, id uuid, invoice_id uuid, type text, data jsonb,
        triggered_by uuid, triggered_by_system text, at bigint)
      ORDER BY x.ord`
      })
    )
  }

/** An invoice's events, oldest first (at most 10 000). */
export const events =
  (db: Db) => (tenant: Tenant.Tenant, invoiceId: string): Effect.Effect<ReadonlyArray<InvoiceEvent.InvoiceEvent>> =>
    db.inTenant(tenant)(Effect.map(
      SqlState.orDie(db.sql<EventRow>`
      SELECT id, organization_id AS "organizationId", workspace_id AS "workspaceId", invoice_id AS "invoiceId", type,
        data, triggered_by AS "triggeredBy", triggered_by_system AS "triggeredBySystem", at
      FROM billing.invoice_events
      WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId}
        AND invoice_id = ${invoiceId}
      ORDER BY seq LIMIT 10000`),
      (rows) => rows.map(toEvent)
    ))
