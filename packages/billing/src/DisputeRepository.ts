/**
 * Port: disputes. Lock order: `approveDispute` and `rejectDispute` read the dispute unlocked to learn
 * its invoice, lock the invoice, then the dispute, then the client account (invoice → dispute →
 * account). `openDispute` locks the invoice, so two disputes on one line cannot together pass its total.
 */
import { type Errors, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer } from "effect"
import type { Dispute } from "./Dispute.ts"
import type { DisputeId, InvoiceId } from "./Ids.ts"
import { defaultListLimit, sortBy, tables, tenantTable } from "./internal/memory.ts"

export class DisputeRepository extends Context.Service<DisputeRepository, {
  readonly insert: (tenant: Tenant.Tenant, dispute: Dispute) => Effect.Effect<void>
  readonly get: (tenant: Tenant.Tenant, id: DisputeId) => Effect.Effect<Dispute, Errors.NotFound>
  /** Like `get`, and locks the row until the unit of work ends (Postgres `FOR UPDATE`); memory: plain get. */
  readonly getForUpdate: (tenant: Tenant.Tenant, id: DisputeId) => Effect.Effect<Dispute, Errors.NotFound>
  readonly update: (tenant: Tenant.Tenant, dispute: Dispute) => Effect.Effect<void, Errors.NotFound>
  /** An invoice's disputes, oldest first (at most 1000). */
  readonly listByInvoice: (tenant: Tenant.Tenant, invoiceId: InvoiceId) => Effect.Effect<ReadonlyArray<Dispute>>
}>()("@erpkit/billing/DisputeRepository") {
  static readonly layerMemory = Layer.effect(
    DisputeRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = tenantTable<Dispute>(store, tables.disputes, "Dispute")
      return {
        insert: rows.insert,
        get: rows.get,
        getForUpdate: rows.get,
        update: rows.update,
        listByInvoice: (tenant, invoiceId) =>
          Effect.map(
            rows.find(tenant, (d) => d.invoiceId === invoiceId),
            (found) => sortBy(found, (d) => d.createdAt).slice(0, defaultListLimit)
          )
      }
    })
  )
}
