/**
 * @erpkit/billing: client accounts and the ledger, credit holds, invoices, payments and credit notes;
 * rate cards, surcharges and the pricing engine, quotes, disputes, documents, accounting sync and
 * recurring billing, as Effect programs over ports. See docs/billing.md.
 *
 * Domain modules (pure): `ClientAccount`, `Ledger`, `CreditHold`, `Invoice`, `InvoiceEvent`, `Payment`,
 * `CreditNote`, `RateCard`, `Surcharge`, `Pricing`, `Quote`, `Dispute`, `Document`, `AccountingSync`,
 * `BillingRun`. Commands and queries: `ClientAccounts`, `Invoices`, `Payments`, `CreditNotes`,
 * `RateCards`, `Quotes`, `Disputes`, `Documents`, `AccountingSyncs`, `RecurringBilling`, `Jobs`.
 * Ports with memory layers: `*Repository`; host ports: `AccountingSyncRepository.AccountingSystem`,
 * `BillingRunRepository.UsageSource`. `grants` is billing's default role → permission table; `machines`
 * lists its state machines.
 */
export * as AccountingSync from "./AccountingSync.ts"
export * as AccountingSyncRepository from "./AccountingSyncRepository.ts"
export * as AccountingSyncs from "./AccountingSyncs.ts"
export * as BillingError from "./BillingError.ts"
export * as BillingEvent from "./BillingEvent.ts"
export * as BillingRun from "./BillingRun.ts"
export * as BillingRunRepository from "./BillingRunRepository.ts"
export * as ClientAccount from "./ClientAccount.ts"
export * as ClientAccountRepository from "./ClientAccountRepository.ts"
export * as ClientAccounts from "./ClientAccounts.ts"
export * as CreditHold from "./CreditHold.ts"
export * as CreditHoldRepository from "./CreditHoldRepository.ts"
export * as CreditNote from "./CreditNote.ts"
export * as CreditNoteRepository from "./CreditNoteRepository.ts"
export * as CreditNotes from "./CreditNotes.ts"
export * as Dispute from "./Dispute.ts"
export * as DisputeRepository from "./DisputeRepository.ts"
export * as Disputes from "./Disputes.ts"
export * as Document from "./Document.ts"
export * as DocumentRepository from "./DocumentRepository.ts"
export * as Documents from "./Documents.ts"
export * as Ids from "./Ids.ts"
export * as Invoice from "./Invoice.ts"
export * as InvoiceEvent from "./InvoiceEvent.ts"
export * as InvoiceRepository from "./InvoiceRepository.ts"
export * as Invoices from "./Invoices.ts"
export * as Jobs from "./Jobs.ts"
export * as Ledger from "./Ledger.ts"
export * as LedgerRepository from "./LedgerRepository.ts"
export * as Payment from "./Payment.ts"
export * as PaymentRepository from "./PaymentRepository.ts"
export * as Payments from "./Payments.ts"
export * as Permissions from "./Permissions.ts"
export * as Pricing from "./Pricing.ts"
export * as Quote from "./Quote.ts"
export * as QuoteRepository from "./QuoteRepository.ts"
export * as Quotes from "./Quotes.ts"
export * as RateCard from "./RateCard.ts"
export * as RateCardRepository from "./RateCardRepository.ts"
export * as RateCards from "./RateCards.ts"
export * as RecurringBilling from "./RecurringBilling.ts"
export * as Surcharge from "./Surcharge.ts"
export * as Values from "./Values.ts"
export { layerMemory, layerMemoryComplete, layerMemoryWith, type Repositories } from "./layers.ts"
export { machines } from "./machines.ts"
export { grants, permissions } from "./Permissions.ts"
