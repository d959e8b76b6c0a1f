/**
 * `CreditNoteRepository` on `billing.credit_notes` (append-only: a credit note is applied when issued
 * and never changes; no UPDATE/DELETE grant, and a trigger refuses them for every role).
 */
import { Effect, Layer } from "effect"
import { CreditNote, CreditNoteRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { assertTenant, defaultListLimit, single, type TenantColumns, tenantOf } from "./shared.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"

interface CreditNoteRow extends TenantColumns {
  readonly id: string
  readonly invoiceId: string
  readonly accountId: string
  readonly amount: bigint
  readonly currency: string
  readonly reason: string
  readonly createdAt: Date
}

const creditNoteColumns = `id, organization_id AS "organizationId", workspace_id AS "workspaceId", invoice_id AS "invoiceId",
  account_id AS "accountId", amount, currency, reason, created_at AS "createdAt"`

export const toCreditNote = (row: CreditNoteRow): CreditNote.CreditNote =>
  new CreditNote.CreditNote({
    id: row.id as CreditNote.CreditNote["id"],
    tenant: tenantOf(row),
    invoiceId: row.invoiceId as CreditNote.CreditNote["invoiceId"],
    accountId: row.accountId as CreditNote.CreditNote["accountId"],
    amountMinor: row.amount,
    currency: row.currency as CreditNote.CreditNote["currency"],
    reason: row.reason,
    createdAt: fromTimestamptz(row.createdAt)
  })

export const layer = Layer.effect(
  Port.CreditNoteRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const columns = sql.literal(creditNoteColumns)
    const service: Port.CreditNoteRepository["Service"] = {
      insert: (tenant, c) =>
        db.inTenant(tenant)(Effect.gen(function*() {
          yield* assertTenant("CreditNote", c.id, tenant, c.tenant)
          yield* Storable.checkOrDie(c.reason, ["reason"])
          yield* SqlState.orDie(sql`
            INSERT INTO billing.credit_notes (id, organization_id, workspace_id, invoice_id, account_id, amount, currency, reason, created_at)
            VALUES (${c.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${c.invoiceId}, ${c.accountId}, ${c.amountMinor}, ${c.currency},
              ${c.reason}, ${toTimestamptz(c.createdAt)})`)
        })),
      get: (tenant, id) =>
        db.inTenant(tenant)(Effect.flatMap(
          SqlState.orDie(sql<CreditNoteRow>`SELECT ${columns} FROM billing.credit_notes
            WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND id = ${id}`),
          (rows) => Effect.map(single<CreditNoteRow>("CreditNote", id)(rows), toCreditNote)
        )),
      listByInvoice: (tenant, invoiceId) =>
        db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<CreditNoteRow>`SELECT ${columns} FROM billing.credit_notes
            WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND invoice_id = ${invoiceId}
            ORDER BY created_at, id LIMIT ${defaultListLimit}`),
          (rows) => rows.map(toCreditNote)
        ))
    }
    return service
  })
)
