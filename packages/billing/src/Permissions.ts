/**
 * Billing's permissions and its default role → permission table (kernel `Grants`). Hosts merge it
 * with other contexts' grants (`Actor.mergeGrants`) or replace it; the system actor (jobs, processes)
 * holds every permission.
 *
 * Rules fixed here: BIL-CA-01 credit terms only by Accounts Manager and Finance Manager; BIL-INV-09
 * Void only by Finance Manager (cancelling a draft is a Void too); BIL-RC-01 rate cards and surcharges
 * are created, changed and deleted only by Pricing Analyst.
 */
import { Actor } from "@erpkit/kernel"

const p = Actor.permission

export const permissions = {
  accountOpen: p("billing.account.open"),
  /** BIL-CA-01: credit limit and credit approval. */
  accountCredit: p("billing.account.credit"),
  accountRead: p("billing.account.read"),
  creditReserve: p("billing.credit.reserve"),
  creditVoid: p("billing.credit.void"),
  walletTopUp: p("billing.wallet.topUp"),
  /** Create and delete drafts. */
  invoiceDraft: p("billing.invoice.draft"),
  invoiceIssue: p("billing.invoice.issue"),
  invoiceMarkViewed: p("billing.invoice.markViewed"),
  /** BIL-INV-09. */
  invoiceVoid: p("billing.invoice.void"),
  invoiceRead: p("billing.invoice.read"),
  paymentRecord: p("billing.payment.record"),
  creditNoteIssue: p("billing.creditNote.issue"),
  /** BIL-RC-01: create, update, delete rate cards and surcharges (Pricing Analyst only). */
  rateCardManage: p("billing.rateCard.manage"),
  /** Read rate cards and surcharges, price a service request. */
  rateCardRead: p("billing.rateCard.read"),
  /** Create and send quotes. */
  quoteManage: p("billing.quote.manage"),
  /** Accept a quote (turns it into an invoice). */
  quoteAccept: p("billing.quote.accept"),
  quoteRead: p("billing.quote.read"),
  disputeOpen: p("billing.dispute.open"),
  /** Approve (issues a credit note) or reject a dispute. */
  disputeResolve: p("billing.dispute.resolve"),
  disputeRead: p("billing.dispute.read"),
  /** Render invoice documents and Bills of Lading. */
  documentGenerate: p("billing.document.generate"),
  documentRead: p("billing.document.read"),
  accountingSyncRead: p("billing.accountingSync.read"),
  /** Put a sync that gave up back in the queue. */
  accountingSyncRetry: p("billing.accountingSync.retry"),
  /**
   * markOverdueInvoices, sendInvoiceReminders, expireCreditHolds, deactivateExpiredRates, expireQuotes,
   * runAccountingSync, runRecurringBilling.
   */
  jobsRun: p("billing.jobs.run")
} as const

const P = permissions
const reads = [P.accountRead, P.invoiceRead, P.rateCardRead, P.quoteRead, P.disputeRead, P.documentRead]
const clerk = [
  ...reads,
  P.accountOpen,
  P.invoiceDraft,
  P.invoiceIssue,
  P.creditReserve,
  P.creditVoid,
  P.quoteManage,
  P.quoteAccept,
  P.disputeOpen,
  P.documentGenerate
]
const finance = [
  ...clerk,
  P.accountCredit,
  P.walletTopUp,
  P.paymentRecord,
  P.creditNoteIssue,
  P.invoiceMarkViewed,
  P.disputeResolve,
  P.accountingSyncRead
]

export const grants: Actor.Grants = {
  "Finance Manager": [...finance, P.invoiceVoid, P.jobsRun, P.accountingSyncRetry],
  "Accounts Manager": finance,
  "Sales Manager": clerk,
  "Sales Rep": [...reads, P.invoiceDraft, P.creditReserve, P.quoteManage],
  // BIL-RC-01: the only role that manages rate cards and surcharges
  "Pricing Analyst": [...reads, P.rateCardManage],
  Admin: [...reads, P.accountOpen],
  owner: clerk,
  admin: clerk,
  manager: clerk,
  employee: reads,
  staff: [...clerk, P.paymentRecord],
  customer: [
    P.invoiceRead,
    P.invoiceMarkViewed,
    P.quoteRead,
    P.quoteAccept,
    P.disputeOpen,
    P.disputeRead,
    P.documentRead
  ]
}
