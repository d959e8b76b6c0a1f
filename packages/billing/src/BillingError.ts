/**
 * Billing's domain errors. Each carries the figures that explain it, so a host can show a precise
 * message and match on `_tag`. State errors (`InvalidTransition`, `Immutable`), `NotFound`,
 * `ValidationError` and `Forbidden` are the kernel's; billing raises no free-text `Conflict`.
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
export class CreditNotApproved
  extends Schema.TaggedError<CreditNotApproved>()("CreditNotApproved", { accountId: Schema.String })
{
  override get message(): string {
    return `account ${this.accountId} is not approved for credit`
  }
}

/** A credit limit may not be set below what the account already owes plus its open holds. */
export class CreditLimitBelowExposure
  extends Schema.TaggedError<CreditLimitBelowExposure>()("CreditLimitBelowExposure", {
    accountId: Schema.String,
    creditLimitMinor: Schema.BigInt,
    exposureMinor: Schema.BigInt
  })
{
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
export class AccountAlreadyExists
  extends Schema.TaggedError<AccountAlreadyExists>()("AccountAlreadyExists", { customerId: Schema.String })
{
  override get message(): string {
    return `customer ${this.customerId} already has a client account`
  }
}

/** BIL-INV-10: invoice numbers are unique per tenant among live (not soft-deleted) invoices. */
export class InvoiceNumberTaken
  extends Schema.TaggedError<InvoiceNumberTaken>()("InvoiceNumberTaken", { invoiceNumber: Schema.String })
{
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
export class PaymentExceedsOutstanding
  extends Schema.TaggedError<PaymentExceedsOutstanding>()("PaymentExceedsOutstanding", {
    invoiceId: Schema.String,
    outstandingMinor: Schema.BigInt,
    baseAmountMinor: Schema.BigInt
  })
{
  override get message(): string {
    return `invoice ${this.invoiceId}: payment of ${this.baseAmountMinor} exceeds outstanding ${this.outstandingMinor}`
  }
}

/** BIL-CN-02: a credit note never exceeds the invoice's amount outstanding. */
export class CreditNoteExceedsOutstanding
  extends Schema.TaggedError<CreditNoteExceedsOutstanding>()("CreditNoteExceedsOutstanding", {
    invoiceId: Schema.String,
    outstandingMinor: Schema.BigInt,
    amountMinor: Schema.BigInt
  })
{
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
export class InsufficientWalletBalance
  extends Schema.TaggedError<InsufficientWalletBalance>()("InsufficientWalletBalance", {
    accountId: Schema.String,
    walletBalanceMinor: Schema.BigInt,
    requestedMinor: Schema.BigInt
  })
{
  override get message(): string {
    return `account ${this.accountId}: wallet holds ${this.walletBalanceMinor}, ${this.requestedMinor} requested`
  }
}

/** BIL-INV-03: an invoice issued as Paid needs an upfront payment of exactly its total. */
export class UpfrontPaymentMismatch extends Schema.TaggedError<UpfrontPaymentMismatch>()("UpfrontPaymentMismatch", {
  invoiceId: Schema.String,
  totalMinor: Schema.BigInt,
  baseAmountMinor: Schema.BigInt
}) {
  override get message(): string {
    return `invoice ${this.invoiceId}: upfront payment ${this.baseAmountMinor} does not equal total ${this.totalMinor}`
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

/** A validity range whose end is before its start (rate cards, surcharges). */
export class ValidityRangeInverted extends Schema.TaggedError<ValidityRangeInverted>()("ValidityRangeInverted", {
  validFrom: LocalDate.LocalDate,
  validTo: LocalDate.LocalDate
}) {
  override get message(): string {
    return `valid_to ${this.validTo} is before valid_from ${this.validFrom}`
  }
}

/**
 * BIL-RC-02: no rate card that is active, not deleted and valid on the pricing date matches a measure
 * of the request. Names exactly what was looked for.
 */
export class NoApplicableRateCard extends Schema.TaggedError<NoApplicableRateCard>()("NoApplicableRateCard", {
  basis: Schema.String,
  serviceLevel: Schema.String,
  zone: Schema.String,
  currency: Currency.Currency,
  pricingDate: LocalDate.LocalDate
}) {
  override get message(): string {
    return `no active rate card valid on ${this.pricingDate} prices ${this.basis} ` +
      `for service level ${this.serviceLevel}, zone ${this.zone}, in ${this.currency}`
  }
}

/** BIL-QUO-01: the quote's `expiresAt` has passed (the `expireQuotes` job will mark it Expired). */
export class QuoteExpired
  extends Schema.TaggedError<QuoteExpired>()("QuoteExpired", { quoteId: Schema.String, expiresAt: Schema.Number })
{
  override get message(): string {
    return `quote ${this.quoteId} expired at ${this.expiresAt} (epoch ms)`
  }
}

/** A quote's expiry must lie after the moment it is created. */
export class QuoteExpiryNotInFuture extends Schema.TaggedError<QuoteExpiryNotInFuture>()("QuoteExpiryNotInFuture", {
  expiresAt: Schema.Number,
  now: Schema.Number
}) {
  override get message(): string {
    return `expiresAt ${this.expiresAt} is not after now (${this.now})`
  }
}

/** BIL-DSP-01: disputes are opened only on Sent or Overdue invoices. */
export class InvoiceNotDisputable extends Schema.TaggedError<InvoiceNotDisputable>()("InvoiceNotDisputable", {
  invoiceId: Schema.String,
  status: Schema.String
}) {
  override get message(): string {
    return `invoice ${this.invoiceId} is ${this.status}; disputes need a Sent or Overdue invoice`
  }
}

/** BIL-DSP-01: the invoice has no line at that index. */
export class InvoiceLineNotFound extends Schema.TaggedError<InvoiceLineNotFound>()("InvoiceLineNotFound", {
  invoiceId: Schema.String,
  lineIndex: Schema.Number,
  lineCount: Schema.Number
}) {
  override get message(): string {
    return `invoice ${this.invoiceId} has ${this.lineCount} lines; there is no line ${this.lineIndex}`
  }
}

/** A dispute (with the line's other open or approved disputes) may claim at most the line's total. */
export class DisputeExceedsLine extends Schema.TaggedError<DisputeExceedsLine>()("DisputeExceedsLine", {
  invoiceId: Schema.String,
  lineIndex: Schema.Number,
  lineTotalMinor: Schema.BigInt,
  alreadyDisputedMinor: Schema.BigInt,
  amountMinor: Schema.BigInt
}) {
  override get message(): string {
    return `invoice ${this.invoiceId} line ${this.lineIndex}: ${this.amountMinor} disputed on top of ` +
      `${this.alreadyDisputedMinor} exceeds the line total ${this.lineTotalMinor}`
  }
}

/** An approved amount must lie in 1 … the disputed amount. */
export class ApprovalExceedsDispute extends Schema.TaggedError<ApprovalExceedsDispute>()("ApprovalExceedsDispute", {
  disputeId: Schema.String,
  disputedMinor: Schema.BigInt,
  approvedMinor: Schema.BigInt
}) {
  override get message(): string {
    return `dispute ${this.disputeId}: approving ${this.approvedMinor} of ${this.disputedMinor} disputed`
  }
}

/** A recurring billing run for (account, period) exists already (unique (tenant, account, period)). */
export class BillingRunExists extends Schema.TaggedError<BillingRunExists>()("BillingRunExists", {
  accountId: Schema.String,
  period: Schema.String
}) {
  override get message(): string {
    return `account ${this.accountId} is already billed for ${this.period}`
  }
}

/** The account has no usage to bill for the period (nothing to invoice). */
export class NoBillableUsage
  extends Schema.TaggedError<NoBillableUsage>()("NoBillableUsage", { customerId: Schema.String, period: Schema.String })
{
  override get message(): string {
    return `customer ${this.customerId} has no billable usage in ${this.period}`
  }
}

/** A document of that kind and source exists already (unique (tenant, kind, source, version)). */
export class DocumentExists extends Schema.TaggedError<DocumentExists>()("DocumentExists", {
  kind: Schema.String,
  sourceId: Schema.String,
  version: Schema.Number
}) {
  override get message(): string {
    return `${this.kind} document ${this.version} of ${this.sourceId} exists already`
  }
}

/** What an `AccountingSystem` reports when a push fails; `retryable: false` gives up at once. */
export class AccountingSystemError extends Schema.TaggedError<AccountingSystemError>()("AccountingSystemError", {
  reason: Schema.String,
  retryable: Schema.Boolean
}) {
  override get message(): string {
    return `accounting system: ${this.reason}${this.retryable ? "" : " (not retryable)"}`
  }
}

/** Quote numbers are unique per tenant. */
export class QuoteNumberTaken
  extends Schema.TaggedError<QuoteNumberTaken>()("QuoteNumberTaken", { quoteNumber: Schema.String })
{
  override get message(): string {
    return `quote number ${this.quoteNumber} is taken`
  }
}

/** An invoice still in Draft has not been sent: the customer cannot have viewed it. */
export class InvoiceNotSent
  extends Schema.TaggedError<InvoiceNotSent>()("InvoiceNotSent", { invoiceId: Schema.String, status: Schema.String })
{
  override get message(): string {
    return `invoice ${this.invoiceId} is ${this.status}: it has not been sent`
  }
}

/** Only a Draft invoice may be deleted; an issued one is voided instead (`voidInvoice`). */
export class InvoiceNotDraft
  extends Schema.TaggedError<InvoiceNotDraft>()("InvoiceNotDraft", { invoiceId: Schema.String, status: Schema.String })
{
  override get message(): string {
    return `invoice ${this.invoiceId} is ${this.status}: only a Draft is deleted, void it instead`
  }
}

/** a shipment has one Bill of Lading; it exists already with other data. */
export class BillOfLadingExists extends Schema.TaggedError<BillOfLadingExists>()("BillOfLadingExists", {
  shipmentId: Schema.String,
  documentId: Schema.String,
  documentNumber: Schema.String
}) {
  override get message(): string {
    return `shipment ${this.shipmentId} already has Bill of Lading ${this.documentNumber} (${this.documentId})` +
      " with other data"
  }
}

/**
 * the sync is no longer what this run claimed (its lease ran out and another run took it over):
 * it is not Pending any more, or its attempts moved on. Nothing is recorded.
 */
export class SyncLeaseLost extends Schema.TaggedError<SyncLeaseLost>()("SyncLeaseLost", {
  syncId: Schema.String,
  status: Schema.String,
  attempts: Schema.Number,
  claimedAttempts: Schema.Number
}) {
  override get message(): string {
    return `sync ${this.syncId} was handled by another run: ${this.status} after ${this.attempts} attempts,` +
      ` claimed at ${this.claimedAttempts}`
  }
}
