/**
 * Billing's domain events: what other contexts and hosts may react to (accounting sync, reminders by
 * e-mail, shipments after payment). Commands append them to the kernel outbox in their unit of work as
 * `billing.<Tag>` with the payload encoded to JSON (amounts as decimal strings).
 */
import { type DomainEvent, Currency, LocalDate } from "@erpkit/kernel"
import { Schema } from "effect"
import { CreditHoldStatus } from "./CreditHold.ts"
import { type Invoice, InvoiceStatus, ReminderKind } from "./Invoice.ts"
import { type Payment, PaymentMethod, PaymentStatus } from "./Payment.ts"

const Id = Schema.String
const Amount = Schema.BigInt

export const AccountOpened = Schema.TaggedStruct("AccountOpened", {
  accountId: Id,
  customerId: Id,
  currency: Currency.Currency
})
export const CreditTermsChanged = Schema.TaggedStruct("CreditTermsChanged", {
  accountId: Id,
  creditLimitMinor: Amount,
  isCreditApproved: Schema.Boolean
})
export const CreditReserved = Schema.TaggedStruct("CreditReserved", {
  holdId: Id,
  accountId: Id,
  amountMinor: Amount,
  expiresAt: Schema.Number
})
export const CreditHoldResolved = Schema.TaggedStruct("CreditHoldResolved", {
  holdId: Id,
  accountId: Id,
  amountMinor: Amount,
  status: CreditHoldStatus,
  invoiceId: Schema.NullOr(Id)
})
export const WalletToppedUp = Schema.TaggedStruct("WalletToppedUp", {
  accountId: Id,
  amountMinor: Amount,
  walletBalanceMinor: Amount
})
export const InvoiceCreated = Schema.TaggedStruct("InvoiceCreated", {
  invoiceId: Id,
  invoiceNumber: Schema.String,
  accountId: Id,
  customerId: Id,
  totalMinor: Amount,
  currency: Currency.Currency
})
export const InvoiceIssued = Schema.TaggedStruct("InvoiceIssued", {
  invoiceId: Id,
  invoiceNumber: Schema.String,
  accountId: Id,
  customerId: Id,
  totalMinor: Amount,
  currency: Currency.Currency,
  dueDate: LocalDate.LocalDate,
  status: InvoiceStatus
})
export const InvoiceViewed = Schema.TaggedStruct("InvoiceViewed", { invoiceId: Id })
export const InvoicePaid = Schema.TaggedStruct("InvoicePaid", {
  invoiceId: Id,
  accountId: Id,
  customerId: Id,
  amountPaidMinor: Amount,
  amountCreditedMinor: Amount
})
export const InvoiceOverdue = Schema.TaggedStruct("InvoiceOverdue", {
  invoiceId: Id,
  customerId: Id,
  dueDate: LocalDate.LocalDate,
  amountOutstandingMinor: Amount
})
export const InvoiceReminderDue = Schema.TaggedStruct("InvoiceReminderDue", {
  invoiceId: Id,
  customerId: Id,
  reminder: ReminderKind,
  dueDate: LocalDate.LocalDate,
  amountOutstandingMinor: Amount
})
export const InvoiceVoided = Schema.TaggedStruct("InvoiceVoided", {
  invoiceId: Id,
  accountId: Id,
  reversedMinor: Amount,
  reason: Schema.String
})
export const InvoiceDeleted = Schema.TaggedStruct("InvoiceDeleted", { invoiceId: Id, invoiceNumber: Schema.String })
export const PaymentRecorded = Schema.TaggedStruct("PaymentRecorded", {
  paymentId: Id,
  invoiceId: Id,
  accountId: Id,
  status: PaymentStatus,
  method: PaymentMethod,
  amountMinor: Amount,
  currency: Currency.Currency,
  baseAmountMinor: Amount,
  baseCurrency: Currency.Currency
})
export const PaymentStatusChanged = Schema.TaggedStruct("PaymentStatusChanged", {
  paymentId: Id,
  invoiceId: Id,
  from: PaymentStatus,
  to: PaymentStatus
})
export const CreditNoteIssued = Schema.TaggedStruct("CreditNoteIssued", {
  creditNoteId: Id,
  invoiceId: Id,
  accountId: Id,
  amountMinor: Amount,
  currency: Currency.Currency
})

const RateChange = Schema.Literals(["Created", "Updated", "Deleted", "Deactivated"])
export const RateCardChanged = Schema.TaggedStruct("RateCardChanged", { rateCardId: Id, change: RateChange })
export const SurchargeChanged = Schema.TaggedStruct("SurchargeChanged", { surchargeId: Id, change: RateChange })
export const QuoteCreated = Schema.TaggedStruct("QuoteCreated", {
  quoteId: Id,
  quoteNumber: Schema.String,
  accountId: Id,
  customerId: Id,
  totalMinor: Amount,
  currency: Currency.Currency,
  expiresAt: Schema.Number
})
export const QuoteSent = Schema.TaggedStruct("QuoteSent", { quoteId: Id, customerId: Id, expiresAt: Schema.Number })
/** The quote became an invoice; `paidUpfront` when it was paid at once (processes create the shipment, X-10). */
export const QuoteAccepted = Schema.TaggedStruct("QuoteAccepted", {
  quoteId: Id,
  accountId: Id,
  customerId: Id,
  invoiceId: Id,
  paidUpfront: Schema.Boolean,
  totalMinor: Amount,
  currency: Currency.Currency
})
export const QuoteExpired = Schema.TaggedStruct("QuoteExpired", {
  quoteId: Id,
  customerId: Id,
  expiresAt: Schema.Number
})
export const DisputeOpened = Schema.TaggedStruct("DisputeOpened", {
  disputeId: Id,
  invoiceId: Id,
  lineIndex: Schema.Number,
  amountMinor: Amount,
  currency: Currency.Currency
})
export const DisputeResolved = Schema.TaggedStruct("DisputeResolved", {
  disputeId: Id,
  invoiceId: Id,
  status: Schema.Literals(["Approved", "Rejected"]),
  approvedMinor: Amount,
  creditNoteId: Schema.NullOr(Id)
})
export const DocumentCreated = Schema.TaggedStruct("DocumentCreated", {
  documentId: Id,
  kind: Schema.String,
  sourceId: Id,
  documentNumber: Schema.String,
  version: Schema.Number
})
const SyncEntity = Schema.Literals(["Invoice", "Payment"])
/** an invoice or payment waits for the accounting system; the sync handler consumes this. */
export const AccountingSyncRequested = Schema.TaggedStruct("AccountingSyncRequested", {
  syncId: Id,
  entityType: SyncEntity,
  entityId: Id
})
export const AccountingSynced = Schema.TaggedStruct("AccountingSynced", {
  syncId: Id,
  entityType: SyncEntity,
  entityId: Id,
  externalId: Schema.String,
  attempts: Schema.Number
})
export const AccountingSyncGaveUp = Schema.TaggedStruct("AccountingSyncGaveUp", {
  syncId: Id,
  entityType: SyncEntity,
  entityId: Id,
  attempts: Schema.Number,
  lastError: Schema.String
})
export const RecurringInvoiceIssued = Schema.TaggedStruct("RecurringInvoiceIssued", {
  billingRunId: Id,
  accountId: Id,
  period: Schema.String,
  invoiceId: Id,
  totalMinor: Amount
})
export const BillingRunFailed = Schema.TaggedStruct("BillingRunFailed", {
  billingRunId: Id,
  accountId: Id,
  period: Schema.String,
  error: Schema.String
})

export const BillingEvent = Schema.Union([
  AccountOpened,
  CreditTermsChanged,
  CreditReserved,
  CreditHoldResolved,
  WalletToppedUp,
  InvoiceCreated,
  InvoiceIssued,
  InvoiceViewed,
  InvoicePaid,
  InvoiceOverdue,
  InvoiceReminderDue,
  InvoiceVoided,
  InvoiceDeleted,
  PaymentRecorded,
  PaymentStatusChanged,
  CreditNoteIssued,
  RateCardChanged,
  SurchargeChanged,
  QuoteCreated,
  QuoteSent,
  QuoteAccepted,
  QuoteExpired,
  DisputeOpened,
  DisputeResolved,
  DocumentCreated,
  AccountingSyncRequested,
  AccountingSynced,
  AccountingSyncGaveUp,
  RecurringInvoiceIssued,
  BillingRunFailed
])
export type BillingEvent = typeof BillingEvent.Type

/** The aggregate each event belongs to: its type name and the payload field holding its id. */
const aggregates: { readonly [T in BillingEvent["_tag"]]: readonly [string, string] } = {
  AccountOpened: ["ClientAccount", "accountId"],
  CreditTermsChanged: ["ClientAccount", "accountId"],
  WalletToppedUp: ["ClientAccount", "accountId"],
  CreditReserved: ["CreditHold", "holdId"],
  CreditHoldResolved: ["CreditHold", "holdId"],
  InvoiceCreated: ["Invoice", "invoiceId"],
  InvoiceIssued: ["Invoice", "invoiceId"],
  InvoiceViewed: ["Invoice", "invoiceId"],
  InvoicePaid: ["Invoice", "invoiceId"],
  InvoiceOverdue: ["Invoice", "invoiceId"],
  InvoiceReminderDue: ["Invoice", "invoiceId"],
  InvoiceVoided: ["Invoice", "invoiceId"],
  InvoiceDeleted: ["Invoice", "invoiceId"],
  PaymentRecorded: ["Payment", "paymentId"],
  PaymentStatusChanged: ["Payment", "paymentId"],
  CreditNoteIssued: ["CreditNote", "creditNoteId"],
  RateCardChanged: ["RateCard", "rateCardId"],
  SurchargeChanged: ["Surcharge", "surchargeId"],
  QuoteCreated: ["Quote", "quoteId"],
  QuoteSent: ["Quote", "quoteId"],
  QuoteAccepted: ["Quote", "quoteId"],
  QuoteExpired: ["Quote", "quoteId"],
  DisputeOpened: ["Dispute", "disputeId"],
  DisputeResolved: ["Dispute", "disputeId"],
  DocumentCreated: ["Document", "documentId"],
  AccountingSyncRequested: ["AccountingSync", "syncId"],
  AccountingSynced: ["AccountingSync", "syncId"],
  AccountingSyncGaveUp: ["AccountingSync", "syncId"],
  RecurringInvoiceIssued: ["BillingRun", "billingRunId"],
  BillingRunFailed: ["BillingRun", "billingRunId"]
}

// Checks off: events are built from entities, checked when constructed (see `audit` in internal/command.ts).
const encode = Schema.encodeSync(Schema.toCodecJson(BillingEvent), { disableChecks: true })

/** The outbox draft of `event`: type `billing.<Tag>`, its aggregate, the JSON payload. */
export const draft = (event: BillingEvent): DomainEvent.EventDraft => {
  const [aggregateType, idField] = aggregates[event._tag]
  return {
    type: `billing.${event._tag}`,
    aggregateType,
    aggregateId: (event as unknown as Record<string, string>)[idField]!,
    payload: encode(event) as Schema.Json
  }
}

/** Decodes an outbox payload of a `billing.*` event (for handlers). */
export const decodePayload = Schema.decodeUnknownEffect(Schema.toCodecJson(BillingEvent))

export const paymentRecorded = (p: Payment): DomainEvent.EventDraft =>
  draft({
    _tag: "PaymentRecorded",
    paymentId: p.id,
    invoiceId: p.invoiceId,
    accountId: p.accountId,
    status: p.status,
    method: p.method,
    amountMinor: p.amountMinor,
    currency: p.currency,
    baseAmountMinor: p.baseAmountMinor,
    baseCurrency: p.baseCurrency
  })

/** `InvoicePaid` when `after` settled an invoice that `before` had not. */
export const paidIfSettled = (before: Invoice, after: Invoice): ReadonlyArray<DomainEvent.EventDraft> =>
  before.status !== "Paid" && after.status === "Paid"
    ? [
      draft({
        _tag: "InvoicePaid",
        invoiceId: after.id,
        accountId: after.accountId,
        customerId: after.customerId,
        amountPaidMinor: after.amountPaidMinor,
        amountCreditedMinor: after.amountCreditedMinor
      })
    ]
    : []
