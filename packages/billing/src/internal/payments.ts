/**
 * What recording a payment, completing a pending one and issuing an invoice against an upfront payment
 * share: the payment's input fields, building the `Payment`, and applying a completed one.
 */
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import { type Command, Currency, type Ids, LocalDate } from "@erpkit/kernel"
import { Effect, Result, Schema } from "effect"
import { InsufficientWalletBalance, type InvoiceNotPayable, type PaymentExceedsOutstanding } from "../BillingError.ts"
import * as ClientAccount from "../ClientAccount.ts"
import { type AccountTransactionId, PaymentId } from "../Ids.ts"
import * as Invoice from "../Invoice.ts"
import * as Ledger from "../Ledger.ts"
import * as Payment from "../Payment.ts"
import { ExchangeRate, PositiveAmountInput, Text } from "../Values.ts"
import { freshIds, today } from "./command.ts"

export const paymentFields = {
  /** BIL-PAY-01: > 0, in `currency`. */
  amountMinor: PositiveAmountInput,
  currency: Currency.Currency,
  /** BIL-PAY-05: invoice-currency units per payment-currency unit ("450.12"); required iff the currencies differ. */
  exchangeRate: Schema.optionalKey(ExchangeRate),
  method: Payment.PaymentMethod,
  /** Default: today in the tenant's time zone. */
  paymentDate: Schema.optionalKey(LocalDate.LocalDate),
  reference: Schema.optionalKey(Text(200))
}

export const PaymentFields = Schema.Struct(paymentFields)
export type PaymentFields = typeof PaymentFields.Type

export const newPayment = (
  context: Command.CommandContext,
  fields: PaymentFields,
  invoice: Invoice.Invoice,
  status: Payment.PaymentStatus,
  fromWallet: boolean
) =>
  Effect.gen(function*() {
    const { baseAmountMinor, rate } = yield* Effect.fromResult(
      Payment.applied(fields.amountMinor, fields.currency, invoice.currency, fields.exchangeRate)
    )
    const [id] = yield* freshIds(PaymentId, 1)
    return new Payment.Payment({
      id: id!,
      tenant: context.tenant,
      invoiceId: invoice.id,
      accountId: invoice.accountId,
      customerId: invoice.customerId,
      amountMinor: fields.amountMinor,
      currency: fields.currency,
      exchangeRate: rate,
      baseAmountMinor,
      baseCurrency: invoice.currency,
      method: fields.method,
      status,
      fromWallet,
      paymentDate: fields.paymentDate ?? (yield* today(context)),
      reference: fields.reference ?? null,
      createdAt: context.now,
      updatedAt: context.now,
      completedAt: status === "Completed" ? context.now : null
    })
  })

export const eventData = (payment: Payment.Payment): Schema.JsonObject => ({
  paymentId: payment.id,
  /** In the invoice's currency (`Payment.baseAmountMinor`), the amount the invoice was credited with. */
  baseAmountMinor: String(payment.baseAmountMinor),
  method: payment.method,
  ...(payment.reference === null ? {} : { reference: payment.reference })
})

export interface Applied {
  readonly invoice: Invoice.Transitioned
  readonly posted: Ledger.Posted
}

/**
 * A Completed payment takes effect: the invoice (BIL-INV-05/06, BIL-PAY-02/03), the wallet when paid
 * from it, the ledger credit (BIL-AT-01) and the account's last payment date (BIL-CA-04).
 */
export const applyCompleted = (
  invoice: Invoice.Invoice,
  account: ClientAccount.ClientAccount,
  payment: Payment.Payment,
  transactionId: AccountTransactionId,
  now: number
): Result.Result<Applied, InvoiceNotPayable | PaymentExceedsOutstanding | InsufficientWalletBalance> =>
  Result.gen(function*() {
    const next = yield* Invoice.applyPayment(invoice, payment.baseAmountMinor, eventData(payment), now)
    if (payment.fromWallet && account.walletBalanceMinor < payment.baseAmountMinor) {
      return yield* Result.fail(
        new InsufficientWalletBalance({
          accountId: account.id,
          walletBalanceMinor: account.walletBalanceMinor,
          requestedMinor: payment.baseAmountMinor
        })
      )
    }
    const posting = Ledger.paymentCredit(payment.id, invoice.id, payment.baseAmountMinor, payment.fromWallet)
    const posted = Ledger.post(account, [posting], [transactionId], now)
    return {
      invoice: next,
      posted: { ...posted, account: ClientAccount.recordPaymentDate(posted.account, payment.paymentDate, now) }
    }
  })
