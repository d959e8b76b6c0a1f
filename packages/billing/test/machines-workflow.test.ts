/**
 * The workflow machines, walked edge by edge through their pure transitions: every edge is allowed,
 * every non-edge refused, and nothing ever leaves a terminal state (`Immutable`).
 */
import { Errors, LocalDate, Quantity, StateMachine } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import { AccountingSync, BillingRun, ClientAccount, Dispute, Invoice, Pricing, Quote, RateCard } from "../src/index.ts"

const T0 = Date.UTC(2026, 0, 1)
const id = (n: number) => `0a100000-0000-7000-8000-${n.toString(16).padStart(12, "0")}` as never
const account = ClientAccount.open({ id: id(1), tenant: tenantA, customerId: id(2), currency: "KZT", now: T0 })

const quoteIn = (status: Quote.QuoteStatus): Quote.Quote => {
  const card = Result.getOrThrow(
    RateCard.create(id(3), tenantA, {
      name: "c",
      serviceLevel: "S",
      zone: null,
      basis: "Weight",
      mode: "Graduated",
      currency: "KZT",
      tiers: [{ upTo: null, unitPriceMinor: 100n }],
      minimumChargeMinor: 0n,
      validFrom: LocalDate.unsafeMake("2026-01-01"),
      validTo: LocalDate.unsafeMake("2026-12-31"),
      isActive: true
    }, T0)
  )
  const request: Pricing.ServiceRequest = {
    serviceLevel: "S",
    zone: "Z",
    measures: [{ basis: "Weight", quantity: Quantity.fromUnits(2) }]
  }
  const price = Result.getOrThrow(Pricing.price(request, "KZT", LocalDate.unsafeMake("2026-01-01"), [card], []))
  const draft = Result.getOrThrow(
    Quote.create({
      id: id(4),
      account,
      quoteNumber: "Q",
      priced: [{ input: { request }, price }],
      expiresAt: T0 + 100,
      notes: null,
      defaultTaxRate: Invoice.defaultTaxRate,
      now: T0
    })
  )
  if (status === "Draft") return draft
  if (status === "Expired") return Result.getOrThrow(Quote.expire(draft, T0 + 100))
  const sent = Result.getOrThrow(Quote.send(draft, T0))
  return status === "Sent" ? sent : Result.getOrThrow(Quote.accept(sent, id(5), false, T0 + 1))
}

const quoteMove = (q: Quote.Quote, to: Quote.QuoteStatus) =>
  to === "Sent"
    ? Quote.send(q, T0 + 1)
    : to === "Accepted"
    ? Quote.accept(q, id(5), false, T0 + 1)
    : to === "Expired"
    ? Quote.expire(q, T0 + 200)
    : Result.fail(new Errors.InvalidTransition({ machine: "Quote", from: q.status, to }))

const invoice = Result.getOrThrow(
  Invoice.issue(
    Result.getOrThrow(
      Invoice.create({
        id: id(6),
        account,
        invoiceNumber: "I",
        issueDate: LocalDate.unsafeMake("2026-01-01"),
        dueDate: LocalDate.unsafeMake("2026-01-31"),
        items: [{ description: "x", quantity: Quantity.fromUnits(1), unitPriceMinor: 1_000n }],
        depositAmountMinor: null,
        notes: null,
        defaultTaxRate: Invoice.defaultTaxRate,
        now: T0
      })
    ).invoice,
    null,
    T0
  )
).invoice

const disputeIn = (status: Dispute.DisputeStatus) => {
  const open = Result.getOrThrow(
    Dispute.open({ id: id(7), invoice, lineIndex: 0, amountMinor: 10n, reason: "r", others: [], now: T0 })
  )
  return status === "Open"
    ? open
    : status === "Approved"
    ? Result.getOrThrow(Dispute.approve(open, 10n, id(8), null, T0))
    : Result.getOrThrow(Dispute.reject(open, "n", T0))
}
const disputeMove = (d: Dispute.Dispute, to: Dispute.DisputeStatus) =>
  to === "Approved"
    ? Dispute.approve(d, 10n, id(8), null, T0 + 1)
    : to === "Rejected"
    ? Dispute.reject(d, "n", T0 + 1)
    : Result.fail(new Errors.InvalidTransition({ machine: "Dispute", from: d.status, to }))

const policy = AccountingSync.defaultRetryPolicy
const syncIn = (status: AccountingSync.SyncStatus) => {
  const pending = AccountingSync.enqueue(id(9), tenantA, "Invoice", "x", T0)
  return status === "Pending"
    ? pending
    : status === "Synced"
    ? Result.getOrThrow(AccountingSync.succeeded(pending, "E", T0))
    : Result.getOrThrow(AccountingSync.failed(pending, "e", false, T0, policy))
}
const syncMove = (s: AccountingSync.AccountingSync, to: AccountingSync.SyncStatus) =>
  to === "Synced"
    ? AccountingSync.succeeded(s, "E", T0 + 1)
    : to === "GaveUp"
    ? AccountingSync.failed(s, "e", false, T0 + 1, policy)
    : s.status === "GaveUp"
    ? AccountingSync.requeue(s, T0 + 1)
    : AccountingSync.failed(s, "e", true, T0 + 1, policy)

const key = { tenant: tenantA, accountId: id(1), customerId: id(2), period: "2026-01" }
const runIn = (status: BillingRun.BillingRunStatus) =>
  status === "Failed"
    ? Result.getOrThrow(BillingRun.failed(id(10), null, key, "e", T0))
    : Result.getOrThrow(BillingRun.invoiced(id(10), null, key, id(11), T0))
const runMove = (r: BillingRun.BillingRun, to: BillingRun.BillingRunStatus) =>
  to === "Invoiced"
    ? BillingRun.invoiced(id(10), r, key, id(11), T0 + 1)
    : BillingRun.failed(id(10), r, key, "e", T0 + 1)

/** Every (from, to) of the machine through the module's functions: edges succeed, others fail, terminal → Immutable. */
const walk = <S extends string, A extends { readonly status: S }>(
  machine: StateMachine.StateMachine<S>,
  make: (s: S) => A,
  moveTo: (a: A, to: S) => Result.Result<A, unknown>
) => {
  // states no edge enters (Draft, Open) have no command that moves into them
  const targets = machine.states.filter((s) => machine.transitions.some((t) => t.to === s))
  for (const from of machine.states) {
    for (const to of targets) {
      const result = moveTo(make(from), to)
      if (StateMachine.canTransition(machine, from, to)) {
        expect(Result.isSuccess(result) && result.success.status, `${from} → ${to}`).toBe(to)
      } else {
        expect(Result.isFailure(result), `${from} → ${to}`).toBe(true)
        if (StateMachine.isTerminal(machine, from) && Result.isFailure(result)) {
          expect(result.failure, `${from} → ${to}`).toBeInstanceOf(Errors.Immutable)
        }
      }
    }
  }
}

describe("workflow state machines", () => {
  it("BIL-QUO-01 quotes move exactly along the machine's edges; Accepted and Expired are immutable", () =>
    walk(Quote.machine, quoteIn, quoteMove))
  it("BIL-DSP-02 disputes move exactly along Open → Approved | Rejected; resolved disputes are immutable", () =>
    walk(Dispute.machine, disputeIn, disputeMove))
  it("X-07 accounting syncs: Pending → Pending | Synced | GaveUp, GaveUp → Pending; Synced is immutable", () =>
    walk(AccountingSync.machine, syncIn, syncMove))
  it("X-06 billing runs: Failed → Failed | Invoiced; Invoiced is immutable (an account invoiced once per period)", () =>
    walk(BillingRun.machine, runIn, runMove))
  it("X-07 backoff doubles from the base delay and stops at the cap", () => {
    expect([1, 2, 3, 4].map((n) => AccountingSync.backoffMillis(policy, n))).toEqual([
      60_000,
      120_000,
      240_000,
      480_000
    ])
    expect(AccountingSync.backoffMillis(policy, 40)).toBe(policy.maxDelayMillis)
  })
})
