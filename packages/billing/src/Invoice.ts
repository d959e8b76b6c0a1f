/**
 * The invoice aggregate: lines with exact totals, deposits, the status machine and its pure
 * transitions, the predicates the jobs use, and the invariants tests check after every transition.
 *
 * Status (BIL-INV-01/02): Draft → Sent → Paid | Overdue | Void, Overdue → Paid | Void, plus
 * Draft → Paid (issued from an upfront payment, BIL-INV-03) and Draft → Void (cancelling a draft).
 * Paid means settled: nothing outstanding (by payments, or by payments and credit notes).
 * "Viewed" and "partially paid" are facts (`viewedAt`, `0 < amountPaid < total`), not states.
 *
 *   amountOutstanding = total − paid − credited     (what payments and credit notes may still cover)
 *   balanceDue        = total − paid                (BIL-INV-10, the seed-003 column)
 */
import {
  Currency,
  Errors,
  Ids,
  Invariants,
  LocalDate,
  Money,
  Quantity,
  type Rate,
  Rounding,
  StateMachine,
  Tenant,
  TenantDefaults
} from "@erpkit/kernel"
import { Result, Schema } from "effect"
import {
  AmountOutOfRange,
  CreditNoteExceedsOutstanding,
  DueDateBeforeIssueDate,
  InvoiceNotDraft,
  InvoiceNotPayable,
  InvoiceNotSent,
  PaymentExceedsOutstanding
} from "./BillingError.ts"
import type { ClientAccount } from "./ClientAccount.ts"
import { ClientAccountId, CreditHoldId, InvoiceId } from "./Ids.ts"
import { assertMutable, move } from "./internal/machine.ts"
import type { InvoiceEventDraft, InvoiceEventType } from "./InvoiceEvent.ts"
import { FractionRate, Instant, NonNegativeAmountInput, PositiveQuantity, Text } from "./Values.ts"

export const InvoiceStatus = Schema.Literals(["Draft", "Sent", "Paid", "Overdue", "Void"])
export type InvoiceStatus = typeof InvoiceStatus.Type

export const machine = StateMachine.make<InvoiceStatus>({
  name: "Invoice",
  states: ["Draft", "Sent", "Paid", "Overdue", "Void"],
  initial: [{ state: "Draft", label: "createInvoice" }],
  terminal: ["Paid", "Void"],
  transitions: [
    { from: "Draft", to: "Sent", label: "issueInvoice" },
    { from: "Draft", to: "Paid", label: "issuePaidInvoice (upfront payment)" },
    { from: "Draft", to: "Void", label: "voidInvoice (cancel draft)" },
    { from: "Sent", to: "Paid", label: "payment / credit note settles" },
    { from: "Sent", to: "Overdue", label: "markOverdueInvoices job" },
    { from: "Sent", to: "Void", label: "voidInvoice" },
    { from: "Overdue", to: "Paid", label: "payment / credit note settles" },
    { from: "Overdue", to: "Void", label: "voidInvoice" }
  ]
})

/** erpkit's standard VAT rate (kernel `TenantDefaults.standard`); commands use the tenant's (`TenantDefaults`). */
export const defaultTaxRate: Rate.Rate = TenantDefaults.standard.taxRate

export const ReminderKind = Schema.Literals(["reminder_7day", "reminder_due", "reminder_overdue"])
export type ReminderKind = typeof ReminderKind.Type

export const Discount = Schema.Union([
  Schema.TaggedStruct("Amount", { amountMinor: Money.NonNegativeMinorUnits }),
  Schema.TaggedStruct("Percent", { rate: FractionRate })
])
export type Discount = typeof Discount.Type

/** A line as a command receives it; quantity is a decimal string ("2.5"), rates "12%" or "0.12". */
export const LineInput = Schema.Struct({
  description: Text(2000),
  quantity: PositiveQuantity,
  unit: Schema.optionalKey(Text(20)),
  productId: Schema.optionalKey(Ids.ProductId),
  unitPriceMinor: NonNegativeAmountInput,
  /** An amount in the price's basis (VAT included when `priceIncludesVat`) or a percentage of the line. */
  discount: Schema.optionalKey(
    Schema.Union([
      Schema.TaggedStruct("Amount", { amountMinor: NonNegativeAmountInput }),
      Schema.TaggedStruct("Percent", { rate: FractionRate })
    ])
  ),
  /** Default 12 %. */
  taxRate: Schema.optionalKey(FractionRate),
  /** The unit price already includes VAT (tax is extracted, not added). Default false. */
  priceIncludesVat: Schema.optionalKey(Schema.Boolean)
})
export type LineInput = typeof LineInput.Type

export class InvoiceLine extends Schema.Class<InvoiceLine>("InvoiceLine")({
  description: Schema.String,
  unit: Schema.String,
  productId: Schema.NullOr(Ids.ProductId),
  quantity: PositiveQuantity,
  unitPriceMinor: Money.NonNegativeMinorUnits,
  discount: Schema.NullOr(Discount),
  taxRate: FractionRate,
  priceIncludesVat: Schema.Boolean,
  /** Net of VAT: unit price × quantity (for VAT-inclusive prices, the balancing net figure). */
  amountMinor: Money.NonNegativeMinorUnits,
  discountMinor: Money.NonNegativeMinorUnits,
  taxMinor: Money.NonNegativeMinorUnits,
  /** amount − discount + tax, exactly. */
  totalMinor: Money.NonNegativeMinorUnits
}) {}

const halfUp = (numerator: bigint, denominator: bigint) => Rounding.divide(numerator, denominator, "HalfUp")

const inRange = (field: string, amountMinor: bigint): Result.Result<bigint, AmountOutOfRange> =>
  amountMinor <= Money.maxMinor
    ? Result.succeed(amountMinor)
    : Result.fail(new AmountOutOfRange({ field, amountMinor }))

/**
 * BIL-INV-12, one line, every rounding half-up to a whole minor unit:
 *   gross     = unit price × quantity
 *   discount  = the amount, or gross × percent
 *   VAT added (price excludes VAT):  tax = (gross − discount) × rate;  amount = gross
 *   VAT included:                    tax = (gross − discount) × rate / (1 + rate);
 *                                    discount (net) = discount / (1 + rate);
 *                                    amount (net) = gross − discount − tax + discount (net)
 *   total = amount − discount + tax   (for VAT-included prices: gross − discount, what the client pays)
 */
export const computeLine = (
  line: LineInput,
  path: string,
  defaultRate: Rate.Rate = defaultTaxRate
): Result.Result<InvoiceLine, AmountOutOfRange | Errors.ValidationError> =>
  Result.gen(function*() {
    const rate = line.taxRate ?? defaultRate
    const gross = yield* inRange(`${path}.amountMinor`, halfUp(line.unitPriceMinor * line.quantity, Quantity.scale))
    const discount = line.discount ?? null
    const grossDiscount = discount === null
      ? 0n
      : discount._tag === "Amount"
      ? discount.amountMinor
      : halfUp(gross * discount.rate.numerator, discount.rate.denominator)
    if (grossDiscount > gross) {
      return yield* Result.fail(
        Errors.ValidationError.at([...path.split("."), "discount"], "discount exceeds the line amount")
      )
    }
    const base = gross - grossDiscount
    const includes = line.priceIncludesVat ?? false
    const tax = includes
      ? halfUp(base * rate.numerator, rate.denominator + rate.numerator)
      : halfUp(base * rate.numerator, rate.denominator)
    const discountMinor = includes
      ? halfUp(grossDiscount * rate.denominator, rate.denominator + rate.numerator)
      : grossDiscount
    const amountMinor = includes ? base - tax + discountMinor : gross
    const totalMinor = yield* inRange(`${path}.totalMinor`, amountMinor - discountMinor + tax)
    return new InvoiceLine({
      description: line.description,
      unit: line.unit ?? "pcs",
      productId: line.productId ?? null,
      quantity: line.quantity,
      unitPriceMinor: line.unitPriceMinor,
      discount,
      taxRate: rate,
      priceIncludesVat: includes,
      amountMinor,
      discountMinor,
      taxMinor: tax,
      totalMinor
    })
  })

export class Invoice extends Schema.Class<Invoice>("Invoice")({
  id: InvoiceId,
  tenant: Tenant.Tenant,
  accountId: ClientAccountId,
  customerId: Ids.CustomerId,
  /** Unique per tenant among live invoices (BIL-INV-10), e.g. "INV-2026-001". */
  invoiceNumber: Schema.String,
  status: InvoiceStatus,
  currency: Currency.Currency,
  issueDate: LocalDate.LocalDate,
  dueDate: LocalDate.LocalDate,
  lines: Schema.Array(InvoiceLine),
  /** Σ line amounts (net). */
  subtotalMinor: Money.NonNegativeMinorUnits,
  /** Σ line discounts (net). */
  discountMinor: Money.NonNegativeMinorUnits,
  /** Σ line taxes. */
  taxMinor: Money.NonNegativeMinorUnits,
  /** subtotal + tax − discount = Σ line totals. */
  totalMinor: Money.NonNegativeMinorUnits,
  amountPaidMinor: Money.NonNegativeMinorUnits,
  amountCreditedMinor: Money.NonNegativeMinorUnits,
  /** BIL-INV-11: null when no deposit is required. */
  depositAmountMinor: Schema.NullOr(Money.NonNegativeMinorUnits),
  /** BIL-INV-11: set when payments first reach the deposit (deposit_paid ⇔ depositPaidAt ≠ null). */
  depositPaidAt: Schema.NullOr(Instant),
  /** The credit hold consumed when the invoice was issued. */
  creditHoldId: Schema.NullOr(CreditHoldId),
  /** Reminders already sent (BIL-INV-14: each at most once). */
  remindersSent: Schema.Array(ReminderKind),
  notes: Schema.NullOr(Schema.String),
  voidReason: Schema.NullOr(Schema.String),
  createdAt: Instant,
  updatedAt: Instant,
  sentAt: Schema.NullOr(Instant),
  viewedAt: Schema.NullOr(Instant),
  paidAt: Schema.NullOr(Instant),
  voidedAt: Schema.NullOr(Instant),
  /** Soft delete (drafts only): hidden from reads, its number free again. */
  deletedAt: Schema.NullOr(Instant)
}) {
  get amountOutstandingMinor(): bigint {
    return amountOutstanding(this)
  }
  get balanceDueMinor(): bigint {
    return balanceDue(this)
  }
  get depositRequired(): boolean {
    return this.depositAmountMinor !== null
  }
  get depositPaid(): boolean {
    return this.depositPaidAt !== null
  }
  get isPartiallyPaid(): boolean {
    return this.amountPaidMinor > 0n && this.amountPaidMinor < this.totalMinor
  }
}

export const amountOutstanding = (i: Invoice): bigint => i.totalMinor - i.amountPaidMinor - i.amountCreditedMinor
export const balanceDue = (i: Invoice): bigint => i.totalMinor - i.amountPaidMinor

type StateError = Errors.Immutable | Errors.InvalidTransition

/** A transition's result: the next invoice and the entries it adds to the invoice event log. */
export interface Transitioned {
  readonly invoice: Invoice
  readonly events: ReadonlyArray<InvoiceEventDraft>
}

const event = (invoice: Invoice, type: InvoiceEventType, data: Schema.Json = {}): InvoiceEventDraft => ({
  invoiceId: invoice.id,
  type,
  data
})

const with_ = (invoice: Invoice, patch: Partial<Invoice>, now: number): Invoice =>
  new Invoice({ ...invoice, ...patch, updatedAt: now })

export interface DraftProps {
  readonly id: InvoiceId
  readonly account: ClientAccount
  readonly invoiceNumber: string
  readonly issueDate: LocalDate.LocalDate
  readonly dueDate: LocalDate.LocalDate
  readonly items: ReadonlyArray<LineInput>
  readonly depositAmountMinor: bigint | null
  readonly notes: string | null
  /** The VAT rate of items that name none: the tenant's (`TenantDefaults.taxRate`). */
  readonly defaultTaxRate: Rate.Rate
  readonly now: number
}

/** A new Draft in the account's currency, with its lines and totals computed (BIL-INV-04, -11, -12). */
export const create = (
  p: DraftProps
): Result.Result<Transitioned, DueDateBeforeIssueDate | AmountOutOfRange | Errors.ValidationError> =>
  Result.gen(function*() {
    if (p.dueDate < p.issueDate) {
      return yield* Result.fail(new DueDateBeforeIssueDate({ issueDate: p.issueDate, dueDate: p.dueDate }))
    }
    const lines: Array<InvoiceLine> = []
    for (const [index, item] of p.items.entries()) {
      lines.push(yield* computeLine(item, `items.${index}`, p.defaultTaxRate))
    }
    const sum = (f: (l: InvoiceLine) => bigint) => lines.reduce((s, l) => s + f(l), 0n)
    const totalMinor = yield* inRange("totalMinor", sum((l) => l.totalMinor))
    if (totalMinor === 0n) {
      return yield* Result.fail(Errors.ValidationError.at(["items"], "the invoice total must be positive"))
    }
    if (p.depositAmountMinor !== null && p.depositAmountMinor > totalMinor) {
      return yield* Result.fail(
        Errors.ValidationError.at(["depositAmountMinor"], "the deposit exceeds the invoice total")
      )
    }
    const invoice = new Invoice({
      id: p.id,
      tenant: p.account.tenant,
      accountId: p.account.id,
      customerId: p.account.customerId,
      invoiceNumber: p.invoiceNumber,
      status: "Draft",
      currency: p.account.currency,
      issueDate: p.issueDate,
      dueDate: p.dueDate,
      lines,
      subtotalMinor: yield* inRange("subtotalMinor", sum((l) => l.amountMinor)),
      discountMinor: sum((l) => l.discountMinor),
      taxMinor: sum((l) => l.taxMinor),
      totalMinor,
      amountPaidMinor: 0n,
      amountCreditedMinor: 0n,
      depositAmountMinor: p.depositAmountMinor,
      depositPaidAt: null,
      creditHoldId: null,
      remindersSent: [],
      notes: p.notes,
      voidReason: null,
      createdAt: p.now,
      updatedAt: p.now,
      sentAt: null,
      viewedAt: null,
      paidAt: null,
      voidedAt: null,
      deletedAt: null
    })
    return {
      invoice,
      events: [event(invoice, "created", { totalMinor: String(totalMinor), currency: invoice.currency })]
    }
  })

/** `Draft → to` only: a Sent invoice must not be issued again (Sent → Paid is an edge, but not this one). */
const fromDraft = (invoice: Invoice, to: InvoiceStatus): Result.Result<InvoiceStatus, StateError> =>
  Result.flatMap(
    move(machine, invoice.id, invoice.status, to),
    (status) =>
      invoice.status === "Draft"
        ? Result.succeed(status)
        : Result.fail(new Errors.InvalidTransition({ machine: machine.name, from: invoice.status, to }))
  )

/** Draft → Sent: the caller posts the ledger debit and passes the credit check (or consumes a hold). */
export const issue = (
  invoice: Invoice,
  creditHoldId: CreditHoldId | null,
  now: number
): Result.Result<Transitioned, StateError> =>
  Result.map(fromDraft(invoice, "Sent"), (status): Transitioned => {
    const next = with_(invoice, { status, sentAt: now, creditHoldId }, now)
    return { invoice: next, events: [event(next, "sent", { totalMinor: String(invoice.totalMinor) })] }
  })

/** BIL-PAY-02 / BIL-CN-03: only Sent and Overdue invoices take payments and credit notes. */
export const assertPayable = (invoice: Invoice): Result.Result<void, InvoiceNotPayable> =>
  invoice.status === "Sent" || invoice.status === "Overdue"
    ? Result.succeed(undefined)
    : Result.fail(new InvoiceNotPayable({ invoiceId: invoice.id, status: invoice.status }))

const settleIfCovered = (invoice: Invoice, now: number): Invoice =>
  amountOutstanding(invoice) === 0n
    ? with_(invoice, { status: Result.getOrThrow(move(machine, invoice.id, invoice.status, "Paid")), paidAt: now }, now)
    : invoice

const depositEvents = (before: Invoice, after: Invoice): ReadonlyArray<InvoiceEventDraft> =>
  before.depositPaidAt === null && after.depositPaidAt !== null
    ? [event(after, "deposit_received", { depositAmountMinor: String(after.depositAmountMinor) })]
    : []

const withPaid = (invoice: Invoice, amountPaidMinor: bigint, now: number): Invoice => {
  const depositNowPaid = invoice.depositAmountMinor !== null && invoice.depositPaidAt === null &&
    amountPaidMinor >= invoice.depositAmountMinor
  return with_(invoice, { amountPaidMinor, depositPaidAt: depositNowPaid ? now : invoice.depositPaidAt }, now)
}

/**
 * A completed payment of `baseAmountMinor` (invoice currency): BIL-PAY-02/03, BIL-INV-05/06. Settles
 * (→ Paid) when nothing stays outstanding; logs payment_received (settled) or payment_partial, and
 * deposit_received when payments first reach the deposit.
 */
export const applyPayment = (
  invoice: Invoice,
  baseAmountMinor: bigint,
  data: Schema.JsonObject,
  now: number
): Result.Result<Transitioned, InvoiceNotPayable | PaymentExceedsOutstanding> =>
  Result.gen(function*() {
    yield* assertPayable(invoice)
    const outstanding = amountOutstanding(invoice)
    if (baseAmountMinor > outstanding) {
      return yield* Result.fail(
        new PaymentExceedsOutstanding({ invoiceId: invoice.id, outstandingMinor: outstanding, baseAmountMinor })
      )
    }
    const next = settleIfCovered(withPaid(invoice, invoice.amountPaidMinor + baseAmountMinor, now), now)
    const kind = next.status === "Paid" ? "payment_received" : "payment_partial"
    return { invoice: next, events: [event(next, kind, data), ...depositEvents(invoice, next)] }
  })

/** BIL-CN-02/03, BIL-INV-08: a credit note lowers the amount outstanding; settles when it reaches zero. */
export const applyCredit = (
  invoice: Invoice,
  amountMinor: bigint,
  now: number
): Result.Result<Transitioned, InvoiceNotPayable | CreditNoteExceedsOutstanding> =>
  Result.gen(function*() {
    yield* assertPayable(invoice)
    const outstanding = amountOutstanding(invoice)
    if (amountMinor > outstanding) {
      return yield* Result.fail(
        new CreditNoteExceedsOutstanding({ invoiceId: invoice.id, outstandingMinor: outstanding, amountMinor })
      )
    }
    const next = settleIfCovered(
      with_(invoice, { amountCreditedMinor: invoice.amountCreditedMinor + amountMinor }, now),
      now
    )
    return { invoice: next, events: [] }
  })

/** BIL-INV-03: Draft → Paid, issued against an upfront payment of exactly the total. */
export const issuePaid = (
  invoice: Invoice,
  data: Schema.JsonObject,
  now: number
): Result.Result<Transitioned, StateError> =>
  Result.map(fromDraft(invoice, "Paid"), (status): Transitioned => {
    const next = with_(withPaid(invoice, invoice.totalMinor, now), { status, sentAt: now, paidAt: now }, now)
    return {
      invoice: next,
      events: [
        event(next, "sent", { totalMinor: String(invoice.totalMinor) }),
        event(next, "payment_received", data),
        ...depositEvents(invoice, next)
      ]
    }
  })

/** The customer opened the invoice: `viewedAt` keeps the first view, the log gets every view. */
export const markViewed = (
  invoice: Invoice,
  now: number
): Result.Result<Transitioned, Errors.Immutable | InvoiceNotSent> =>
  Result.gen(function*() {
    yield* assertMutable(machine, invoice.id, invoice.status)
    if (invoice.status === "Draft") {
      return yield* Result.fail(new InvoiceNotSent({ invoiceId: invoice.id, status: invoice.status }))
    }
    const next = with_(invoice, { viewedAt: invoice.viewedAt ?? now }, now)
    return { invoice: next, events: [event(next, "viewed")] }
  })

/** BIL-INV-07, the job's predicate: a Sent invoice whose due date is before `today` (tenant's zone). */
export const isOverdue = (invoice: Invoice, today: LocalDate.LocalDate): boolean =>
  invoice.deletedAt === null && invoice.status === "Sent" && invoice.dueDate < today

export const markOverdue = (invoice: Invoice, now: number): Result.Result<Transitioned, StateError> =>
  Result.map(move(machine, invoice.id, invoice.status, "Overdue"), (status): Transitioned => {
    const next = with_(invoice, { status }, now)
    return { invoice: next, events: [event(next, "marked_overdue", { dueDate: invoice.dueDate })] }
  })

/**
 * BIL-INV-14, the job's predicate: which reminder (if any) is due for `invoice` on `today`.
 *   reminder_7day     Sent, due date within the next 7 days, and the invoice was issued at least 7 days before due
 *   reminder_due      Sent, due today
 *   reminder_overdue  Sent or Overdue, due date passed
 * Each at most once per invoice (`remindersSent`); a day the job missed is caught up on its next run.
 */
export const reminderDue = (invoice: Invoice, today: LocalDate.LocalDate): ReminderKind | undefined => {
  if (invoice.deletedAt !== null) return undefined
  const pending = (kind: ReminderKind) => (invoice.remindersSent.includes(kind) ? undefined : kind)
  const weekBefore = LocalDate.addDays(invoice.dueDate, -7)
  if (invoice.status === "Sent" && today < invoice.dueDate) {
    return weekBefore <= today && invoice.issueDate <= weekBefore ? pending("reminder_7day") : undefined
  }
  if (invoice.status === "Sent" && today === invoice.dueDate) return pending("reminder_due")
  if ((invoice.status === "Sent" || invoice.status === "Overdue") && today > invoice.dueDate) {
    return pending("reminder_overdue")
  }
  return undefined
}

export const recordReminder = (invoice: Invoice, kind: ReminderKind, now: number): Transitioned => {
  const next = with_(invoice, { remindersSent: [...invoice.remindersSent, kind] }, now)
  return {
    invoice: next,
    events: [
      event(next, kind, { dueDate: invoice.dueDate, amountOutstandingMinor: String(amountOutstanding(invoice)) })
    ]
  }
}

/**
 * → Void (BIL-INV-09 is the command's permission). `reversalMinor` is what the ledger must credit: the
 * amount outstanding of an issued invoice (a draft posted nothing). Payments received stay recorded.
 */
export const void_ = (
  invoice: Invoice,
  reason: string,
  now: number
): Result.Result<Transitioned & { readonly reversalMinor: bigint }, StateError> =>
  Result.map(move(machine, invoice.id, invoice.status, "Void"), (status) => {
    const reversalMinor = invoice.status === "Draft" ? 0n : amountOutstanding(invoice)
    const next = with_(invoice, { status, voidReason: reason, voidedAt: now }, now)
    return {
      invoice: next,
      events: [event(next, "cancelled", { reason, reversedMinor: String(reversalMinor) })],
      reversalMinor
    }
  })

/** Soft delete: drafts only (an issued invoice is voided instead); frees the invoice number. */
export const softDelete = (invoice: Invoice, now: number): Result.Result<Invoice, Errors.Immutable | InvoiceNotDraft> =>
  Result.flatMap(
    assertMutable(machine, invoice.id, invoice.status),
    () =>
      invoice.status === "Draft"
        ? Result.succeed(with_(invoice, { deletedAt: now }, now))
        : Result.fail(new InvoiceNotDraft({ invoiceId: invoice.id, status: invoice.status }))
  )

/** Named invariants, checked after every transition in tests; a broken one is a defect. */
export const invariants: ReadonlyArray<Invariants.Invariant<Invoice>> = [
  ["BIL-INV-04 due date on or after issue date", (i) => i.dueDate >= i.issueDate],
  ["BIL-INV-05 amount paid never exceeds total", (i) => i.amountPaidMinor <= i.totalMinor],
  ["paid + credited never exceeds total", (i) => amountOutstanding(i) >= 0n],
  [
    "BIL-INV-12 total = subtotal + tax − discount",
    (i) => i.totalMinor === i.subtotalMinor + i.taxMinor - i.discountMinor
  ],
  [
    "BIL-INV-12 totals are the sums of the lines",
    (i) =>
      i.totalMinor === i.lines.reduce((s, l) => s + l.totalMinor, 0n) &&
      i.lines.every((l) => l.totalMinor === l.amountMinor - l.discountMinor + l.taxMinor)
  ],
  [
    "BIL-INV-11 deposit paid implies deposit required",
    (i) => i.depositPaidAt === null || i.depositAmountMinor !== null
  ],
  ["Paid means nothing outstanding", (i) => i.status !== "Paid" || amountOutstanding(i) === 0n],
  [
    "Sent and Overdue owe something",
    (i) => (i.status !== "Sent" && i.status !== "Overdue") || amountOutstanding(i) > 0n
  ],
  [
    "a Draft has no payments or credits",
    (i) => i.status !== "Draft" || (i.amountPaidMinor === 0n && i.amountCreditedMinor === 0n)
  ]
]

export const brokenInvariants = (i: Invoice): ReadonlyArray<string> => Invariants.broken(invariants, i)
