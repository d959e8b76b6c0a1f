/**
 * A billing story that makes every billing command succeed at least once, on a TestClock, through the
 * public command API (`Command.untyped`: inputs in their encoded form, as a host's JSON gives them).
 * `step` is the caller's: the audit test checks each call's row changes against its audit entries.
 */
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import type { Command } from "@erpkit/kernel"
import {
  AccountingSyncs,
  ClientAccounts,
  CreditNotes,
  Disputes,
  Documents,
  Invoices,
  Jobs,
  Payments,
  Quotes,
  RateCards,
  RecurringBilling
} from "@erpkit/billing"
import { customerId, financeManager, pricingAnalyst, system } from "@erpkit/billing/testing"

/** Runs one command (the caller checks it); the result is whatever the command returns. */
export type Step = (command: Command.AnyCommand, actor: unknown, input: unknown) => Effect.Effect<any, unknown, any>

const day = (iso: string) => Date.parse(`${iso}T06:00:00Z`)
const tiers = [{ upTo: "100", unitPriceMinor: 10_000n }, { upTo: null, unitPriceMinor: 8_000n }]
const request = { serviceLevel: "Standard", zone: "Almaty", measures: [{ basis: "Weight", quantity: "2.5" }] }
const invoiceInput = (accountId: string, invoiceNumber: string) => ({
  accountId,
  invoiceNumber,
  issueDate: "2026-01-20",
  dueDate: "2026-01-27",
  items: [{ description: "Freight", quantity: "1", unitPriceMinor: 1_000n }],
  notes: "n"
})

/** Accounts, holds, wallet, invoices, payments, credit notes. */
const ledgerPart = (step: Step) =>
  Effect.gen(function*() {
    const fm = financeManager()
    const opened = yield* step(ClientAccounts.openAccount, fm, { customerId: customerId(), currency: "KZT" })
    const account = yield* step(ClientAccounts.setCreditTerms, fm, {
      accountId: opened.id,
      creditLimitMinor: 100_000_000n,
      isCreditApproved: true
    })
    const hold = yield* step(ClientAccounts.reserveCredit, fm, {
      accountId: account.id,
      amountMinor: 2_000n,
      holdTimeoutSeconds: 600,
      reference: "order 1"
    })
    const other = yield* step(ClientAccounts.reserveCredit, fm, {
      accountId: account.id,
      amountMinor: 5n,
      holdTimeoutSeconds: 600
    })
    yield* step(ClientAccounts.voidCreditHold, fm, { holdId: other.id })
    yield* step(ClientAccounts.topUpWallet, fm, { accountId: account.id, amountMinor: 500n })
    const draft = yield* step(Invoices.createInvoice, fm, invoiceInput(account.id, "INV-A-1"))
    const sent = yield* step(Invoices.issueInvoice, fm, { invoiceId: draft.id, holdId: hold.id })
    const draft2 = yield* step(Invoices.createInvoice, fm, invoiceInput(account.id, "INV-A-2"))
    yield* step(Invoices.issuePaidInvoice, fm, {
      invoiceId: draft2.id,
      payment: { amountMinor: 1_120n, currency: "KZT", method: "CARD" }
    })
    yield* step(Invoices.markInvoiceViewed, fm, { invoiceId: sent.id })
    const { payment } = yield* step(Payments.recordPayment, fm, {
      invoiceId: sent.id,
      amountMinor: 10n,
      currency: "KZT",
      method: "CHECK",
      status: "Pending"
    })
    yield* step(Payments.changePaymentStatus, fm, { paymentId: payment.id, status: "Completed" })
    yield* step(Payments.recordPayment, fm, {
      invoiceId: sent.id,
      amountMinor: 20n,
      currency: "KZT",
      method: "CASH",
      fromWallet: true
    })
    yield* step(Payments.recordPayment, fm, {
      invoiceId: sent.id,
      amountMinor: 1n,
      currency: "USD",
      exchangeRate: "45.5",
      method: "BANK_TRANSFER",
      paymentDate: "2026-01-20",
      reference: "r"
    })
    yield* step(CreditNotes.issueCreditNote, fm, { invoiceId: sent.id, amountMinor: 5n, reason: "damaged" })
    const toVoid = yield* step(Invoices.createInvoice, fm, invoiceInput(account.id, "INV-A-3"))
    yield* step(Invoices.issueInvoice, fm, { invoiceId: toVoid.id })
    yield* step(Invoices.voidInvoice, fm, { invoiceId: toVoid.id, reason: "typo" })
    const toDelete = yield* step(Invoices.createInvoice, fm, invoiceInput(account.id, "INV-A-4"))
    yield* step(Invoices.deleteDraftInvoice, fm, { invoiceId: toDelete.id })
    yield* step(ClientAccounts.reserveCredit, fm, { accountId: account.id, amountMinor: 7n, holdTimeoutSeconds: 60 })
    return { account, sent }
  })

/** Rate cards, surcharges, quotes. */
const pricingPart = (step: Step, accountId: string) =>
  Effect.gen(function*() {
    const pa = pricingAnalyst()
    const fm = financeManager()
    const card = {
      name: "Std",
      serviceLevel: "Standard",
      basis: "Weight",
      mode: "Graduated",
      currency: "KZT",
      tiers,
      validFrom: "2026-01-01"
    }
    yield* step(RateCards.createRateCard, pa, {
      ...card,
      validTo: "2026-12-31",
      minimumChargeMinor: 5n,
      isActive: true
    })
    const short = yield* step(RateCards.createRateCard, pa, {
      ...card,
      name: "Short",
      zone: "Astana",
      validTo: "2026-02-28"
    })
    const gone = yield* step(RateCards.createRateCard, pa, {
      ...card,
      name: "Gone",
      serviceLevel: "Express",
      validTo: "2026-12-31"
    })
    yield* step(RateCards.updateRateCard, pa, { rateCardId: short.id, name: "Shorter", tiers, validTo: "2026-02-27" })
    yield* step(RateCards.deleteRateCard, pa, { rateCardId: gone.id })
    const fuel = yield* step(RateCards.createSurcharge, pa, {
      name: "Fuel",
      kind: { _tag: "Percent", rate: "10%" },
      currency: "KZT",
      validFrom: "2026-01-01",
      validTo: "2026-12-31"
    })
    const fixed = yield* step(RateCards.createSurcharge, pa, {
      name: "Fixed",
      kind: { _tag: "Fixed", amountMinor: 5n },
      currency: "KZT",
      serviceLevel: "Express",
      zone: null,
      validFrom: "2026-01-01",
      validTo: "2026-12-31"
    })
    yield* step(RateCards.updateSurcharge, pa, {
      surchargeId: fuel.id,
      kind: { _tag: "Percent", rate: "5%" },
      validFrom: "2026-01-02"
    })
    yield* step(RateCards.deleteSurcharge, pa, { surchargeId: fixed.id })
    const quote = yield* step(Quotes.createQuote, fm, {
      accountId,
      quoteNumber: "Q-1",
      lines: [{ description: "d", request, taxRate: "12%" }],
      notes: "n"
    })
    yield* step(Quotes.sendQuote, fm, { quoteId: quote.id })
    const accepted = yield* step(Quotes.acceptQuote, fm, {
      quoteId: quote.id,
      invoiceNumber: "INV-Q-1",
      dueDate: "2026-04-30"
    })
    const paidQuote = yield* step(Quotes.createQuote, fm, { accountId, quoteNumber: "Q-2", lines: [{ request }] })
    yield* step(Quotes.sendQuote, fm, { quoteId: paidQuote.id })
    yield* step(Quotes.acceptQuote, fm, {
      quoteId: paidQuote.id,
      invoiceNumber: "INV-Q-2",
      payment: { amountMinor: paidQuote.totalMinor, currency: "KZT", method: "CARD", reference: "r" }
    })
    const expiring = yield* step(Quotes.createQuote, fm, {
      accountId,
      quoteNumber: "Q-3",
      lines: [{ request }],
      expiresAt: day("2026-02-01")
    })
    yield* step(Quotes.sendQuote, fm, { quoteId: expiring.id })
    return { invoiceId: accepted.invoice.id as string }
  })

/** Disputes, documents, accounting sync, recurring billing. */
const sidePart = (step: Step, customer: string, invoiceId: string) =>
  Effect.gen(function*() {
    const fm = financeManager()
    const sys = system()
    const d1 = yield* step(Disputes.openDispute, fm, { invoiceId, lineIndex: 0, amountMinor: 10n, reason: "late" })
    yield* step(Disputes.approveDispute, fm, { disputeId: d1.id, approvedMinor: 5n, note: "ok" })
    const d2 = yield* step(Disputes.openDispute, fm, { invoiceId, lineIndex: 0, amountMinor: 3n, reason: "dent" })
    yield* step(Disputes.rejectDispute, fm, { disputeId: d2.id, note: "no" })
    yield* step(Documents.generateInvoiceDocument, fm, { invoiceId })
    yield* step(Documents.createBillOfLading, sys, {
      shipmentId: "0e000000-0000-7000-8000-000000000042",
      shipmentNumber: "SHP-1",
      shipper: { name: "A", address: "Almaty" },
      consignee: { name: "B", address: "Astana" },
      shipDate: "2026-03-10",
      lines: [{ description: "Slab", quantity: "2.5", weightKg: "10" }]
    })
    const { syncs } = yield* step(AccountingSyncs.claimAccountingSyncs, sys, { batchSizeMax: 2, leaseSeconds: 60 })
    const [ok, bad] = syncs as ReadonlyArray<{ id: string; attempts: number }>
    yield* step(AccountingSyncs.recordAccountingSyncAttempt, sys, {
      syncId: ok!.id,
      claimedAttempts: ok!.attempts,
      outcome: { _tag: "Succeeded", externalId: "X-1" }
    })
    yield* step(AccountingSyncs.recordAccountingSyncAttempt, sys, {
      syncId: bad!.id,
      claimedAttempts: bad!.attempts,
      outcome: { _tag: "Failed", reason: "rejected", retryable: false }
    })
    yield* step(AccountingSyncs.retryAccountingSync, fm, { syncId: bad!.id })
    const account = yield* step(ClientAccounts.openAccount, fm, { customerId: customerId(), currency: "KZT" })
    yield* step(ClientAccounts.setCreditTerms, fm, {
      accountId: account.id,
      creditLimitMinor: 100_000_000n,
      isCreditApproved: true
    })
    yield* step(RecurringBilling.recordBillingRunFailure, sys, {
      customerId: account.customerId,
      period: "2026-02",
      error: "usage source down"
    })
    yield* step(RecurringBilling.billUsage, sys, {
      customerId: account.customerId,
      period: "2026-02",
      items: [{ request }]
    })
    yield* step(RecurringBilling.billUsage, sys, { customerId: customer, period: "2026-02", items: [{ request }] })
  })

/**
 * The jobs, each with something to do: reminders a week before due, holds past their timeout, then overdue, expired
 * rates and quotes.
 */
const jobsPart = (step: Step) =>
  Effect.gen(function*() {
    const sys = system()
    yield* step(Jobs.sendInvoiceReminders, sys, { batchSizeMax: 100 })
    yield* TestClock.adjust("2 hours")
    yield* step(Jobs.expireCreditHolds, sys, { batchSizeMax: 100 })
    yield* TestClock.setTime(day("2026-03-10"))
    yield* step(Jobs.markOverdueInvoices, sys, { batchSizeMax: 100 })
    yield* step(Jobs.deactivateExpiredRates, sys, { batchSizeMax: 100 })
    yield* step(Jobs.expireQuotes, sys, { batchSizeMax: 100 })
  })

/** The whole story, from 2026-01-20 (a week before the invoices fall due) to 2026-03-10. */
export const billingScenario = (step: Step) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(day("2026-01-20"))
    const { account } = yield* ledgerPart(step)
    const { invoiceId } = yield* pricingPart(step, account.id)
    yield* jobsPart(step)
    yield* sidePart(step, account.customerId, invoiceId)
  })
