/**
 * `CreditNoteRepository` on `billing.credit_notes` (append-only: a credit note is applied when issued
 * and never changes; no UPDATE/DELETE grant, and a trigger refuses them for every role).
 */
import { Effect, Layer } from "effect"
import { CreditNote, CreditNoteRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import { assertTenant, defaultListLimit, type TenantColumns, tenantOf } from "./shared.ts"

interface CreditNoteRow extends TenantColumns {
  readonly id: string
  readonly invoiceId: string
  readonly accountId: string
  readonly amountMinor: bigint
  readonly currency: string
  readonly reason: string
  readonly createdAt: Date
}

export const toCreditNote = (row: CreditNoteRow): CreditNote.CreditNote =>
  new CreditNote.CreditNote({
    id: row.id as CreditNote.CreditNote["id"],
    tenant: tenantOf(row),
    invoiceId: row.invoiceId as CreditNote.CreditNote["invoiceId"],
    accountId: row.accountId as CreditNote.CreditNote["accountId"],
    amountMinor: row.amountMinor,
    currency: row.currency as CreditNote.CreditNote["currency"],
    reason: row.reason,
    createdAt: fromTimestamptz(row.createdAt)
  })

type C = CreditNote.CreditNote

/** `billing.credit_notes` (alias `c`; append-only: no update). */
export const creditNotes = TenantTable.make<C, CreditNoteRow>({
  table: "billing.credit_notes",
  alias: "c",
  entity: "CreditNote",
  columns: [
    column("id", (c) => c.id, { fixed: true }),
    column("invoice_id", (c) => c.invoiceId, { fixed: true }),
    column("account_id", (c) => c.accountId, { fixed: true }),
    column("amount_minor", (c) => c.amountMinor, { fixed: true }),
    column("currency", (c) => c.currency, { fixed: true }),
    column("reason", (c) => c.reason, { fixed: true }),
    column("created_at", (c) => toTimestamptz(c.createdAt), { fixed: true })
  ],
  decode: (row) => toCreditNote(row)
})

type Service = Port.CreditNoteRepository["Service"]

export const layer = Layer.effect(
  Port.CreditNoteRepository,
  Effect.map(PgDatabase, (db): Service => {
    const sql = db.sql
    const select = TenantTable.get(db, creditNotes)
    return {
      insert: (tenant, c) =>
        db.inTenant(tenant)(Effect.gen(function*() {
          yield* assertTenant("CreditNote", c.id, tenant, c.tenant)
          yield* Storable.checkOrDie(c.reason, ["reason"])
          yield* SqlState.orDie(creditNotes.insert(sql, tenant, c))
        })),
      get: (tenant, id) => select(tenant, id, false),
      listByInvoice: (tenant, invoiceId) =>
        db.inTenant(tenant)(
          Effect.map(
            SqlState.orDie(
              sql<CreditNoteRow>`SELECT ${sql.literal(creditNotes.selectList())} FROM billing.credit_notes c
            WHERE ${creditNotes.scope(sql, tenant)} AND c.invoice_id = ${invoiceId}
            ORDER BY c.created_at, c.id LIMIT ${defaultListLimit}`
            ),
            (rows) => rows.map(toCreditNote)
          )
        )
    }
  })
)
