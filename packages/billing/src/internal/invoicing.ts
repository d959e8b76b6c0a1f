/**
 * The invoice steps that several commands share (createInvoice, issueInvoice, issuePaidInvoice,
 * recordPayment, acceptQuote, the recurring billing run), so an invoice made from a quote or from
 * usage goes through exactly the code a hand-made one does and the ledger stays right. Each step
 * writes through the ports and returns what it did: its result, outbox event drafts and audit changes,
 * for the calling command to report.
 */
// `Errors` and `Ids` are imported as types so declaration emit can name the kernel types the steps infer.
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import type { AuditLog, Command, DomainEvent, Errors, Ids, LocalDate } from "@erpkit/kernel"
import { Effect } from "effect"
import * as AccountingSync from "../AccountingSync.ts"
import { AccountingSyncRepository } from "../AccountingSyncRepository.ts"
import { CreditHoldMismatch, UpfrontPaymentMismatch } from "../BillingError.ts"
import * as BillingEvent from "../BillingEvent.ts"
import * as ClientAccount from "../ClientAccount.ts"
import { ClientAccountRepository } from "../ClientAccountRepository.ts"
import * as CreditHold from "../CreditHold.ts"
import { CreditHoldRepository } from "../CreditHoldRepository.ts"
import { CreditNote } from "../CreditNote.ts"
import { CreditNoteRepository } from "../CreditNoteRepository.ts"
import { AccountingSyncId, CreditNoteId, InvoiceId } from "../Ids.ts"
import * as Invoice from "../Invoice.ts"
import { InvoiceRepository } from "../InvoiceRepository.ts"
import * as Ledger from "../Ledger.ts"
import * as Payment from "../Payment.ts"
import { PaymentRepository } from "../PaymentRepository.ts"
import { audit, defaultTaxRate, freshIds, logEntries, savePosted, transactionIds } from "./command.ts"
import { eventData, newPayment, type PaymentFields } from "./payments.ts"

/** What a step did. */
export interface Step<A> {
  readonly result: A
  readonly events: ReadonlyArray<DomainEvent.EventDraft>
  readonly changes: ReadonlyArray<AuditLog.AuditChange>
}

/**
 * a Pending accounting sync for an entity this unit of work created (a payment, an invoice),
 * and the `AccountingSyncRequested` event the sync handler consumes. The entity has no sync yet, so
 * the sync is inserted without asking what is there (`insert`, not `enqueue`: nothing to wait for).
 */
export const syncNew = (context: Command.CommandContext, entityType: AccountingSync.SyncEntityType, entityId: string) =>
  Effect.gen(function*() {
    const [id] = yield* freshIds(AccountingSyncId, 1)
    const sync = AccountingSync.enqueue(id!, context.tenant, entityType, entityId, context.now)
    yield* (yield* AccountingSyncRepository).insert(context.tenant, sync)
    return syncRequested(sync)
  })

const syncRequested = (sync: AccountingSync.AccountingSync): Step<AccountingSync.AccountingSync> => ({
  result: sync,
  events: [
    BillingEvent.draft({
      _tag: "AccountingSyncRequested",
      syncId: sync.id,
      entityType: sync.entityType,
      entityId: sync.entityId
    })
  ],
  changes: [audit(AccountingSync.AccountingSync, null, sync)]
})

export interface DraftFields {
  readonly invoiceNumber: string
  readonly issueDate: LocalDate.LocalDate
  readonly dueDate: LocalDate.LocalDate
  readonly items: ReadonlyArray<Invoice.LineInput>
  readonly depositAmountMinor: bigint | null
  readonly notes: string | null
}

/** A new Draft of `account` (BIL-INV-04, -11, -12), its `created` log entry and its accounting sync. */
export const insertDraft = (
  context: Command.CommandContext,
  account: ClientAccount.ClientAccount,
  fields: DraftFields
) =>
  Effect.gen(function*() {
    const [id] = yield* freshIds(InvoiceId, 1)
    const taxRate = yield* defaultTaxRate(context.tenant)
    const created = yield* Effect.fromResult(
      Invoice.create({ id: id!, account, ...fields, defaultTaxRate: taxRate, now: context.now })
    )
    const invoices = yield* InvoiceRepository
    yield* invoices.insert(context.tenant, created.invoice)
    yield* invoices.appendEvents(context.tenant, yield* logEntries(context, created.events))
    const sync = yield* syncNew(context, "Invoice", created.invoice.id)
    const i = created.invoice
    const step: Step<Invoice.Invoice> = {
      result: i,
      events: [
        BillingEvent.draft({
          _tag: "InvoiceCreated",
          invoiceId: i.id,
          invoiceNumber: i.invoiceNumber,
          accountId: i.accountId,
          customerId: i.customerId,
          totalMinor: i.totalMinor,
          currency: i.currency
        }),
        ...sync.events
      ],
      changes: [audit(Invoice.Invoice, null, i), ...sync.changes]
    }
    return step
  })

export const issuedEvent = (i: Invoice.Invoice) =>
  BillingEvent.draft({
    _tag: "InvoiceIssued",
    invoiceId: i.id,
    invoiceNumber: i.invoiceNumber,
    accountId: i.accountId,
    customerId: i.customerId,
    totalMinor: i.totalMinor,
    currency: i.currency,
    dueDate: i.dueDate,
    status: i.status
  })

/**
 * Draft → Sent for `before` (locked, or created in this unit of work). Posts the ledger debit of the
 * total (BIL-AT-02) after the credit check (BIL-CA-02): with `hold` (locked), the hold is posted and
 * released first, so it covers its amount and only the rest needs available credit.
 */
export const issue = (context: Command.CommandContext, before: Invoice.Invoice, hold: CreditHold.CreditHold | null) =>
  Effect.gen(function*() {
    const accountBefore = yield* Effect.orDie(
      (yield* ClientAccountRepository).getForUpdate(context.tenant, before.accountId)
    )
    const issued = yield* Effect.fromResult(Invoice.issue(before, hold?.id ?? null, context.now))
    let account = accountBefore
    let postedHold: CreditHold.CreditHold | null = null
    if (hold !== null) {
      if (hold.accountId !== before.accountId) {
        return yield* new CreditHoldMismatch({
          holdId: hold.id,
          holdAccountId: hold.accountId,
          invoiceAccountId: before.accountId
        })
      }
      postedHold = yield* Effect.fromResult(CreditHold.post(hold, before.id, context.now))
      account = ClientAccount.release(account, hold.amountMinor, context.now)
    }
    yield* Effect.fromResult(ClientAccount.checkCredit(account, before.totalMinor))
    const posted = Ledger.post(
      account,
      [Ledger.invoiceDebit(before.id, before.totalMinor)],
      yield* transactionIds(1),
      context.now
    )
    const invoices = yield* InvoiceRepository
    yield* Effect.orDie(invoices.update(context.tenant, issued.invoice))
    if (postedHold !== null) yield* Effect.orDie((yield* CreditHoldRepository).update(context.tenant, postedHold))
    const accountChanges = yield* savePosted(context, accountBefore, posted)
    yield* invoices.appendEvents(context.tenant, yield* logEntries(context, issued.events))
    const holdEvents = postedHold === null ?
      [] :
      [BillingEvent.draft({
        _tag: "CreditHoldResolved",
        holdId: postedHold.id,
        accountId: postedHold.accountId,
        amountMinor: postedHold.amountMinor,
        status: postedHold.status,
        invoiceId: before.id
      })]
    const step: Step<Invoice.Invoice> = {
      result: issued.invoice,
      events: [issuedEvent(issued.invoice), ...holdEvents],
      changes: [
        audit(Invoice.Invoice, before, issued.invoice),
        ...(postedHold === null || hold === null ? [] : [audit(CreditHold.CreditHold, hold, postedHold)]),
        ...accountChanges
      ]
    }
    return step
  })

/**
 * BIL-INV-03: Draft → Paid against an upfront payment of exactly the total. Posts the debit and the
 * payment credit together (net zero), so it needs no credit approval; the payment is synced.
 */
export const issuePaid = (context: Command.CommandContext, before: Invoice.Invoice, fields: PaymentFields) =>
  Effect.gen(function*() {
    const accountBefore = yield* Effect.orDie(
      (yield* ClientAccountRepository).getForUpdate(context.tenant, before.accountId)
    )
    const payment = yield* newPayment(context, fields, before, "Completed", false)
    const issued = yield* Effect.fromResult(Invoice.issuePaid(before, eventData(payment), context.now))
    if (payment.baseAmountMinor !== before.totalMinor) {
      return yield* new UpfrontPaymentMismatch({
        invoiceId: before.id,
        totalMinor: before.totalMinor,
        baseAmountMinor: payment.baseAmountMinor
      })
    }
    const postings = [
      Ledger.invoiceDebit(before.id, before.totalMinor),
      Ledger.paymentCredit(payment.id, before.id, payment.baseAmountMinor, false)
    ]
    const posted = Ledger.post(accountBefore, postings, yield* transactionIds(2), context.now)
    const account = ClientAccount.recordPaymentDate(posted.account, payment.paymentDate, context.now)
    const invoices = yield* InvoiceRepository
    yield* Effect.orDie(invoices.update(context.tenant, issued.invoice))
    yield* (yield* PaymentRepository).insert(context.tenant, payment)
    const accountChanges = yield* savePosted(context, accountBefore, { ...posted, account })
    yield* invoices.appendEvents(context.tenant, yield* logEntries(context, issued.events))
    const sync = yield* syncNew(context, "Payment", payment.id)
    const i = issued.invoice
    const step: Step<{ readonly invoice: Invoice.Invoice; readonly payment: Payment.Payment }> = {
      result: { invoice: i, payment },
      events: [
        issuedEvent(i),
        BillingEvent.paymentRecorded(payment),
        ...BillingEvent.paidIfSettled(before, i),
        ...sync.events
      ],
      changes: [
        audit(Invoice.Invoice, before, i),
        audit(Payment.Payment, null, payment),
        ...accountChanges,
        ...sync.changes
      ]
    }
    return step
  })

/**
 * Issues and applies a credit note on `before` (locked): BIL-CN-01…03, BIL-INV-08. The invoice's
 * amount outstanding falls (Paid when nothing is left) and the ledger posts a credit.
 */
export const creditNote = (
  context: Command.CommandContext,
  before: Invoice.Invoice,
  amountMinor: bigint,
  reason: string
) =>
  Effect.gen(function*() {
    const credited = yield* Effect.fromResult(Invoice.applyCredit(before, amountMinor, context.now))
    const accountBefore = yield* Effect.orDie(
      (yield* ClientAccountRepository).getForUpdate(context.tenant, before.accountId)
    )
    const [id] = yield* freshIds(CreditNoteId, 1)
    const note = new CreditNote({
      id: id!,
      tenant: context.tenant,
      invoiceId: before.id,
      accountId: before.accountId,
      amountMinor,
      currency: before.currency,
      reason,
      createdAt: context.now
    })
    const posted = Ledger.post(
      accountBefore,
      [Ledger.creditNoteCredit(note.id, before.id, amountMinor)],
      yield* transactionIds(1),
      context.now
    )
    yield* Effect.orDie((yield* InvoiceRepository).update(context.tenant, credited.invoice))
    yield* (yield* CreditNoteRepository).insert(context.tenant, note)
    const accountChanges = yield* savePosted(context, accountBefore, posted)
    const i = credited.invoice
    const step: Step<{ readonly creditNote: CreditNote; readonly invoice: Invoice.Invoice }> = {
      result: { creditNote: note, invoice: i },
      events: [
        BillingEvent.draft({
          _tag: "CreditNoteIssued",
          creditNoteId: note.id,
          invoiceId: i.id,
          accountId: i.accountId,
          amountMinor: note.amountMinor,
          currency: note.currency
        }),
        ...BillingEvent.paidIfSettled(before, i)
      ],
      changes: [audit(CreditNote, null, note), audit(Invoice.Invoice, before, i), ...accountChanges]
    }
    return step
  })
