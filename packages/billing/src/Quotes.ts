/**
 * Quote commands (BIL-QUO-01). Lock order in `acceptQuote`: quote → (the invoice it creates) → client
 * account, each at most once.
 */
// `Actor`, `Errors` and `Ids` are imported as types so declaration emit can name the kernel types commands infer.
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import { Actor, Command, type Errors, type Ids, LocalDate } from "@erpkit/kernel"
import { Effect, Schema } from "effect"
import * as BillingEvent from "./BillingEvent.ts"
import { ClientAccountRepository } from "./ClientAccountRepository.ts"
import { ClientAccountId, QuoteId } from "./Ids.ts"
import { audit, defaultTaxRate, freshIds, today } from "./internal/command.ts"
import { insertDraft, issue, issuePaid } from "./internal/invoicing.ts"
import { PaymentFields } from "./internal/payments.ts"
import * as Invoice from "./Invoice.ts"
import * as Payment from "./Payment.ts"
import { permissions } from "./Permissions.ts"
import * as Quote from "./Quote.ts"
import { QuoteRepository } from "./QuoteRepository.ts"
import { pricerAt } from "./RateCards.ts"
import { Instant, Text } from "./Values.ts"

/** At most this many lines per quote. */
export const quoteLinesMax = 100
/** A quote is valid for 30 days unless the caller says otherwise. */
export const defaultValidityMillis = 30 * 86_400_000
/** An accepted quote's invoice is due 30 days after issue unless the caller says otherwise. */
export const defaultPaymentTermDays = 30

export const CreateQuoteInput = Schema.Struct({
  accountId: ClientAccountId,
  /** Unique per tenant, e.g. "Q-2026-001". */
  quoteNumber: Text(50),
  lines: Schema.Array(Quote.QuoteLineInput).pipe(
    Schema.check(Schema.isMinLength(1), Schema.isMaxLength(quoteLinesMax))
  ),
  /** UTC epoch ms after now; default now + 30 days. */
  expiresAt: Schema.optionalKey(Instant),
  notes: Schema.optionalKey(Text(5000))
})

/**
 * A Draft quote in the account's currency. Every line is priced now by the engine from the rate cards
 * and surcharges usable today in the tenant's zone (BIL-RC-02); the price is kept as a snapshot.
 */
export const createQuote = Command.make({
  name: "billing.createQuote",
  input: CreateQuoteInput,
  output: Quote.Quote,
  permission: permissions.quoteManage,
  handler: Effect.fnUntraced(function*(input, context) {
    const account = yield* (yield* ClientAccountRepository).get(context.tenant, input.accountId)
    const date = yield* today(context)
    const pricer = yield* pricerAt(context.tenant, account.currency, date)
    const priced = yield* Effect.forEach(
      input.lines,
      (line) => Effect.map(pricer(line.request), (price) => ({ input: line, price }))
    )
    const [id] = yield* freshIds(QuoteId, 1)
    const quote = yield* Effect.fromResult(
      Quote.create({
        id: id!,
        account,
        quoteNumber: input.quoteNumber,
        priced,
        expiresAt: input.expiresAt ?? context.now + defaultValidityMillis,
        notes: input.notes ?? null,
        defaultTaxRate: yield* defaultTaxRate(context.tenant),
        now: context.now
      })
    )
    yield* (yield* QuoteRepository).insert(context.tenant, quote)
    return {
      result: quote,
      events: [
        BillingEvent.draft({
          _tag: "QuoteCreated",
          quoteId: quote.id,
          quoteNumber: quote.quoteNumber,
          accountId: quote.accountId,
          customerId: quote.customerId,
          totalMinor: quote.totalMinor,
          currency: quote.currency,
          expiresAt: quote.expiresAt
        })
      ],
      changes: [audit(Quote.Quote, null, quote)]
    }
  })
})

export const QuoteRef = Schema.Struct({ quoteId: QuoteId })

/** Draft → Sent (before `expiresAt`). */
export const sendQuote = Command.make({
  name: "billing.sendQuote",
  input: QuoteRef,
  output: Quote.Quote,
  permission: permissions.quoteManage,
  handler: Effect.fnUntraced(function*(input, context) {
    const quotes = yield* QuoteRepository
    const before = yield* quotes.getForUpdate(context.tenant, input.quoteId)
    const sent = yield* Effect.fromResult(Quote.send(before, context.now))
    yield* Effect.orDie(quotes.update(context.tenant, sent))
    return {
      result: sent,
      events: [
        BillingEvent.draft({
          _tag: "QuoteSent",
          quoteId: sent.id,
          customerId: sent.customerId,
          expiresAt: sent.expiresAt
        })
      ],
      changes: [audit(Quote.Quote, before, sent)]
    }
  })
})

export const AcceptQuoteInput = Schema.Struct({
  quoteId: QuoteId,
  /** The invoice's number, unique per tenant among live invoices. */
  invoiceNumber: Text(50),
  /** Default: today + 30 days (tenant's zone). */
  dueDate: Schema.optionalKey(LocalDate.LocalDate),
  /**
   * An immediate, successful upfront payment of exactly the total: the invoice enters Paid directly
   * (BIL-INV-03). Needs `billing.payment.record` besides `billing.quote.accept`. Without it the invoice
   * is issued on credit (Sent; BIL-CA-02 credit check).
   */
  payment: Schema.optionalKey(PaymentFields)
})

export const AcceptedQuote = Schema.Struct({
  quote: Quote.Quote,
  invoice: Invoice.Invoice,
  payment: Schema.NullOr(Payment.Payment)
})

/**
 * Sent → Accepted, and the invoice in the same unit of work: a Draft with the quote's lines (their
 * snapshot prices, not today's cards), then issued on credit (Sent, ledger debit) or, with `payment`,
 * issued Paid against it (ledger debit and credit). Any refusal (credit, payment, invoice number)
 * leaves the quote Sent and writes nothing.
 */
export const acceptQuote = Command.make({
  name: "billing.acceptQuote",
  input: AcceptQuoteInput,
  output: AcceptedQuote,
  permission: permissions.quoteAccept,
  handler: Effect.fnUntraced(function*(input, context) {
    if (input.payment !== undefined) yield* Actor.authorize(context.actor, permissions.paymentRecord)
    const quotes = yield* QuoteRepository
    const before = yield* quotes.getForUpdate(context.tenant, input.quoteId)
    // Refuse a terminal or expired quote before creating anything.
    yield* Effect.fromResult(Quote.checkAcceptable(before, context.now))
    const account = yield* (yield* ClientAccountRepository).get(context.tenant, before.accountId)
    const issueDate = yield* today(context)
    const draft = yield* insertDraft(context, account, {
      invoiceNumber: input.invoiceNumber,
      issueDate,
      dueDate: input.dueDate ?? LocalDate.addDays(issueDate, defaultPaymentTermDays),
      items: Quote.invoiceItems(before),
      depositAmountMinor: null,
      notes: `Quote ${before.quoteNumber}`
    })
    const issued = input.payment === undefined
      ? Effect.map(issue(context, draft.result, null), (s) => ({ ...s, result: { invoice: s.result, payment: null } }))
      : issuePaid(context, draft.result, input.payment)
    const done = yield* issued
    const accepted = yield* Effect.fromResult(
      Quote.accept(before, draft.result.id, input.payment !== undefined, context.now)
    )
    yield* Effect.orDie(quotes.update(context.tenant, accepted))
    const { invoice, payment } = done.result
    return {
      result: { quote: accepted, invoice, payment },
      events: [
        ...draft.events,
        ...done.events,
        BillingEvent.draft({
          _tag: "QuoteAccepted",
          quoteId: accepted.id,
          accountId: accepted.accountId,
          customerId: accepted.customerId,
          invoiceId: invoice.id,
          paidUpfront: accepted.paidUpfront,
          totalMinor: invoice.totalMinor,
          currency: invoice.currency
        })
      ],
      changes: [...draft.changes, ...done.changes, audit(Quote.Quote, before, accepted)]
    }
  })
})

export const getQuote = Command.query({
  name: "billing.getQuote",
  input: QuoteRef,
  permission: permissions.quoteRead,
  handler: (input, context) => QuoteRepository.use((quotes) => quotes.get(context.tenant, input.quoteId))
})

export const ListQuotesInput = Schema.Struct({
  accountId: Schema.optionalKey(ClientAccountId),
  status: Schema.optionalKey(Quote.QuoteStatus),
  limit: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))))
})

export const listQuotes = Command.query({
  name: "billing.listQuotes",
  input: ListQuotesInput,
  permission: permissions.quoteRead,
  handler: (input, context) => QuoteRepository.use((quotes) => quotes.list(context.tenant, input))
})
