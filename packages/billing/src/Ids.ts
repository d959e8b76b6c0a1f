/**
 * Branded ids of billing's own records. Ids shared with other contexts (`CustomerId`, `UserId`,
 * `ProductId`) come from `@erpkit/kernel`.
 */
import { Ids } from "@erpkit/kernel"

export const ClientAccountId = Ids.makeId("ClientAccountId")
export type ClientAccountId = typeof ClientAccountId.Type
export const AccountTransactionId = Ids.makeId("AccountTransactionId")
export type AccountTransactionId = typeof AccountTransactionId.Type
export const CreditHoldId = Ids.makeId("CreditHoldId")
export type CreditHoldId = typeof CreditHoldId.Type
export const InvoiceId = Ids.makeId("InvoiceId")
export type InvoiceId = typeof InvoiceId.Type
export const InvoiceEventId = Ids.makeId("InvoiceEventId")
export type InvoiceEventId = typeof InvoiceEventId.Type
export const PaymentId = Ids.makeId("PaymentId")
export type PaymentId = typeof PaymentId.Type
export const CreditNoteId = Ids.makeId("CreditNoteId")
export type CreditNoteId = typeof CreditNoteId.Type
export const RateCardId = Ids.makeId("RateCardId")
export type RateCardId = typeof RateCardId.Type
export const SurchargeId = Ids.makeId("SurchargeId")
export type SurchargeId = typeof SurchargeId.Type
export const QuoteId = Ids.makeId("QuoteId")
export type QuoteId = typeof QuoteId.Type
export const DisputeId = Ids.makeId("DisputeId")
export type DisputeId = typeof DisputeId.Type
export const DocumentId = Ids.makeId("DocumentId")
export type DocumentId = typeof DocumentId.Type
export const AccountingSyncId = Ids.makeId("AccountingSyncId")
export type AccountingSyncId = typeof AccountingSyncId.Type
export const AccountingSyncLogId = Ids.makeId("AccountingSyncLogId")
export type AccountingSyncLogId = typeof AccountingSyncLogId.Type
export const BillingRunId = Ids.makeId("BillingRunId")
export type BillingRunId = typeof BillingRunId.Type
/**
 * An outbound shipment of inventory. Inventory owns shipments; billing only refers to one (Bill of
 * Lading, X-05). Branded "ShipmentId" like inventory's, so the two are the same type once the id moves
 * to the kernel (wanted change, see docs/billing.md).
 */
export const ShipmentId = Ids.makeId("ShipmentId")
export type ShipmentId = typeof ShipmentId.Type
