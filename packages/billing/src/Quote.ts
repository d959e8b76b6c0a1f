/**
 * Quotes (BIL-QUO-01, BIL-QUO-02): priced offers to a client account. Every line is a service request
 * priced by the engine when the quote is created; the quote keeps that price as a snapshot (the rate
 * cards may change afterwards, the quote does not). Each line becomes one invoice line on acceptance:
 * quantity 1, unit price = the line's price, VAT on top (12 % unless the line says otherwise), computed
 * by the very function invoices use (`Invoice.computeLine`), so the invoice total equals the quote's.
 *
 *   Draft → Sent → Accepted      acceptQuote (creates the invoice: Sent on credit, or Paid upfront)
 *   Draft | Sent → Expired       expireQuotes job, once `expiresAt` has passed
 *
 * Accepted and Expired are terminal: every change is `Immutable`. A quote past its `expiresAt` that the
 * job has not swept yet can no longer be sent or accepted (`QuoteExpired`).
 */
import { Currency, Errors, Ids, Invariants, Money, Quantity, type Rate, StateMachine, Tenant } from "@erpkit/kernel"
import { Result, Schema } from "effect"
import { type AmountOutOfRange, QuoteExpired, QuoteExpiryNotInFuture } from "./BillingError.ts"
import type { ClientAccount } from "./ClientAccount.ts"
import { ClientAccountId, InvoiceId, QuoteId } from "./Ids.ts"
import { move } from "./internal/machine.ts"
import * as Invoice from "./Invoice.ts"
import * as Pricing from "./Pricing.ts"
import { FractionRate, Instant, Text } from "./Values.ts"

export const QuoteStatus = Schema.Literals(["Draft", "Sent", "Accepted", "Expired"])
export type QuoteStatus = typeof QuoteStatus.Type

export const machine = StateMachine.make<QuoteStatus>({
  name: "Quote",
  states: ["Draft", "Sent", "Accepted", "Expired"],
  initial: [{ state: "Draft", label: "createQuote (lines priced)" }],
  terminal: ["Accepted", "Expired"],
  transitions: [
    { from: "Draft", to: "Sent", label: "sendQuote" },
    { from: "Draft", to: "Expired", label: "expireQuotes job" },
    { from: "Sent", to: "Accepted", label: "acceptQuote (creates the invoice)" },
    { from: "Sent", to: "Expired", label: "expireQuotes job" }
  ]
})

export const QuoteLineInput = Schema.Struct({
  /** Default: what was priced, e.g. "Express Almaty: 12.5 kg, 300 km". */
  description: Schema.optionalKey(Text(2000)),
  request: Pricing.ServiceRequest,
  /** VAT added on acceptance; default 12 %. */
  taxRate: Schema.optionalKey(FractionRate)
})
export type QuoteLineInput = typeof QuoteLineInput.Type

export const QuoteLine = Schema.Struct({
  request: Pricing.ServiceRequest,
  /** The engine's price and breakdown when the quote was created: the snapshot. */
  price: Pricing.Price,
  /** The invoice line this quote line becomes (net = price, tax on top). */
  line: Invoice.InvoiceLine
})
export type QuoteLine = typeof QuoteLine.Type

export class Quote extends Schema.Class<Quote>("Quote")({
  id: QuoteId,
  tenant: Tenant.Tenant,
  accountId: ClientAccountId,
  customerId: Ids.CustomerId,
  /** Unique per tenant. */
  quoteNumber: Schema.String,
  status: QuoteStatus,
  currency: Currency.Currency,
  lines: Schema.Array(QuoteLine),
  subtotalMinor: Money.NonNegativeMinorUnits,
  taxMinor: Money.NonNegativeMinorUnits,
  /** Σ line totals = subtotal + tax; the accepted invoice's total. */
  totalMinor: Money.NonNegativeMinorUnits,
  /** UTC epoch ms; from then on the quote counts as expired. */
  expiresAt: Instant,
  notes: Schema.NullOr(Schema.String),
  /** The invoice created on acceptance. */
  invoiceId: Schema.NullOr(InvoiceId),
  /** Accepted with an upfront payment (the invoice entered Paid directly, BIL-INV-03). */
  paidUpfront: Schema.Boolean,
  createdAt: Instant,
  updatedAt: Instant,
  sentAt: Schema.NullOr(Instant),
  acceptedAt: Schema.NullOr(Instant),
  expiredAt: Schema.NullOr(Instant)
}) {}

/** The invoice line input a priced quote line stands for (quantity 1 at the price, VAT on top). */
export const lineInput = (description: string, price: Pricing.Price, taxRate: Rate.Rate): Invoice.LineInput => ({
  description,
  quantity: Quantity.fromUnits(1),
  unit: "service",
  unitPriceMinor: price.totalMinor,
  taxRate,
  priceIncludesVat: false
})

export interface CreateProps {
  readonly id: QuoteId
  readonly account: ClientAccount
  readonly quoteNumber: string
  /** Each input line with the price the engine gave it. */
  readonly priced: ReadonlyArray<{ readonly input: QuoteLineInput; readonly price: Pricing.Price }>
  readonly expiresAt: number
  readonly notes: string | null
  /** The VAT rate of lines that name none: the tenant's (`TenantDefaults.taxRate`). */
  readonly defaultTaxRate: Rate.Rate
  readonly now: number
}

export const create = (
  p: CreateProps
): Result.Result<Quote, QuoteExpiryNotInFuture | AmountOutOfRange | Errors.ValidationError> =>
  Result.gen(function*() {
    if (p.expiresAt <= p.now) {
      return yield* Result.fail(new QuoteExpiryNotInFuture({ expiresAt: p.expiresAt, now: p.now }))
    }
    const lines: Array<QuoteLine> = []
    for (const [index, { input, price }] of p.priced.entries()) {
      const description = input.description ?? Pricing.describe(input.request)
      const line = yield* Invoice.computeLine(
        lineInput(description, price, input.taxRate ?? p.defaultTaxRate),
        `lines.${index}`
      )
      lines.push({ request: input.request, price, line })
    }
    const sum = (f: (l: Invoice.InvoiceLine) => bigint) => lines.reduce((s, l) => s + f(l.line), 0n)
    const totalMinor = sum((l) => l.totalMinor)
    if (totalMinor === 0n) {
      return yield* Result.fail(Errors.ValidationError.at(["lines"], "the quote total must be positive"))
    }
    if (totalMinor > Money.maxMinor) {
      return yield* Result.fail(Errors.ValidationError.at(["lines"], "the quote total is out of range"))
    }
    return new Quote({
      id: p.id,
      tenant: p.account.tenant,
      accountId: p.account.id,
      customerId: p.account.customerId,
      quoteNumber: p.quoteNumber,
      status: "Draft",
      currency: p.account.currency,
      lines,
      subtotalMinor: sum((l) => l.amountMinor - l.discountMinor),
      taxMinor: sum((l) => l.taxMinor),
      totalMinor,
      expiresAt: p.expiresAt,
      notes: p.notes,
      invoiceId: null,
      paidUpfront: false,
      createdAt: p.now,
      updatedAt: p.now,
      sentAt: null,
      acceptedAt: null,
      expiredAt: null
    })
  })

type StateError = Errors.Immutable | Errors.InvalidTransition

/** `from → to`, refusing a quote whose time is up even before the job marks it. */
const live = (q: Quote, to: QuoteStatus, now: number): Result.Result<QuoteStatus, StateError | QuoteExpired> =>
  Result.flatMap(
    move(machine, q.id, q.status, to),
    (status) =>
      q.expiresAt <= now
        ? Result.fail(new QuoteExpired({ quoteId: q.id, expiresAt: q.expiresAt }))
        : Result.succeed(status)
  )

export const send = (q: Quote, now: number): Result.Result<Quote, StateError | QuoteExpired> =>
  Result.map(live(q, "Sent", now), (status) => new Quote({ ...q, status, sentAt: now, updatedAt: now }))

export const accept = (
  q: Quote,
  invoiceId: InvoiceId,
  paidUpfront: boolean,
  now: number
): Result.Result<Quote, StateError | QuoteExpired> =>
  Result.map(
    live(q, "Accepted", now),
    (status) => new Quote({ ...q, status, invoiceId, paidUpfront, acceptedAt: now, updatedAt: now })
  )

/** Would `accept` succeed now? (Checked before the invoice is built, so the quote's error comes first.) */
export const checkAcceptable = (q: Quote, now: number): Result.Result<void, StateError | QuoteExpired> =>
  Result.map(live(q, "Accepted", now), () => undefined)

/** The accepted invoice's line inputs, in quote order. */
export const invoiceItems = (q: Quote): ReadonlyArray<Invoice.LineInput> =>
  q.lines.map((l) => lineInput(l.line.description, l.price, l.line.taxRate))

/** BIL-QUO-02, the job's predicate: Draft or Sent, and `expiresAt ≤ now`. */
export const isExpired = (q: Quote, now: number): boolean =>
  (q.status === "Draft" || q.status === "Sent") && q.expiresAt <= now

export const expire = (q: Quote, now: number): Result.Result<Quote, StateError> =>
  Result.map(
    move(machine, q.id, q.status, "Expired"),
    (status) => new Quote({ ...q, status, expiredAt: now, updatedAt: now })
  )

/** Named invariants, checked in tests. */
export const invariants: ReadonlyArray<Invariants.Invariant<Quote>> = [
  [
    "total = Σ line totals = subtotal + tax",
    (q) =>
      q.totalMinor === q.lines.reduce((s, l) => s + l.line.totalMinor, 0n) &&
      q.totalMinor === q.subtotalMinor + q.taxMinor
  ],
  [
    "each line's net amount is its price snapshot",
    (q) => q.lines.every((l) => l.line.amountMinor === l.price.totalMinor)
  ],
  ["Accepted has its invoice", (q) => (q.status === "Accepted") === (q.invoiceId !== null)]
]

export const brokenInvariants = (q: Quote): ReadonlyArray<string> => Invariants.broken(invariants, q)
