/**
 * A driver for property and model-based tests: random operations applied to the real commands over
 * a fresh memory store with a TestClock, the invariant check over every table, and a small reference
 * model that predicts each operation's outcome and figures.
 */
import { type Command, LocalDate, type MemoryStore, type Tenant } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { expect } from "@effect/vitest"
import { Cause, Clock, Effect, Exit, Layer, ManagedRuntime } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import {
  ClientAccount, ClientAccountRepository, ClientAccounts, CreditHold, CreditHoldRepository, CreditNotes, Invoice,
  InvoiceRepository, Invoices, Jobs, Ledger, LedgerRepository, Payment, PaymentRepository, Payments, type Repositories
} from "../src/index.ts"
import { customerId, financeManager, invoiceNumber, layerMemory, system } from "../src/testing/index.ts"

export const start = Date.parse("2026-01-01T03:00:00Z")

export type Op =
  | { readonly _tag: "Open"; readonly limit: bigint; readonly approved: boolean }
  | { readonly _tag: "SetTerms"; readonly account: number; readonly limit: bigint; readonly approved: boolean }
  | { readonly _tag: "Reserve"; readonly account: number; readonly amount: bigint; readonly timeoutSeconds: number }
  | { readonly _tag: "VoidHold"; readonly hold: number }
  | { readonly _tag: "Create"; readonly account: number; readonly unitPrice: bigint; readonly dueInDays: number }
  | { readonly _tag: "Issue"; readonly invoice: number; readonly hold: number | null }
  | { readonly _tag: "IssuePaid"; readonly invoice: number }
  | { readonly _tag: "Pay"; readonly invoice: number; readonly amount: bigint | "all"; readonly pending: boolean; readonly fromWallet: boolean }
  | { readonly _tag: "ChangePayment"; readonly payment: number; readonly status: Payment.PaymentStatus }
  | { readonly _tag: "Credit"; readonly invoice: number; readonly amount: bigint | "all" }
  | { readonly _tag: "Void"; readonly invoice: number }
  | { readonly _tag: "TopUp"; readonly account: number; readonly amount: bigint }
  | { readonly _tag: "Tick"; readonly hours: number }

const index = fc.nat({ max: 7 })
const money = fc.bigInt({ min: 0n, max: 3_000n })
const amount = fc.oneof(fc.constant("all" as const), money)

const w = <A>(weight: number, arbitrary: fc.Arbitrary<A>) => ({ weight, arbitrary })

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  w(1, fc.record({ _tag: fc.constant("Open" as const), limit: fc.bigInt({ min: 0n, max: 10_000n }), approved: fc.boolean() })),
  w(1, fc.record({ _tag: fc.constant("SetTerms" as const), account: index, limit: fc.bigInt({ min: 0n, max: 10_000n }), approved: fc.boolean() })),
  w(2, fc.record({ _tag: fc.constant("Reserve" as const), account: index, amount: fc.bigInt({ min: 1n, max: 3_000n }), timeoutSeconds: fc.integer({ min: 1, max: 100_000 }) })),
  w(1, fc.record({ _tag: fc.constant("VoidHold" as const), hold: index })),
  w(4, fc.record({ _tag: fc.constant("Create" as const), account: index, unitPrice: money, dueInDays: fc.integer({ min: 0, max: 10 }) })),
  w(4, fc.record({ _tag: fc.constant("Issue" as const), invoice: index, hold: fc.option(index, { nil: null }) })),
  w(1, fc.record({ _tag: fc.constant("IssuePaid" as const), invoice: index })),
  w(4, fc.record({ _tag: fc.constant("Pay" as const), invoice: index, amount, pending: fc.boolean(), fromWallet: fc.boolean() })),
  w(2, fc.record({ _tag: fc.constant("ChangePayment" as const), payment: index, status: fc.constantFrom(...Payment.machine.states) })),
  w(2, fc.record({ _tag: fc.constant("Credit" as const), invoice: index, amount })),
  w(1, fc.record({ _tag: fc.constant("Void" as const), invoice: index })),
  w(1, fc.record({ _tag: fc.constant("TopUp" as const), account: index, amount: fc.bigInt({ min: 1n, max: 3_000n }) })),
  w(2, fc.record({ _tag: fc.constant("Tick" as const), hours: fc.integer({ min: 1, max: 72 }) }))
)

/** Three accounts (two approved for credit, one not), then 10 … 40 random operations. */
export const scenarioArb: fc.Arbitrary<ReadonlyArray<Op>> = fc.array(opArb, { minLength: 10, maxLength: 40 }).map((ops) => [
  { _tag: "Open", limit: 10_000n, approved: true },
  { _tag: "Open", limit: 4_000n, approved: true },
  { _tag: "Open", limit: 0n, approved: false },
  ...ops
])

const pick = <A>(all: ReadonlyArray<A>, i: number): A | undefined => (all.length === 0 ? undefined : all[i % all.length])

/** The system under test: the real commands on a fresh memory store with a TestClock. */
type Env = Repositories | Command.CommandServices | MemoryStore.MemoryStore | TestClock.TestClock

export class Real {
  readonly runtime: ManagedRuntime.ManagedRuntime<Env, never> = ManagedRuntime.make(Layer.merge(layerMemory(), TestClock.layer()))
  readonly tenant: Tenant.Tenant = tenantA
  readonly accounts: Array<string> = []
  readonly holds: Array<string> = []
  readonly invoices: Array<string> = []
  readonly payments: Array<string> = []

  async init(): Promise<void> {
    await this.runtime.runPromise(TestClock.setTime(start))
  }

  /** Runs `effect`; a typed failure gives its tag, a defect fails the test. */
  async outcome<A>(effect: Effect.Effect<A, unknown, Env>, onSuccess: (a: A) => void = () => {}): Promise<string> {
    const exit = await this.runtime.runPromiseExit(effect)
    if (Exit.isSuccess(exit)) {
      onSuccess(exit.value)
      return "ok"
    }
    if (Cause.hasDies(exit.cause) || Cause.hasInterrupts(exit.cause)) throw new Error(`defect: ${Cause.pretty(exit.cause)}`)
    const error = Cause.findErrorOption(exit.cause)
    return error._tag === "Some" ? (error.value as { readonly _tag: string })._tag : "unknown"
  }

  async dispose(): Promise<void> {
    await this.runtime.dispose()
  }
}

const fm = financeManager()

/** Applies `op` to the real system; returns "ok", the typed error's tag, or "skip" when it has no target. */
export const applyOp = async (real: Real, op: Op): Promise<string> => {
  const account = "account" in op ? pick(real.accounts, op.account) : undefined
  const invoice = "invoice" in op ? pick(real.invoices, op.invoice) : undefined
  switch (op._tag) {
    case "Open":
      return real.outcome(
        Effect.flatMap(ClientAccounts.openAccount(fm, { customerId: customerId(), currency: "KZT" }), (a) =>
          ClientAccounts.setCreditTerms(fm, { accountId: a.id, creditLimitMinor: op.limit, isCreditApproved: op.approved })),
        (a) => real.accounts.push(a.id)
      )
    case "SetTerms":
      if (!account) return "skip"
      return real.outcome(ClientAccounts.setCreditTerms(fm, { accountId: account, creditLimitMinor: op.limit, isCreditApproved: op.approved }))
    case "Reserve":
      if (!account) return "skip"
      return real.outcome(ClientAccounts.reserveCredit(fm, { accountId: account, amountMinor: op.amount, holdTimeoutSeconds: op.timeoutSeconds }), (h) => real.holds.push(h.id))
    case "VoidHold": {
      const hold = pick(real.holds, op.hold)
      return hold ? real.outcome(ClientAccounts.voidCreditHold(fm, { holdId: hold })) : "skip"
    }
    case "Create": {
      if (!account) return "skip"
      const create = Effect.gen(function*() {
        const today = LocalDate.atInstant(yield* Clock.currentTimeMillis, "Asia/Almaty")
        return yield* Invoices.createInvoice(fm, {
          accountId: account, invoiceNumber: invoiceNumber(), issueDate: today, dueDate: LocalDate.addDays(today, op.dueInDays),
          items: [{ description: "Freight", quantity: "1", unitPriceMinor: op.unitPrice }]
        })
      })
      return real.outcome(create, (i) => real.invoices.push(i.id))
    }
    case "Issue": {
      if (!invoice) return "skip"
      const hold = op.hold === null ? undefined : pick(real.holds, op.hold)
      return real.outcome(Invoices.issueInvoice(fm, { invoiceId: invoice, ...(hold === undefined ? {} : { holdId: hold }) }))
    }
    case "IssuePaid": {
      if (!invoice) return "skip"
      const run = Effect.flatMap(Invoices.getInvoice(fm, { invoiceId: invoice }), (i) =>
        Invoices.issuePaidInvoice(fm, { invoiceId: invoice, payment: { amountMinor: i.totalMinor || 1n, currency: "KZT", method: "CARD" } }))
      return real.outcome(run, (r) => real.payments.push(r.payment.id))
    }
    case "Pay": {
      if (!invoice) return "skip"
      const run = Effect.flatMap(Invoices.getInvoice(fm, { invoiceId: invoice }), (i) =>
        Payments.recordPayment(fm, {
          invoiceId: invoice, amountMinor: op.amount === "all" ? Invoice.amountOutstanding(i) : op.amount, currency: "KZT",
          method: "BANK_TRANSFER", status: op.pending ? "Pending" : "Completed", fromWallet: op.fromWallet
        }))
      return real.outcome(run, (r) => real.payments.push(r.payment.id))
    }
    case "ChangePayment": {
      const payment = pick(real.payments, op.payment)
      return payment ? real.outcome(Payments.changePaymentStatus(fm, { paymentId: payment, status: op.status })) : "skip"
    }
    case "Credit": {
      if (!invoice) return "skip"
      const run = Effect.flatMap(Invoices.getInvoice(fm, { invoiceId: invoice }), (i) =>
        CreditNotes.issueCreditNote(fm, { invoiceId: invoice, amountMinor: op.amount === "all" ? Invoice.amountOutstanding(i) : op.amount, reason: "model" }))
      return real.outcome(run)
    }
    case "Void":
      return invoice ? real.outcome(Invoices.voidInvoice(fm, { invoiceId: invoice, reason: "model" })) : "skip"
    case "TopUp":
      return account ? real.outcome(ClientAccounts.topUpWallet(fm, { accountId: account, amountMinor: op.amount })) : "skip"
    case "Tick":
      return real.outcome(Effect.gen(function*() {
        yield* TestClock.adjust(`${op.hours} hours`)
        yield* Jobs.expireCreditHolds(system(), {})
        yield* Jobs.markOverdueInvoices(system(), {})
        yield* Jobs.sendInvoiceReminders(system(), {})
      }))
  }
}

/** Everything the real system holds, read through the ports. */
export const readAll = (real: Real) =>
  real.runtime.runPromise(Effect.gen(function*() {
    const accounts = yield* Effect.forEach(real.accounts, (id) => ClientAccountRepository.ClientAccountRepository.use((r) => r.get(real.tenant, id as never)))
    const ledgers = yield* Effect.forEach(real.accounts, (id) => LedgerRepository.LedgerRepository.use((r) => r.list(real.tenant, id as never)))
    const holds = yield* Effect.forEach(real.holds, (id) => CreditHoldRepository.CreditHoldRepository.use((r) => r.get(real.tenant, id as never)))
    const invoices = yield* Effect.forEach(real.invoices, (id) => InvoiceRepository.InvoiceRepository.use((r) => r.get(real.tenant, id as never)))
    const payments = yield* Effect.forEach(real.payments, (id) => PaymentRepository.PaymentRepository.use((r) => r.get(real.tenant, id as never)))
    return { accounts, ledgers, holds, invoices, payments }
  }))

export type Snapshot = Awaited<ReturnType<typeof readAll>>

/**
 * The invariants of billing over the whole state, plus terminal immutability against the previous
 * snapshot: running balances chain and end at each balance; available credit is never negative and
 * equals limit − balance − holds; holds are the sum of Pending holds; the balance is what Sent and
 * Overdue invoices still owe; amount paid ≤ total; nothing leaves a terminal state.
 */
export const checkInvariants = (now: Snapshot, before: Snapshot | undefined): void => {
  now.accounts.forEach((account, i) => {
    const ledger = now.ledgers[i]!
    expect(Ledger.chainsTo(account, ledger)).toBe(true)
    expect(ledger.reduce((s, t) => s + t.amountMinor, 0n)).toBe(account.balanceMinor)
    expect(ClientAccount.brokenInvariants(account)).toEqual([])
    expect(ClientAccount.availableCredit(account)).toBe(account.creditLimitMinor - account.balanceMinor - account.holdsMinor)
    expect(ClientAccount.availableCredit(account) >= 0n).toBe(true)
    const pending = now.holds.filter((h) => h.accountId === account.id && h.status === "Pending")
    expect(pending.reduce((s, h) => s + h.amountMinor, 0n)).toBe(account.holdsMinor)
    const owed = now.invoices.filter((inv) => inv.accountId === account.id && (inv.status === "Sent" || inv.status === "Overdue"))
    expect(owed.reduce((s, inv) => s + Invoice.amountOutstanding(inv), 0n)).toBe(account.balanceMinor)
  })
  for (const invoice of now.invoices) {
    expect(Invoice.brokenInvariants(invoice)).toEqual([])
    expect(invoice.amountPaidMinor <= invoice.totalMinor).toBe(true)
    const completed = now.payments.filter((p) => p.invoiceId === invoice.id && p.status === "Completed")
    expect(completed.reduce((s, p) => s + p.baseAmountMinor, 0n)).toBe(invoice.amountPaidMinor)
  }
  if (!before) return
  const stays = <A extends { readonly id: string; readonly status: string }>(machine: { readonly terminal: ReadonlyArray<string> }, was: ReadonlyArray<A>, is: ReadonlyArray<A>) => {
    for (const old of was) {
      if (machine.terminal.includes(old.status)) expect(is.find((x) => x.id === old.id)).toEqual(old)
    }
  }
  stays(Invoice.machine, before.invoices, now.invoices)
  stays(Payment.machine, before.payments, now.payments)
  stays(CreditHold.machine, before.holds, now.holds)
}
