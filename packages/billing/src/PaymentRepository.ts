/**
 * Port: payments. Lock order: a payment is locked after its invoice and before the client account.
 */
import { type Errors, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer } from "effect"
import type { InvoiceId, PaymentId } from "./Ids.ts"
import { defaultListLimit, sortBy, tables, tenantTable } from "./internal/memory.ts"
import type { Payment } from "./Payment.ts"

export class PaymentRepository extends Context.Service<PaymentRepository, {
  readonly insert: (tenant: Tenant.Tenant, payment: Payment) => Effect.Effect<void>
  readonly get: (tenant: Tenant.Tenant, id: PaymentId) => Effect.Effect<Payment, Errors.NotFound>
  /** Like `get`, and locks the row until the unit of work ends (Postgres `FOR UPDATE`); memory: plain get. */
  readonly getForUpdate: (tenant: Tenant.Tenant, id: PaymentId) => Effect.Effect<Payment, Errors.NotFound>
  readonly update: (tenant: Tenant.Tenant, payment: Payment) => Effect.Effect<void, Errors.NotFound>
  /** An invoice's payments, oldest first (at most 1000). */
  readonly listByInvoice: (tenant: Tenant.Tenant, invoiceId: InvoiceId) => Effect.Effect<ReadonlyArray<Payment>>
}>()("@erpkit/billing/PaymentRepository") {
  static readonly layerMemory = Layer.effect(
    PaymentRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = tenantTable<Payment>(store, tables.payments, "Payment")
      return {
        insert: rows.insert,
        get: rows.get,
        getForUpdate: rows.get,
        update: rows.update,
        listByInvoice: (tenant, invoiceId) =>
          Effect.map(
            rows.find(tenant, (p) => p.invoiceId === invoiceId),
            (found) => sortBy(found, (p) => p.createdAt).slice(0, defaultListLimit)
          )
      }
    })
  )
}
