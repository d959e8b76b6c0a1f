/**
 * Payment commands. Recording a completed payment, in one unit of work: the invoice's amount paid
 * (Paid when nothing stays outstanding, BIL-INV-06), the ledger credit (BIL-AT-01) and the account's
 * last payment date (BIL-CA-04). Lock order: invoice → payment → client account.
 */
// `Actor`, `Errors` and `Ids` are imported as types so declaration emit can name the kernel types commands infer.
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import { type Actor, Command, type Errors, type Ids } from "@erpkit/kernel"
import { Effect, Schema } from "effect"
import { InvalidExchangeRate, PaymentExceedsOutstanding } from "./BillingError.ts"
import * as BillingEvent from "./BillingEvent.ts"
import type * as ClientAccount from "./ClientAccount.ts"
import { ClientAccountRepository } from "./ClientAccountRepository.ts"
import { InvoiceId, PaymentId } from "./Ids.ts"
import { audit, logEntries, savePosted, transactionIds } from "./internal/command.ts"
import { syncNew } from "./internal/invoicing.ts"
import { applyCompleted, newPayment, paymentFields } from "./internal/payments.ts"
import * as Invoice from "./Invoice.ts"
import { InvoiceRepository } from "./InvoiceRepository.ts"
import * as Payment from "./Payment.ts"
import { PaymentRepository } from "./PaymentRepository.ts"
import { permissions } from "./Permissions.ts"

export const RecordPaymentInput = Schema.Struct({
  invoiceId: InvoiceId,
  ...paymentFields,
  /** Default Completed (applied at once); Pending or Processing are applied when changed to Completed. */
  status: Schema.optionalKey(Schema.Literals(["Completed", "Pending", "Processing"])),
  /** Pay from the account's prepaid wallet (same currency as the invoice). */
  fromWallet: Schema.optionalKey(Schema.Boolean)
})

export const PaymentWithInvoice = Schema.Struct({ payment: Payment.Payment, invoice: Invoice.Invoice })

/**
 * Completes `payment` against `before` (both locked): saves the invoice, account, ledger and log.
 * `lockedAccount` is the invoice's account when the caller locked it already, else it is locked here.
 */
const complete = (
  context: Command.CommandContext,
  before: Invoice.Invoice,
  payment: Payment.Payment,
  lockedAccount?: ClientAccount.ClientAccount
) =>
  Effect.gen(function*() {
    const accountBefore = lockedAccount ??
      (yield* Effect.orDie((yield* ClientAccountRepository).getForUpdate(context.tenant, before.accountId)))
    const [transactionId] = yield* transactionIds(1)
    const applied = yield* Effect.fromResult(
      applyCompleted(before, accountBefore, payment, transactionId!, context.now)
    )
    const invoices = yield* InvoiceRepository
    yield* Effect.orDie(invoices.update(context.tenant, applied.invoice.invoice))
    const accountChanges = yield* savePosted(context, accountBefore, applied.posted)
    yield* invoices.appendEvents(context.tenant, yield* logEntries(context, applied.invoice.events))
    return { invoice: applied.invoice.invoice, accountChanges }
  })

/**
 * BIL-PAY-01…05: a positive payment against a Sent or Overdue invoice, never above its amount
 * outstanding (checked on the applied amount in the invoice's currency), with an exchange rate when
 * its currency differs.
 */
export const recordPayment = Command.make({
  name: "billing.recordPayment",
  input: RecordPaymentInput,
  output: PaymentWithInvoice,
  permission: permissions.paymentRecord,
  handler: Effect.fnUntraced(function*(input, context) {
    const invoices = yield* InvoiceRepository
    const status = input.status ?? "Completed"
    // a completed payment changes the account too: lock both at once (invoice first, as always)
    const { account, invoice: before } = status === "Completed"
      ? yield* invoices.getForUpdateWithAccount(context.tenant, input.invoiceId)
      : { account: undefined, invoice: yield* invoices.getForUpdate(context.tenant, input.invoiceId) }
    yield* Effect.fromResult(Invoice.assertPayable(before))
    const fromWallet = input.fromWallet ?? false
    if (fromWallet && input.currency !== before.currency) {
      return yield* new InvalidExchangeRate({
        paymentCurrency: input.currency,
        invoiceCurrency: before.currency,
        reason: "a wallet payment is in the account's currency"
      })
    }
    const payment = yield* newPayment(context, input, before, status, fromWallet)
    if (payment.status !== "Completed" && payment.baseAmountMinor > Invoice.amountOutstanding(before)) {
      return yield* new PaymentExceedsOutstanding({
        invoiceId: before.id,
        outstandingMinor: Invoice.amountOutstanding(before),
        baseAmountMinor: payment.baseAmountMinor
      })
    }
    const { accountChanges, invoice } = payment.status === "Completed"
      ? yield* complete(context, before, payment, account)
      : { accountChanges: [], invoice: before }
    yield* (yield* PaymentRepository).insert(context.tenant, payment)
    const sync = yield* syncNew(context, "Payment", payment.id)
    return {
      result: { payment, invoice },
      events: [BillingEvent.paymentRecorded(payment), ...BillingEvent.paidIfSettled(before, invoice), ...sync.events],
      changes: [
        audit(Payment.Payment, null, payment),
        ...(invoice === before ? [] : [audit(Invoice.Invoice, before, invoice)]),
        ...accountChanges,
        ...sync.changes
      ]
    }
  })
})

export const ChangePaymentStatusInput = Schema.Struct({ paymentId: PaymentId, status: Payment.PaymentStatus })

/**
 * Moves a Pending or Processing payment on (BIL-PAY-04: Completed, Failed and Cancelled never change).
 * To Completed applies it, re-checking the invoice (BIL-PAY-02/03) at that moment.
 */
export const changePaymentStatus = Command.make({
  name: "billing.changePaymentStatus",
  input: ChangePaymentStatusInput,
  output: PaymentWithInvoice,
  permission: permissions.paymentRecord,
  handler: Effect.fnUntraced(function*(input, context) {
    const payments = yield* PaymentRepository
    const invoices = yield* InvoiceRepository
    // Lock order: the invoice before the payment; the plain read only finds which invoice.
    const peek = yield* payments.get(context.tenant, input.paymentId)
    const before = yield* Effect.orDie(invoices.getForUpdate(context.tenant, peek.invoiceId))
    const payment = yield* payments.getForUpdate(context.tenant, input.paymentId)
    const changed = yield* Effect.fromResult(Payment.changeStatus(payment, input.status, context.now))
    const { accountChanges, invoice } = changed.status === "Completed"
      ? yield* complete(context, before, changed)
      : { accountChanges: [], invoice: before }
    yield* Effect.orDie(payments.update(context.tenant, changed))
    return {
      result: { payment: changed, invoice },
      events: [
        BillingEvent.draft({
          _tag: "PaymentStatusChanged",
          paymentId: changed.id,
          invoiceId: changed.invoiceId,
          from: payment.status,
          to: changed.status
        }),
        ...BillingEvent.paidIfSettled(before, invoice)
      ],
      changes: [
        audit(Payment.Payment, payment, changed),
        ...(invoice === before ? [] : [audit(Invoice.Invoice, before, invoice)]),
        ...accountChanges
      ]
    }
  })
})

export const PaymentRef = Schema.Struct({ paymentId: PaymentId })

export const getPayment = Command.query({
  name: "billing.getPayment",
  input: PaymentRef,
  permission: permissions.invoiceRead,
  handler: (input, context) => PaymentRepository.use((payments) => payments.get(context.tenant, input.paymentId))
})

export const listPayments = Command.query({
  name: "billing.listPayments",
  input: Schema.Struct({ invoiceId: InvoiceId }),
  permission: permissions.invoiceRead,
  handler: (input, context) =>
    PaymentRepository.use((payments) => payments.listByInvoice(context.tenant, input.invoiceId))
})
