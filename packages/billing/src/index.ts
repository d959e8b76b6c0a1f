/**
 * @erpkit/billing (core): client accounts and the ledger, credit holds, invoices, payments and credit
 * notes, as Effect programs over ports. See docs/billing.md.
 *
 * Domain modules (pure): `ClientAccount`, `Ledger`, `CreditHold`, `Invoice`, `InvoiceEvent`, `Payment`,
 * `CreditNote`. Commands and queries: `ClientAccounts`, `Invoices`, `Payments`, `CreditNotes`, `Jobs`.
 * Ports with memory layers: `*Repository`. `grants` is billing's default role → permission table;
 * `machines` lists its state machines.
 */
export * as BillingError from "./BillingError.ts"
export * as BillingEvent from "./BillingEvent.ts"
export * as ClientAccount from "./ClientAccount.ts"
export * as ClientAccountRepository from "./ClientAccountRepository.ts"
export * as ClientAccounts from "./ClientAccounts.ts"
export * as CreditHold from "./CreditHold.ts"
export * as CreditHoldRepository from "./CreditHoldRepository.ts"
export * as CreditNote from "./CreditNote.ts"
export * as CreditNoteRepository from "./CreditNoteRepository.ts"
export * as CreditNotes from "./CreditNotes.ts"
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
export * as Values from "./Values.ts"
export { layerMemory, layerMemoryComplete, type Repositories } from "./layers.ts"
export { machines } from "./machines.ts"
export { grants, permissions } from "./Permissions.ts"
