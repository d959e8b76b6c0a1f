/**
 * Payments against invoices (BIL-PAY-01…05). A payment is in its own currency; `baseAmountMinor` is
 * the amount applied to the invoice, in the invoice's currency:
 *
 *   baseAmountMinor = amountMinor × exchangeRate, rounded half-up once to the invoice currency's minor
 *   unit (exponents of both currencies respected); exchangeRate = units of invoice currency per unit
 *   of payment currency, exactly as given ("450.123456"), "1" for the same currency.
 *
 * From then on the applied amount is an exact integer: the invoice, the ledger and every check use it.
 * Status: Pending → Processing → Completed | Failed, Pending → Completed | Failed | Cancelled;
 * Completed, Failed and Cancelled are terminal (BIL-PAY-04). Only a Completed payment is applied.
 */
import { Currency, type Errors, Ids, LocalDate, Money, Rate, StateMachine, Tenant } from "@erpkit/kernel"
import { Result, Schema } from "effect"
import { AmountOutOfRange, InvalidExchangeRate } from "./BillingError.ts"
import { ClientAccountId, InvoiceId, PaymentId } from "./Ids.ts"
import { move } from "./internal/machine.ts"
import { Instant, RateFromString } from "./Values.ts"

export const PaymentMethod = Schema.Literals(["CASH", "BANK_TRANSFER", "CARD", "CHECK", "OTHER"])
export type PaymentMethod = typeof PaymentMethod.Type

export const PaymentStatus = Schema.Literals(["Pending", "Processing", "Completed", "Failed", "Cancelled"])
export type PaymentStatus = typeof PaymentStatus.Type

export const machine = StateMachine.make<PaymentStatus>({
  name: "Payment",
  states: ["Pending", "Processing", "Completed", "Failed", "Cancelled"],
  initial: [
    { state: "Completed", label: "recordPayment" },
    { state: "Pending", label: "recordPayment (status Pending)" },
    { state: "Processing", label: "recordPayment (status Processing)" }
  ],
  terminal: ["Completed", "Failed", "Cancelled"],
  transitions: [
    { from: "Pending", to: "Processing", label: "changePaymentStatus" },
    { from: "Pending", to: "Completed", label: "changePaymentStatus (applies it)" },
    { from: "Pending", to: "Failed", label: "changePaymentStatus" },
    { from: "Pending", to: "Cancelled", label: "changePaymentStatus" },
    { from: "Processing", to: "Completed", label: "changePaymentStatus (applies it)" },
    { from: "Processing", to: "Failed", label: "changePaymentStatus" }
  ]
})

export class Payment extends Schema.Class<Payment>("Payment")({
  id: PaymentId,
  tenant: Tenant.Tenant,
  invoiceId: InvoiceId,
  accountId: ClientAccountId,
  customerId: Ids.CustomerId,
  /** BIL-PAY-01: > 0, in the payment's currency. */
  amountMinor: Money.PositiveMinorUnits,
  currency: Currency.Currency,
  /** Invoice-currency units per payment-currency unit; "1" for the same currency. */
  exchangeRate: RateFromString,
  /** The amount applied, in `baseCurrency` (the invoice's and account's currency). */
  baseAmountMinor: Money.PositiveMinorUnits,
  baseCurrency: Currency.Currency,
  method: PaymentMethod,
  status: PaymentStatus,
  /** Paid from the account's prepaid wallet. */
  fromWallet: Schema.Boolean,
  paymentDate: LocalDate.LocalDate,
  /** Bank, card or gateway reference, free text. */
  reference: Schema.NullOr(Schema.String),
  createdAt: Instant,
  updatedAt: Instant,
  completedAt: Schema.NullOr(Instant)
}) {}

/** BIL-PAY-05: the applied amount in the invoice's currency, exact after one half-up rounding. */
export const applied = (
  amountMinor: bigint,
  paymentCurrency: Currency.Currency,
  invoiceCurrency: Currency.Currency,
  exchangeRate: Rate.Rate | undefined
): Result.Result<
  { readonly rate: Rate.Rate; readonly baseAmountMinor: bigint },
  InvalidExchangeRate | AmountOutOfRange
> => {
  const fail = (reason: string) => Result.fail(new InvalidExchangeRate({ paymentCurrency, invoiceCurrency, reason }))
  if (paymentCurrency === invoiceCurrency) {
    if (exchangeRate !== undefined && exchangeRate.numerator !== exchangeRate.denominator) {
      return fail("the same currency takes no exchange rate other than 1")
    }
    return Result.succeed({ rate: Rate.one, baseAmountMinor: amountMinor })
  }
  if (exchangeRate === undefined) return fail("an exchange rate is required")
  const base =
    Money.convert(Money.make(amountMinor, paymentCurrency), invoiceCurrency, exchangeRate, "HalfUp").amountMinor
  if (base <= 0n) return fail("the amount converts to less than one minor unit")
  if (base > Money.maxMinor) return Result.fail(new AmountOutOfRange({ field: "baseAmountMinor", amountMinor: base }))
  return Result.succeed({ rate: Rate.normalize(exchangeRate), baseAmountMinor: base })
}

/** BIL-PAY-04: a Completed, Failed or Cancelled payment never changes again (`Immutable`). */
export const changeStatus = (
  payment: Payment,
  to: PaymentStatus,
  now: number
): Result.Result<Payment, Errors.Immutable | Errors.InvalidTransition> =>
  Result.map(
    move(machine, payment.id, payment.status, to),
    (status) =>
      new Payment({
        ...payment,
        status,
        updatedAt: now,
        completedAt: status === "Completed" ? now : payment.completedAt
      })
  )
