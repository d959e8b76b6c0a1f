/**
 * Credit notes (BIL-CN-01…03): a positive amount in the invoice's currency, never above the invoice's
 * amount outstanding, only on Sent or Overdue invoices. Issuing one applies it at once: the invoice's
 * `amountCreditedMinor` rises (its amount outstanding falls, BIL-INV-08) and the ledger posts a credit.
 */
import { Currency, Money, Tenant } from "@erpkit/kernel"
import { Schema } from "effect"
import { ClientAccountId, CreditNoteId, InvoiceId } from "./Ids.ts"
import { Instant } from "./Values.ts"

export class CreditNote extends Schema.Class<CreditNote>("CreditNote")({
  id: CreditNoteId,
  tenant: Tenant.Tenant,
  invoiceId: InvoiceId,
  accountId: ClientAccountId,
  /** BIL-CN-01: > 0, in `currency` (the invoice's). */
  amountMinor: Money.PositiveMinorUnits,
  currency: Currency.Currency,
  reason: Schema.String,
  createdAt: Instant
}) {}
