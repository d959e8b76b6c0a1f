/**
 * Billing's domain errors. Each carries the figures that explain it, so a host can show a precise
 * message and match on `_tag`. State errors (`InvalidTransition`, `Immutable`), `NotFound`,
 * `ValidationError`, `Forbidden` and `Conflict` are the kernel's.
 */
import { Currency, LocalDate } from "@erpkit/kernel"
import { Schema } from "effect"

/** BIL-CA-02: the work on credit costs more than the account's available credit. */
export class CreditLimitExceeded extends Schema.TaggedError<CreditLimitExceeded>()("CreditLimitExceeded", {
  accountId: Schema.String,
  availableMinor: Schema.BigInt,
  requestedMinor: Schema.BigInt
}) {
  override get message(): string {
    return `account ${this.accountId}: ${this.requestedMinor} requested, ${this.availableMinor} available`
  }
}

/** Work on credit needs `isCreditApproved`. */
export class CreditNotApproved extends Schema.TaggedError<CreditNotApproved>()("CreditNotApproved", {
  accountId: Schema.String
}) {
  override get message(): string {
    return `account ${this.accountId} is not approved for credit`
  }
}

/** A credit limit may not be set below what the account already owes plus its open holds. */
export class CreditLimitBelowExposure extends Schema.TaggedError<CreditLimitBelowExposure>()("CreditLimitBelowExposure", {
  accountId: Schema.String,
  creditLimitMinor: Schema.BigInt,
  exposureMinor: Schema.BigInt
}) {
  override get message(): string {
    return `account ${this.accountId}: limit ${this.creditLimitMinor} is below exposure ${this.exposureMinor}`
  }
}

/** The hold's timeout passed; the `expireCreditHolds` job will void it. */
export class CreditHoldExpired extends Schema.TaggedError<CreditHoldExpired>()("CreditHoldExpired", {
  holdId: Schema.String,
  expiresAt: Schema.Number
}) {
  override get message(): string {
    return `credit hold ${this.holdId} expired at ${new globalThis.Date(this.expiresAt).toISOString()}`
  }
}

/** The hold belongs to another client account than the invoice. */
export class CreditHoldMismatch extends Schema.TaggedError<CreditHoldMismatch>()("CreditHoldMismatch", {
  holdId: Schema.String,
  holdAccountId: Schema.String,
  invoiceAccountId: Schema.String
}) {
  override get message(): string {
    return `credit hold ${this.holdId} belongs to account ${this.holdAccountId}, not ${this.invoiceAccountId}`
  }
}

/** A customer has one client account per tenant. */
export class AccountAlreadyExists extends Schema.TaggedError<AccountAlreadyExists>()("AccountAlreadyExists", {
  customerId: Schema.String
}) {
  override get message(): string {
    return `customer ${this.customerId} already has a client account`
  }
}

/** BIL-INV-10: invoice numbers are unique per tenant among live (not soft-deleted) invoices. */
export class InvoiceNumberTaken extends Schema.TaggedError<InvoiceNumberTaken>()("InvoiceNumberTaken", {
  invoiceNumber: Schema.String
}) {
  override get message(): string {
    return `invoice number ${this.invoiceNumber} is taken`
  }
}

/** BIL-INV-04: due_date is on or after issue_date. */
export class DueDateBeforeIssueDate extends Schema.TaggedError<DueDateBeforeIssueDate>()("DueDateBeforeIssueDate", {
  issueDate: LocalDate.LocalDate,
  dueDate: LocalDate.LocalDate
}) {
  override get message(): string {
    return `due date ${this.dueDate} is before issue date ${this.issueDate}`
  }
}

/** BIL-PAY-02 / BIL-CN-03: payments and credit notes need a Sent or Overdue invoice. */
export class InvoiceNotPayable extends Schema.TaggedError<InvoiceNotPayable>()("InvoiceNotPayable", {
  invoiceId: Schema.String,
  status: Schema.String
}) {
  override get message(): string {
    return `invoice ${this.invoiceId} is ${this.status} and takes no payment or credit`
  }
}

/** BIL-PAY-03: a payment never exceeds the invoice's amount outstanding. */
export class PaymentExceedsOutstanding extends Schema.TaggedError<PaymentExceedsOutstanding>()("PaymentExceedsOutstanding", {
  invoiceId: Schema.String,
  outstandingMinor: Schema.BigInt,
  appliedMinor: Schema.BigInt
}) {
  override get message(): string {
    return `invoice ${this.invoiceId}: payment of ${this.appliedMinor} exceeds outstanding ${this.outstandingMinor}`
  }
}

/** BIL-CN-02: a credit note never exceeds the invoice's amount outstanding. */
export class CreditNoteExceedsOutstanding extends Schema.TaggedError<CreditNoteExceedsOutstanding>()("CreditNoteExceedsOutstanding", {
  invoiceId: Schema.String,
  outstandingMinor: Schema.BigInt,
  amountMinor: Schema.BigInt
}) {
  override get message(): string {
    return `invoice ${this.invoiceId}: credit note of ${this.amountMinor} exceeds outstanding ${this.outstandingMinor}`
  }
}

/** BIL-PAY-05: another currency than the invoice's needs an exchange rate; the same currency takes none (or 1). */
export class InvalidExchangeRate extends Schema.TaggedError<InvalidExchangeRate>()("InvalidExchangeRate", {
  paymentCurrency: Currency.Currency,
  invoiceCurrency: Currency.Currency,
  reason: Schema.String
}) {
  override get message(): string {
    return `payment in ${this.paymentCurrency} for an invoice in ${this.invoiceCurrency}: ${this.reason}`
  }
}

/** A payment from the wallet needs that much prepaid money on the account. */
export class InsufficientWalletBalance extends Schema.TaggedError<InsufficientWalletBalance>()("InsufficientWalletBalance", {
  accountId: Schema.String,
  walletBalanceMinor: Schema.BigInt,
  requestedMinor: Schema.BigInt
}) {
  override get message(): string {
    return `account ${this.accountId}: wallet holds ${this.walletBalanceMinor}, ${this.requestedMinor} requested`
  }
}

/** BIL-INV-03: an invoice issued as Paid needs an upfront payment of exactly its total. */
export class UpfrontPaymentMismatch extends Schema.TaggedError<UpfrontPaymentMismatch>()("UpfrontPaymentMismatch", {
  invoiceId: Schema.String,
  totalMinor: Schema.BigInt,
  appliedMinor: Schema.BigInt
}) {
  override get message(): string {
    return `invoice ${this.invoiceId}: upfront payment ${this.appliedMinor} does not equal total ${this.totalMinor}`
  }
}

/** A figure would leave the range money columns hold (±`Money.maxMinor`). */
export class AmountOutOfRange extends Schema.TaggedError<AmountOutOfRange>()("AmountOutOfRange", {
  field: Schema.String,
  amountMinor: Schema.BigInt
}) {
  override get message(): string {
    return `${this.field} would be ${this.amountMinor}, outside the supported range`
  }
}
