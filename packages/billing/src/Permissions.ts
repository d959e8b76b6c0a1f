/**
 * Billing's permissions and its default role → permission table (kernel `Grants`). Hosts merge it
 * with other contexts' grants (`Actor.mergeGrants`) or replace it; the system actor (jobs, processes)
 * holds every permission.
 *
 * Rules fixed here: BIL-CA-01 credit terms only by Accounts Manager and Finance Manager; BIL-INV-09
 * Void only by Finance Manager (cancelling a draft is a Void too).
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
  /** markOverdueInvoices, sendInvoiceReminders, expireCreditHolds. */
  jobsRun: p("billing.jobs.run")
} as const

const P = permissions
const reads = [P.accountRead, P.invoiceRead]
const clerk = [...reads, P.accountOpen, P.invoiceDraft, P.invoiceIssue, P.creditReserve, P.creditVoid]
const finance = [...clerk, P.accountCredit, P.walletTopUp, P.paymentRecord, P.creditNoteIssue, P.invoiceMarkViewed]

export const grants: Actor.Grants = {
  "Finance Manager": [...finance, P.invoiceVoid, P.jobsRun],
  "Accounts Manager": finance,
  "Sales Manager": clerk,
  "Sales Rep": [...reads, P.invoiceDraft, P.creditReserve],
  Admin: [...reads, P.accountOpen],
  owner: clerk,
  admin: clerk,
  manager: clerk,
  employee: reads,
  staff: [...clerk, P.paymentRecord],
  customer: [P.invoiceRead, P.invoiceMarkViewed]
}
