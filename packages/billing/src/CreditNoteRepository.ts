/**
 * Port: credit notes. Append-only: a credit note is applied when issued and never changes.
 */
import { type Errors, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer } from "effect"
import type { CreditNote } from "./CreditNote.ts"
import type { CreditNoteId, InvoiceId } from "./Ids.ts"
import { defaultListLimit, sortBy, tables, tenantTable } from "./internal/memory.ts"

export class CreditNoteRepository extends Context.Service<CreditNoteRepository, {
  readonly insert: (tenant: Tenant.Tenant, creditNote: CreditNote) => Effect.Effect<void>
  readonly get: (tenant: Tenant.Tenant, id: CreditNoteId) => Effect.Effect<CreditNote, Errors.NotFound>
  /** An invoice's credit notes, oldest first (at most 1000). */
  readonly listByInvoice: (tenant: Tenant.Tenant, invoiceId: InvoiceId) => Effect.Effect<ReadonlyArray<CreditNote>>
}>()("@erpkit/billing/CreditNoteRepository") {
  static readonly layerMemory = Layer.effect(
    CreditNoteRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = tenantTable<CreditNote>(store, tables.creditNotes, "CreditNote")
      return {
        insert: rows.insert,
        get: rows.get,
        listByInvoice: (tenant, invoiceId) =>
          Effect.map(
            rows.find(tenant, (c) => c.invoiceId === invoiceId),
            (found) => sortBy(found, (c) => c.createdAt).slice(0, defaultListLimit)
          )
      }
    })
  )
}
