/**
 * `DisputeRepository` on `billing.disputes`. `getForUpdate` is `FOR NO KEY UPDATE` (taken after the
 * invoice's lock, as the port's lock order says); `listByInvoice` is oldest first on the invoice index.
 */
import { Effect, Layer } from "effect"
import { Dispute, DisputeRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import { assertTenant, defaultListLimit, sameTenant, type TenantColumns, tenantOf, touched } from "./shared.ts"

interface DisputeRow extends TenantColumns {
  readonly id: string
  readonly invoiceId: string
  readonly accountId: string
  readonly lineIndex: number
  readonly amountMinor: bigint
  readonly currency: string
  readonly reason: string
  readonly status: Dispute.DisputeStatus
  readonly approvedMinor: bigint | null
  readonly creditNoteId: string | null
  readonly resolutionNote: string | null
  readonly createdAt: Date
  readonly resolvedAt: Date | null
}

const toDispute = (row: DisputeRow): Dispute.Dispute =>
  new Dispute.Dispute({
    id: row.id as Dispute.Dispute["id"],
    tenant: tenantOf(row),
    invoiceId: row.invoiceId as Dispute.Dispute["invoiceId"],
    accountId: row.accountId as Dispute.Dispute["accountId"],
    lineIndex: row.lineIndex,
    amountMinor: row.amountMinor,
    currency: row.currency as Dispute.Dispute["currency"],
    reason: row.reason,
    status: row.status,
    approvedMinor: row.approvedMinor,
    creditNoteId: row.creditNoteId as Dispute.Dispute["creditNoteId"],
    resolutionNote: row.resolutionNote,
    createdAt: fromTimestamptz(row.createdAt),
    resolvedAt: fromTimestamptzOrNull(row.resolvedAt)
  })

type D = Dispute.Dispute

/** `billing.disputes` (alias `d`). */
export const disputes = TenantTable.make<D, DisputeRow>({
  table: "billing.disputes",
  alias: "d",
  entity: "Dispute",
  columns: [
    column("id", (d) => d.id, { fixed: true }),
    column("invoice_id", (d) => d.invoiceId),
    column("account_id", (d) => d.accountId),
    column("line_index", (d) => d.lineIndex),
    column("amount_minor", (d) => d.amountMinor),
    column("currency", (d) => d.currency),
    column("reason", (d) => d.reason),
    column("status", (d) => d.status),
    column("approved_minor", (d) => d.approvedMinor, { cast: "bigint" }),
    column("credit_note_id", (d) => d.creditNoteId, { cast: "uuid" }),
    column("resolution_note", (d) => d.resolutionNote, { cast: "text" }),
    column("created_at", (d) => toTimestamptz(d.createdAt), { fixed: true }),
    column("resolved_at", (d) => toTimestamptzOrNull(d.resolvedAt), { cast: "timestamptz" })
  ],
  decode: (row) => toDispute(row)
})

type Service = Port.DisputeRepository["Service"]

export const layer = Layer.effect(
  Port.DisputeRepository,
  Effect.map(PgDatabase, (db): Service => {
    const sql = db.sql
    const select = TenantTable.get(db, disputes)
    return {
      insert: (tenant, d) =>
        db.inTenant(tenant)(Effect.gen(function*() {
          yield* assertTenant("Dispute", d.id, tenant, d.tenant)
          yield* Storable.checkOrDie([d.reason, d.resolutionNote], ["dispute"])
          yield* SqlState.orDie(disputes.insert(sql, tenant, d))
        })),
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      update: (tenant, d) =>
        sameTenant(tenant, d.tenant)
          ? Effect.andThen(
            Storable.checkOrDie([d.reason, d.resolutionNote], ["dispute"]),
            TenantTable.updateLocked(db, disputes, tenant, d.id, disputes.update(sql, tenant, d.id, d), false)
          )
          : touched("Dispute", d.id)([]),
      listByInvoice: (tenant, invoiceId) =>
        db.inTenant(tenant)(
          Effect.map(
            SqlState.orDie(sql<DisputeRow>`SELECT ${sql.literal(disputes.selectList())} FROM billing.disputes d
            WHERE ${disputes.scope(sql, tenant)} AND d.invoice_id = ${invoiceId}
            ORDER BY d.created_at, d.id LIMIT ${defaultListLimit}`),
            (rows) => rows.map(toDispute)
          )
        )
    }
  })
)
