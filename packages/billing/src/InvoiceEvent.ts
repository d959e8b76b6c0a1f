/**
 * The invoice event log (BIL-INV-13): an append-only history per invoice, the seed's `invoice_events`.
 * Commands and jobs append to it in their unit of work; nothing updates or deletes an entry (the port
 * has no such operation). Domain events for other contexts go to the outbox separately.
 */
import { Ids, Tenant } from "@erpkit/kernel"
import { Schema } from "effect"
import { InvoiceEventId, InvoiceId } from "./Ids.ts"
import { Instant } from "./Values.ts"

export const InvoiceEventType = Schema.Literals([
  "created",
  "sent",
  "viewed",
  "payment_received",
  "payment_partial",
  "deposit_received",
  "reminder_7day",
  "reminder_due",
  "reminder_overdue",
  "marked_overdue",
  "cancelled"
])
export type InvoiceEventType = typeof InvoiceEventType.Type

export class InvoiceEvent extends Schema.Class<InvoiceEvent>("InvoiceEvent")({
  id: InvoiceEventId,
  tenant: Tenant.Tenant,
  invoiceId: InvoiceId,
  type: InvoiceEventType,
  /**
   * Event data as JSON (amounts as decimal strings), each figure named as on the entity it comes from,
   * e.g. a payment's entry `{ "paymentId": …, "baseAmountMinor": "50000", … }` (`Payment.baseAmountMinor`).
   */
  data: Schema.Json,
  /** The user who caused it; null for the system (jobs, processes). */
  triggeredBy: Schema.NullOr(Ids.UserId),
  /** For system events: the job or process, e.g. `billing.markOverdueInvoices`. */
  triggeredBySystem: Schema.NullOr(Schema.String),
  at: Instant
}) {}

/** What a transition reports; the command adds id, tenant, actor and time. */
export interface InvoiceEventDraft {
  readonly invoiceId: InvoiceId
  readonly type: InvoiceEventType
  readonly data: Schema.Json
}
