import { Outbox, StateMachine } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { ClientAccounts, Invoices, Jobs, Payments, Quote, Quotes, RateCards } from "../src/index.ts"
import {
  customerUser,
  financeManager,
  openAccount,
  pricingAnalyst,
  rateCard,
  request,
  salesManager,
  snapshot,
  system
} from "../src/testing/index.ts"
import { failure, failureTag, fresh } from "./helpers.ts"

const start = Date.parse("2026-03-10T06:00:00Z")
const hour = 3_600_000

const setup = (options: { readonly creditLimitMinor?: bigint; readonly approved?: boolean } = {}) =>
  Effect.gen(function*() {
    yield* TestClock.setTime(start)
    const card = yield* rateCard()
    const account = yield* openAccount({
      creditLimitMinor: options.creditLimitMinor ?? 10_000_000n,
      approved: options.approved ?? true
    })
    return { card, account }
  })

let quoteCounter = 0
const createQuote = (accountId: string, extra: Record<string, unknown> = {}) =>
  Quotes.createQuote(salesManager(), {
    accountId,
    quoteNumber: `Q-${++quoteCounter}`,
    lines: [{ request: request("150.5") }],
    ...extra
  })

describe("quotes", () => {
  it("BIL-QUO-01 quote machine: Draft → Sent → Accepted | Expired, Draft → Expired; Accepted, Expired final", () => {
    const edges = Quote.machine.transitions.map((t) => `${t.from}→${t.to}`).sort()
    expect(edges).toEqual(["Draft→Expired", "Draft→Sent", "Sent→Accepted", "Sent→Expired"])
    expect([...Quote.machine.terminal].sort()).toEqual(["Accepted", "Expired"])
    for (const terminal of Quote.machine.terminal) expect(StateMachine.exits(Quote.machine, terminal)).toEqual([])
  })

  it.effect("BIL-QUO-01 Draft → Sent → Accepted creates the Sent invoice; accepting or changing again: Immutable", () =>
    fresh(Effect.gen(function*() {
      const { account } = yield* setup()
      const quote = yield* createQuote(account.id)
      // 150.5 kg: 100 × 100.00 + 50.5 × 80.00 = 14 040.00 net, 12 % VAT 1 684.80, total 15 724.80
      expect([quote.status, quote.subtotalMinor, quote.taxMinor, quote.totalMinor]).toEqual([
        "Draft",
        1_404_000n,
        168_480n,
        1_572_480n
      ])
      expect(quote.lines[0]!.price.lines[0]!.tiers).toHaveLength(2)
      expect(Quote.brokenInvariants(quote)).toEqual([])
      expect(yield* failure(Quotes.acceptQuote(financeManager(), { quoteId: quote.id, invoiceNumber: "INV-Q-0" })))
        .toMatchObject({ _tag: "InvalidTransition", from: "Draft", to: "Accepted" })
      const sent = yield* Quotes.sendQuote(salesManager(), { quoteId: quote.id })
      expect(sent.status).toBe("Sent")
      expect(yield* failureTag(Quotes.sendQuote(salesManager(), { quoteId: quote.id }))).toBe("InvalidTransition")
      const accepted = yield* Quotes.acceptQuote(customerUser(), { quoteId: quote.id, invoiceNumber: "INV-Q-1" })
      expect([accepted.quote.status, accepted.quote.invoiceId, accepted.quote.paidUpfront]).toEqual([
        "Accepted",
        accepted.invoice.id,
        false
      ])
      expect([accepted.invoice.status, accepted.invoice.totalMinor, accepted.invoice.dueDate]).toEqual([
        "Sent",
        1_572_480n,
        "2026-04-09"
      ])
      expect(accepted.invoice.lines.map((l) => [l.unitPriceMinor, l.taxMinor, l.totalMinor])).toEqual([[
        1_404_000n,
        168_480n,
        1_572_480n
      ]])
      expect(accepted.payment).toBeNull()
      const after = yield* ClientAccounts.getAccount(financeManager(), { accountId: account.id })
      expect(after.balanceMinor).toBe(1_572_480n)
      const before = yield* snapshot
      expect(yield* failure(Quotes.acceptQuote(financeManager(), { quoteId: quote.id, invoiceNumber: "INV-Q-2" })))
        .toMatchObject({ _tag: "Immutable", entity: "Quote", state: "Accepted" })
      expect(yield* failureTag(Quotes.sendQuote(salesManager(), { quoteId: quote.id }))).toBe("Immutable")
      expect(yield* snapshot).toEqual(before)
      const events = yield* Outbox.Outbox.use((o) => o.list(tenantA, { aggregateId: quote.id }))
      expect(events.map((e) => e.type)).toEqual(["billing.QuoteCreated", "billing.QuoteSent", "billing.QuoteAccepted"])
    })))

  it.effect("BIL-QUO-01 the quote keeps its price snapshot: a later rate card change leaves it and its invoice", () =>
    fresh(Effect.gen(function*() {
      const { account, card } = yield* setup()
      const quote = yield* createQuote(account.id)
      yield* Quotes.sendQuote(salesManager(), { quoteId: quote.id })
      yield* RateCards.updateRateCard(pricingAnalyst(), {
        rateCardId: card.id,
        tiers: [{ upTo: null, unitPriceMinor: 1n }]
      })
      const repriced = yield* RateCards.priceService(financeManager(), { request: request("150.5"), currency: "KZT" })
      expect(repriced.totalMinor).toBe(151n)
      const accepted = yield* Quotes.acceptQuote(financeManager(), { quoteId: quote.id, invoiceNumber: "INV-SNAP" })
      expect(accepted.invoice.totalMinor).toBe(1_572_480n)
      expect((yield* Quotes.getQuote(financeManager(), { quoteId: quote.id })).lines[0]!.price.totalMinor).toBe(
        1_404_000n
      )
    })))

  it.effect("BIL-QUO-01 BIL-INV-03 accepted with an upfront payment, the invoice is Paid at once, ledger nets 0", () =>
    fresh(Effect.gen(function*() {
      const { account } = yield* setup({ creditLimitMinor: 0n, approved: false })
      const quote = yield* createQuote(account.id)
      yield* Quotes.sendQuote(salesManager(), { quoteId: quote.id })
      // without credit and without payment: refused, nothing written, the quote stays Sent
      const before = yield* snapshot
      expect(yield* failureTag(Quotes.acceptQuote(financeManager(), { quoteId: quote.id, invoiceNumber: "INV-UP" })))
        .toBe("CreditNotApproved")
      expect(yield* snapshot).toEqual(before)
      // paying needs the payment permission too
      const payment = { amountMinor: 1_572_480n, currency: "KZT", method: "CARD", reference: "auth 7" } as const
      expect(
        yield* failureTag(Quotes.acceptQuote(customerUser(), { quoteId: quote.id, invoiceNumber: "INV-UP", payment }))
      ).toBe("Forbidden")
      expect(
        yield* failure(
          Quotes.acceptQuote(financeManager(), {
            quoteId: quote.id,
            invoiceNumber: "INV-UP",
            payment: { ...payment, amountMinor: 1n }
          })
        )
      ).toMatchObject({ _tag: "UpfrontPaymentMismatch", totalMinor: 1_572_480n, baseAmountMinor: 1n })
      expect(yield* snapshot).toEqual(before)
      const accepted = yield* Quotes.acceptQuote(financeManager(), {
        quoteId: quote.id,
        invoiceNumber: "INV-UP",
        payment
      })
      expect([accepted.quote.status, accepted.quote.paidUpfront, accepted.invoice.status]).toEqual([
        "Accepted",
        true,
        "Paid"
      ])
      expect(accepted.payment?.baseAmountMinor).toBe(1_572_480n)
      expect((yield* Payments.listPayments(financeManager(), { invoiceId: accepted.invoice.id })).map((p) => p.status))
        .toEqual(["Completed"])
      const statement = yield* ClientAccounts.accountStatement(financeManager(), { accountId: account.id })
      expect(statement.map((t) => [t.kind, t.amountMinor, t.runningBalanceMinor])).toEqual([
        ["InvoiceIssued", 1_572_480n, 1_572_480n],
        ["PaymentReceived", -1_572_480n, 0n]
      ])
    })))

  it.effect("BIL-QUO-01 a quote past expiresAt is not accepted (QuoteExpired); after the job: Expired, Immutable", () =>
    fresh(Effect.gen(function*() {
      const { account } = yield* setup()
      const quote = yield* createQuote(account.id, { expiresAt: start + hour })
      yield* Quotes.sendQuote(salesManager(), { quoteId: quote.id })
      yield* TestClock.adjust("2 hours")
      const before = yield* snapshot
      expect(yield* failure(Quotes.acceptQuote(financeManager(), { quoteId: quote.id, invoiceNumber: "INV-LATE" })))
        .toMatchObject({ _tag: "QuoteExpired", quoteId: quote.id, expiresAt: start + hour })
      expect(yield* snapshot).toEqual(before)
      expect((yield* Jobs.expireQuotes(system(), {})).quotes.map((q) => q.id)).toEqual([quote.id])
      expect(yield* failure(Quotes.acceptQuote(financeManager(), { quoteId: quote.id, invoiceNumber: "INV-LATE" })))
        .toMatchObject({ _tag: "Immutable", state: "Expired" })
      expect((yield* Invoices.listInvoices(financeManager(), {})).length).toBe(0)
      expect(yield* failure(createQuote(account.id, { expiresAt: start }))).toMatchObject({
        _tag: "QuoteExpiryNotInFuture"
      })
    })))

  it.effect("BIL-QUO-02 the daily job expires Draft and Sent quotes past expires_at, never Accepted ones, once", () =>
    fresh(Effect.gen(function*() {
      const { account } = yield* setup()
      const draft = yield* createQuote(account.id, { expiresAt: start + hour })
      const sent = yield* createQuote(account.id, { expiresAt: start + 2 * hour })
      yield* Quotes.sendQuote(salesManager(), { quoteId: sent.id })
      const accepted = yield* createQuote(account.id, { expiresAt: start + hour })
      yield* Quotes.sendQuote(salesManager(), { quoteId: accepted.id })
      yield* Quotes.acceptQuote(financeManager(), { quoteId: accepted.id, invoiceNumber: "INV-ACC" })
      const later = yield* createQuote(account.id, { expiresAt: start + 48 * hour })
      yield* TestClock.adjust("1 hour") // exactly draft's expiresAt: expired from that instant on
      expect((yield* Jobs.expireQuotes(system(), {})).quotes.map((q) => q.id)).toEqual([draft.id])
      yield* TestClock.adjust("3 hours")
      expect(yield* failureTag(Jobs.expireQuotes(salesManager(), {}))).toBe("Forbidden")
      const run = yield* Jobs.expireQuotes(system(), { batchSizeMax: 10 })
      expect(run.quotes.map((q) => [q.id, q.status])).toEqual([[sent.id, "Expired"]])
      expect(yield* Jobs.expireQuotes(system(), {})).toEqual({ quotes: [] })
      const statuses = yield* Quotes.listQuotes(financeManager(), { accountId: account.id })
      expect(statuses.map((q) => [q.id, q.status])).toEqual([
        [draft.id, "Expired"],
        [sent.id, "Expired"],
        [accepted.id, "Accepted"],
        [later.id, "Draft"]
      ])
      const events = yield* Outbox.Outbox.use((o) => o.list(tenantA, { type: "billing.QuoteExpired" }))
      expect(events.map((e) => e.aggregateId)).toEqual([draft.id, sent.id])
    })))

  it.effect("BIL-RC-02 a quote line with no usable rate card is refused with what was missing; nothing written", () =>
    fresh(Effect.gen(function*() {
      const { account } = yield* setup()
      const before = yield* snapshot
      expect(
        yield* failure(
          Quotes.createQuote(salesManager(), {
            accountId: account.id,
            quoteNumber: "Q-NONE",
            lines: [{ request: request("1", [{ basis: "Volume", quantity: "2" }]) }]
          })
        )
      ).toMatchObject({
        _tag: "NoApplicableRateCard",
        basis: "Volume",
        serviceLevel: "Standard",
        zone: "Almaty",
        currency: "KZT",
        pricingDate: "2026-03-10"
      })
      expect(yield* snapshot).toEqual(before)
      yield* createQuote(account.id, { quoteNumber: "Q-DUP" })
      expect(yield* failureTag(createQuote(account.id, { quoteNumber: "Q-DUP" }))).toBe("QuoteNumberTaken")
    })))
})
