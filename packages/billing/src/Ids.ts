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
