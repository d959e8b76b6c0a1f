/**
 * Commands and queries over invoices. Lock order in every command: invoice → payment → credit hold →
 * client account (each `getForUpdate`, each at most once).
 */
// `Actor`, `Errors` and `Ids` are imported as types so declaration emit can name the kernel types commands infer.
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import { type Actor, AuditLog, Command, type Errors, type Ids, LocalDate } from "@erpkit/kernel"
import { Effect, Schema } from "effect"
import * as BillingEvent from "./BillingEvent.ts"
import { ClientAccountRepository } from "./ClientAccountRepository.ts"
import { CreditHoldRepository } from "./CreditHoldRepository.ts"
import { ClientAccountId, CreditHoldId, InvoiceId } from "./Ids.ts"
import { audit, logEntries, savePosted, transactionIds } from "./internal/command.ts"
import { insertDraft, issue, issuePaid } from "./internal/invoicing.ts"
import { PaymentFields } from "./internal/payments.ts"
import * as Invoice from "./Invoice.ts"
import { InvoiceRepository } from "./InvoiceRepository.ts"
import * as Ledger from "./Ledger.ts"
import * as Payment from "./Payment.ts"
import { permissions } from "./Permissions.ts"
import { NonNegativeAmountInput, Text } from "./Values.ts"

/** At most this many lines per invoice. */
export const linesMax = 500

export const CreateInvoiceInput = Schema.Struct({
  accountId: ClientAccountId,
  /** Unique per tenant among live invoices, e.g. "INV-2026-001". */
  invoiceNumber: Text(50),
  issueDate: LocalDate.LocalDate,
  /** BIL-INV-04: on or after `issueDate`. */
  dueDate: LocalDate.LocalDate,
  items: Schema.Array(Invoice.LineInput).pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(linesMax))),
  /** BIL-INV-11: when true, `depositAmountMinor` is required. */
  depositRequired: Schema.optionalKey(Schema.Boolean),
  depositAmountMinor: Schema.optionalKey(NonNegativeAmountInput),
  notes: Schema.optionalKey(Text(5000))
}).pipe(
  Schema.check(
    Schema.makeFilter((i) =>
      (i.depositRequired ?? false) === (i.depositAmountMinor !== undefined) ||
      {
        path: ["depositAmountMinor"],
        issue: "BIL-INV-11: a deposit amount is given exactly when a deposit is required"
      }
    )
  )
)

/**
 * A Draft invoice in the account's currency with its lines and totals (BIL-INV-12); enqueues its accounting sync
 * (X-07).
 */
export const createInvoice = Command.make({
  name: "billing.createInvoice",
  input: CreateInvoiceInput,
  output: Invoice.Invoice,
  permission: permissions.invoiceDraft,
  handler: Effect.fnUntraced(function*(input, context) {
    const account = yield* (yield* ClientAccountRepository).get(context.tenant, input.accountId)
    return yield* insertDraft(context, account, {
      invoiceNumber: input.invoiceNumber,
      issueDate: input.issueDate,
      dueDate: input.dueDate,
      items: input.items,
      depositAmountMinor: input.depositAmountMinor ?? null,
      notes: input.notes ?? null
    })
  })
})

export const IssueInvoiceInput = Schema.Struct({
  invoiceId: InvoiceId,
  /** A Pending hold of the invoice's account to consume instead of a fresh credit check for its amount. */
  holdId: Schema.optionalKey(CreditHoldId)
})

/**
 * Draft → Sent. Posts the ledger debit of the total (BIL-AT-02) after the credit check (BIL-CA-02):
 * with `holdId`, the hold is posted and released first, so it covers its amount and only the rest of
 * the total needs available credit.
 */
export const issueInvoice = Command.make({
  name: "billing.issueInvoice",
  input: IssueInvoiceInput,
  output: Invoice.Invoice,
  permission: permissions.invoiceIssue,
  handler: Effect.fnUntraced(function*(input, context) {
    const before = yield* (yield* InvoiceRepository).getForUpdate(context.tenant, input.invoiceId)
    const hold = input.holdId === undefined
      ? null
      : yield* (yield* CreditHoldRepository).getForUpdate(context.tenant, input.holdId)
    return yield* issue(context, before, hold)
  })
})

export const IssuePaidInvoiceInput = Schema.Struct({
  invoiceId: InvoiceId,
  /** The immediate, successful upfront payment; its applied amount must equal the invoice total. */
  payment: PaymentFields
})

export const InvoiceWithPayment = Schema.Struct({ invoice: Invoice.Invoice, payment: Payment.Payment })

/**
 * BIL-INV-03: Draft → Paid against an upfront payment of exactly the total. Posts the debit and the
 * payment credit together (net zero), so it needs no credit approval.
 */
export const issuePaidInvoice = Command.make({
  name: "billing.issuePaidInvoice",
  input: IssuePaidInvoiceInput,
  output: InvoiceWithPayment,
  permission: permissions.paymentRecord,
  handler: Effect.fnUntraced(function*(input, context) {
    const before = yield* (yield* InvoiceRepository).getForUpdate(context.tenant, input.invoiceId)
    return yield* issuePaid(context, before, input.payment)
  })
})

export const InvoiceRef = Schema.Struct({ invoiceId: InvoiceId })

/** The customer viewed the invoice: a fact (`viewedAt`, first view) and a `viewed` log entry. */
export const markInvoiceViewed = Command.make({
  name: "billing.markInvoiceViewed",
  input: InvoiceRef,
  output: Invoice.Invoice,
  permission: permissions.invoiceMarkViewed,
  handler: Effect.fnUntraced(function*(input, context) {
    const invoices = yield* InvoiceRepository
    const before = yield* invoices.getForUpdate(context.tenant, input.invoiceId)
    const viewed = yield* Effect.fromResult(Invoice.markViewed(before, context.now))
    yield* Effect.orDie(invoices.update(context.tenant, viewed.invoice))
    yield* invoices.appendEvents(context.tenant, yield* logEntries(context, viewed.events))
    return {
      result: viewed.invoice,
      events: [BillingEvent.draft({ _tag: "InvoiceViewed", invoiceId: before.id })],
      changes: [audit(Invoice.Invoice, before, viewed.invoice)]
    }
  })
})

export const VoidInvoiceInput = Schema.Struct({ invoiceId: InvoiceId, reason: Text(2000) })

/**
 * BIL-INV-09: → Void, Finance Manager only (a draft too). An issued invoice's amount outstanding is
 * credited back on the ledger (InvoiceVoided); payments already received stay recorded (refunds are
 * outside billing core).
 */
export const voidInvoice = Command.make({
  name: "billing.voidInvoice",
  input: VoidInvoiceInput,
  output: Invoice.Invoice,
  permission: permissions.invoiceVoid,
  handler: Effect.fnUntraced(function*(input, context) {
    const invoices = yield* InvoiceRepository
    const before = yield* invoices.getForUpdate(context.tenant, input.invoiceId)
    const voided = yield* Effect.fromResult(Invoice.void_(before, input.reason, context.now))
    let accountChanges: ReadonlyArray<ReturnType<typeof audit>> = []
    if (voided.reversalMinor > 0n) {
      const accountBefore = yield* Effect.orDie(
        (yield* ClientAccountRepository).getForUpdate(context.tenant, before.accountId)
      )
      const posted = Ledger.post(
        accountBefore,
        [Ledger.voidCredit(before.id, voided.reversalMinor)],
        yield* transactionIds(1),
        context.now
      )
      accountChanges = yield* savePosted(context, accountBefore, posted)
    }
    yield* Effect.orDie(invoices.update(context.tenant, voided.invoice))
    yield* invoices.appendEvents(context.tenant, yield* logEntries(context, voided.events))
    return {
      result: voided.invoice,
      events: [
        BillingEvent.draft({
          _tag: "InvoiceVoided",
          invoiceId: before.id,
          accountId: before.accountId,
          reversedMinor: voided.reversalMinor,
          reason: input.reason
        })
      ],
      changes: [audit(Invoice.Invoice, before, voided.invoice), ...accountChanges]
    }
  })
})

/** Soft-deletes a Draft (hidden from reads; its number may be used again). */
export const deleteDraftInvoice = Command.make({
  name: "billing.deleteDraftInvoice",
  input: InvoiceRef,
  output: Invoice.Invoice,
  permission: permissions.invoiceDraft,
  handler: Effect.fnUntraced(function*(input, context) {
    const invoices = yield* InvoiceRepository
    const before = yield* invoices.getForUpdate(context.tenant, input.invoiceId)
    const deleted = yield* Effect.fromResult(Invoice.softDelete(before, context.now))
    yield* Effect.orDie(invoices.update(context.tenant, deleted))
    return {
      result: deleted,
      events: [
        BillingEvent.draft({ _tag: "InvoiceDeleted", invoiceId: before.id, invoiceNumber: before.invoiceNumber })
      ],
      changes: [AuditLog.entityChange(Invoice.Invoice, before, deleted, "DELETE")]
    }
  })
})

export const getInvoice = Command.query({
  name: "billing.getInvoice",
  input: InvoiceRef,
  permission: permissions.invoiceRead,
  handler: (input, context) => InvoiceRepository.use((invoices) => invoices.get(context.tenant, input.invoiceId))
})

export const ListInvoicesInput = Schema.Struct({
  accountId: Schema.optionalKey(ClientAccountId),
  status: Schema.optionalKey(Invoice.InvoiceStatus),
  limit: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))))
})

export const listInvoices = Command.query({
  name: "billing.listInvoices",
  input: ListInvoicesInput,
  permission: permissions.invoiceRead,
  handler: (input, context) => InvoiceRepository.use((invoices) => invoices.list(context.tenant, input))
})

/** The invoice's event log (BIL-INV-13), oldest first. */
export const invoiceEvents = Command.query({
  name: "billing.invoiceEvents",
  input: InvoiceRef,
  permission: permissions.invoiceRead,
  handler: (input, context) =>
    Effect.gen(function*() {
      const invoices = yield* InvoiceRepository
      yield* invoices.get(context.tenant, input.invoiceId)
      return yield* invoices.events(context.tenant, input.invoiceId)
    })
})
