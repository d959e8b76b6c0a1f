/**
 * `DisputeRepository` on `billing.disputes`. `getForUpdate` is `FOR NO KEY UPDATE` (taken after the
 * invoice's lock, as the port's lock order says); `listByInvoice` is oldest first on the invoice index.
 */
import { Effect, Layer } from "effect"
import { type Tenant } from "@erpkit/kernel"
import { Dispute, DisputeRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { assertTenant, defaultListLimit, sameTenant, single, type TenantColumns, tenantOf, touched } from "./shared.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"

interface DisputeRow extends TenantColumns {
  readonly id: string
  readonly invoiceId: string
  readonly accountId: string
  readonly lineIndex: number
  readonly amount: bigint
  readonly currency: string
  readonly reason: string
  readonly status: Dispute.DisputeStatus
  readonly approvedAmount: bigint | null
  readonly creditNoteId: string | null
  readonly resolutionNote: string | null
  readonly createdAt: Date
  readonly resolvedAt: Date | null
}

const disputeColumns = `id, organization_id AS "organizationId", workspace_id AS "workspaceId", invoice_id AS "invoiceId",
  account_id AS "accountId", line_index AS "lineIndex", amount, currency, reason, status, approved_amount AS "approvedAmount",
  credit_note_id AS "creditNoteId", resolution_note AS "resolutionNote", created_at AS "createdAt", resolved_at AS "resolvedAt"`

const toDispute = (row: DisputeRow): Dispute.Dispute =>
  new Dispute.Dispute({
    id: row.id as Dispute.Dispute["id"],
    tenant: tenantOf(row),
    invoiceId: row.invoiceId as Dispute.Dispute["invoiceId"],
    accountId: row.accountId as Dispute.Dispute["accountId"],
    lineIndex: row.lineIndex,
    amountMinor: row.amount,
    currency: row.currency as Dispute.Dispute["currency"],
    reason: row.reason,
    status: row.status,
    approvedMinor: row.approvedAmount,
    creditNoteId: row.creditNoteId as Dispute.Dispute["creditNoteId"],
    resolutionNote: row.resolutionNote,
    createdAt: fromTimestamptz(row.createdAt),
    resolvedAt: fromTimestamptzOrNull(row.resolvedAt)
  })

export const layer = Layer.effect(
  Port.DisputeRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const columns = sql.literal(disputeColumns)
    const scope = (tenant: Tenant.Tenant) => sql`organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId}`
    const select = (tenant: Tenant.Tenant, id: string, lock: boolean) =>
      db.inTenant(tenant)(Effect.flatMap(
        SqlState.orDie(sql<DisputeRow>`SELECT ${columns} FROM billing.disputes WHERE ${scope(tenant)} AND id = ${id}
          ${lock ? sql`FOR NO KEY UPDATE` : sql``}`),
        (rows) => Effect.map(single<DisputeRow>("Dispute", id)(rows), toDispute)
      ))

    const service: Port.DisputeRepository["Service"] = {
      insert: (tenant, d) =>
        db.inTenant(tenant)(Effect.gen(function*() {
          yield* assertTenant("Dispute", d.id, tenant, d.tenant)
          yield* Storable.checkOrDie([d.reason, d.resolutionNote], ["dispute"])
          yield* SqlState.orDie(sql`
            INSERT INTO billing.disputes (id, organization_id, workspace_id, invoice_id, account_id, line_index, amount, currency, reason, status,
              approved_amount, credit_note_id, resolution_note, created_at, resolved_at)
            VALUES (${d.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${d.invoiceId}, ${d.accountId}, ${d.lineIndex}, ${d.amountMinor},
              ${d.currency}, ${d.reason}, ${d.status}, ${d.approvedMinor}::bigint, ${d.creditNoteId}::uuid, ${d.resolutionNote}::text,
              ${toTimestamptz(d.createdAt)}, ${toTimestamptzOrNull(d.resolvedAt)}::timestamptz)`)
        })),
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      update: (tenant, d) =>
        sameTenant(tenant, d.tenant)
          ? db.inTenant(tenant)(Effect.gen(function*() {
            yield* Storable.checkOrDie([d.reason, d.resolutionNote], ["dispute"])
            const rows = yield* SqlState.orDie(sql`
              UPDATE billing.disputes SET invoice_id = ${d.invoiceId}, account_id = ${d.accountId}, line_index = ${d.lineIndex},
                amount = ${d.amountMinor}, currency = ${d.currency}, reason = ${d.reason}, status = ${d.status},
                approved_amount = ${d.approvedMinor}::bigint, credit_note_id = ${d.creditNoteId}::uuid, resolution_note = ${d.resolutionNote}::text,
                resolved_at = ${toTimestamptzOrNull(d.resolvedAt)}::timestamptz
              WHERE ${scope(tenant)} AND id = ${d.id}
              RETURNING id`)
            yield* touched("Dispute", d.id)(rows)
          }))
          : touched("Dispute", d.id)([]),
      listByInvoice: (tenant, invoiceId) =>
        db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<DisputeRow>`SELECT ${columns} FROM billing.disputes WHERE ${scope(tenant)} AND invoice_id = ${invoiceId}
            ORDER BY created_at, id LIMIT ${defaultListLimit}`),
          (rows) => rows.map(toDispute)
        ))
    }
    return service
  })
)
