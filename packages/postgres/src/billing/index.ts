/**
 * Billing on Postgres: every billing port, with the `billing` schema's migrations, as one `PgModule`:
 * the core (client accounts, ledger, credit holds, invoices with their event log, payments, credit
 * notes, accounting sync records, X-07) and the workflow records (rate cards, surcharges, quotes, disputes,
 * documents, billing runs). See docs/postgres.md, "Billing"; migrations 0001 (core), 0002 (workflow), 0003 (money
 * column names).
 *
 * Naming: the adapter of a port is `Pg<Port>.ts` (`PgInvoiceRepository.ts` implements billing's
 * `InvoiceRepository`), as the platform's (`platform/PgOutbox.ts`, `PgAuditLog.ts`, `PgIdempotency.ts`);
 * what they share is `shared.ts`, and what every Postgres adapter shares is under `../sql/`.
 *
 *   Postgres.layer({ url }, { modules: [billingModule] })   // + IdGenerator, Authorization from the kernel
 */
import { Layer } from "effect"
import type {
  AccountingSyncRepository,
  BillingRunRepository,
  ClientAccountRepository,
  CreditHoldRepository,
  CreditNoteRepository,
  DisputeRepository,
  DocumentRepository,
  InvoiceRepository,
  LedgerRepository,
  PaymentRepository,
  QuoteRepository,
  RateCardRepository
} from "@erpkit/billing"
import * as Migrations from "../Migrations.ts"
import type { PgModule } from "../Postgres.ts"
import * as PgAccountingSyncRepository from "./PgAccountingSyncRepository.ts"
import * as PgClientAccountRepository from "./PgClientAccountRepository.ts"
import * as PgCreditHoldRepository from "./PgCreditHoldRepository.ts"
import * as PgCreditNoteRepository from "./PgCreditNoteRepository.ts"
import * as PgInvoiceRepository from "./PgInvoiceRepository.ts"
import * as PgLedgerRepository from "./PgLedgerRepository.ts"
import * as PgPaymentRepository from "./PgPaymentRepository.ts"
import * as PgBillingRunRepository from "./PgBillingRunRepository.ts"
import * as PgDisputeRepository from "./PgDisputeRepository.ts"
import * as PgDocumentRepository from "./PgDocumentRepository.ts"
import * as PgQuoteRepository from "./PgQuoteRepository.ts"
import * as PgRateCardRepository from "./PgRateCardRepository.ts"
import * as PgSurchargeRepository from "./PgSurchargeRepository.ts"

/** The billing ports this module stores in Postgres. */
export type BillingPorts =
  | ClientAccountRepository.ClientAccountRepository
  | LedgerRepository.LedgerRepository
  | CreditHoldRepository.CreditHoldRepository
  | InvoiceRepository.InvoiceRepository
  | PaymentRepository.PaymentRepository
  | CreditNoteRepository.CreditNoteRepository
  | AccountingSyncRepository.AccountingSyncRepository
  | RateCardRepository.RateCardRepository
  | RateCardRepository.SurchargeRepository
  | QuoteRepository.QuoteRepository
  | DisputeRepository.DisputeRepository
  | DocumentRepository.DocumentRepository
  | BillingRunRepository.BillingRunRepository

export const migrations: Migrations.MigrationSet = Migrations.fromDirectory(
  "billing",
  new URL("../../migrations/billing", import.meta.url)
)

/** Every repository, over `PgDatabase`. */
export const layer = Layer.mergeAll(
  PgClientAccountRepository.layer,
  PgLedgerRepository.layer,
  PgCreditHoldRepository.layer,
  PgInvoiceRepository.layer,
  PgPaymentRepository.layer,
  PgCreditNoteRepository.layer,
  PgAccountingSyncRepository.layer,
  PgRateCardRepository.layer,
  PgSurchargeRepository.layer,
  PgQuoteRepository.layer,
  PgDisputeRepository.layer,
  PgDocumentRepository.layer,
  PgBillingRunRepository.layer
)

export const billingModule: PgModule<BillingPorts> = { name: "billing", migrations, layer }

export {
  PgAccountingSyncRepository,
  PgBillingRunRepository,
  PgClientAccountRepository,
  PgCreditHoldRepository,
  PgCreditNoteRepository,
  PgDisputeRepository,
  PgDocumentRepository,
  PgInvoiceRepository,
  PgLedgerRepository,
  PgPaymentRepository,
  PgQuoteRepository,
  PgRateCardRepository,
  PgSurchargeRepository
}

/** The names these adapters had before they were named after their ports (kept for existing imports). */
export {
  PgAccountingSyncRepository as AccountingSyncs,
  PgBillingRunRepository as BillingRuns,
  PgClientAccountRepository as ClientAccounts,
  PgCreditHoldRepository as CreditHolds,
  PgCreditNoteRepository as CreditNotes,
  PgDisputeRepository as Disputes,
  PgDocumentRepository as Documents,
  PgInvoiceRepository as Invoices,
  PgLedgerRepository as Ledger,
  PgPaymentRepository as Payments,
  PgQuoteRepository as Quotes,
  PgRateCardRepository as RateCards,
  PgSurchargeRepository as Surcharges
}
