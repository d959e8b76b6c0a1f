/**
 * Billing on Postgres: every billing port, with the `billing` schema's migrations, as one `PgModule`:
 * the core (client accounts, ledger, credit holds, invoices with their event log, payments, credit
 * notes, accounting sync records, X-07) and part two (rate cards, surcharges, quotes, disputes,
 * documents, billing runs). See docs/postgres.md, "Billing" and "Billing, part two".
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
import * as AccountingSyncs from "./AccountingSyncs.ts"
import * as ClientAccounts from "./ClientAccounts.ts"
import * as CreditHolds from "./CreditHolds.ts"
import * as CreditNotes from "./CreditNotes.ts"
import * as Invoices from "./Invoices.ts"
import * as Ledger from "./Ledger.ts"
import * as Payments from "./Payments.ts"
import * as BillingRuns from "./BillingRuns.ts"
import * as Disputes from "./Disputes.ts"
import * as Documents from "./Documents.ts"
import * as Quotes from "./Quotes.ts"
import * as RateCards from "./RateCards.ts"
import * as Surcharges from "./Surcharges.ts"

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

export const migrations: Migrations.MigrationSet = Migrations.fromDirectory("billing", new URL("../../migrations/billing", import.meta.url))

/** Every repository, over `PgDatabase`. */
export const layer = Layer.mergeAll(
  ClientAccounts.layer,
  Ledger.layer,
  CreditHolds.layer,
  Invoices.layer,
  Payments.layer,
  CreditNotes.layer,
  AccountingSyncs.layer,
  RateCards.layer,
  Surcharges.layer,
  Quotes.layer,
  Disputes.layer,
  Documents.layer,
  BillingRuns.layer
)

export const billingModule: PgModule<BillingPorts> = { name: "billing", migrations, layer }

export { AccountingSyncs, ClientAccounts, CreditHolds, CreditNotes, Invoices, Ledger, Payments }
export { BillingRuns, Disputes, Documents, Quotes, RateCards, Surcharges }
