/**
 * A driver for property and model-based tests: random operations applied to the real commands over
 * a fresh memory store with a TestClock, the invariant check over every table, and a small reference
 * model that predicts each operation's outcome and figures.
 */
import { type Command, LocalDate, type MemoryStore, type Tenant } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { expect } from "@effect/vitest"
import { Clock, Effect, Exit, Layer, ManagedRuntime } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import {
  ClientAccount,
  ClientAccountRepository,
  ClientAccounts,
  CreditHold,
  CreditHoldRepository,
  CreditNotes,
  Invoice,
  InvoiceRepository,
  Invoices,
  Jobs,
  Ledger,
  LedgerRepository,
  Payment,
  PaymentRepository,
  Payments,
  type Repositories
} from "../src/index.ts"
import { customerId, financeManager, invoiceNumber, layerTest, Operations, system } from "../src/testing/index.ts"

export const start = Operations.start
export type Op = Operations.Op

const { fields, weighted: w } = Operations

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  w(1, fc.record(fields.Open)),
  w(1, fc.record(fields.SetTerms)),
  w(2, fc.record(fields.Reserve)),
  w(1, fc.record(fields.VoidHold)),
  w(4, fc.record(fields.Create)),
  w(4, fc.record(fields.Issue)),
  w(1, fc.record(fields.IssuePaid)),
  w(4, fc.record(fields.Pay)),
  w(2, fc.record(fields.ChangePayment)),
  w(2, fc.record(fields.Credit)),
  w(1, fc.record(fields.Void)),
  w(1, fc.record(fields.TopUp)),
  w(2, fc.record(fields.Tick))
)

/** Three accounts (two approved for credit, one not), then 10 … 40 random operations. */
export const scenarioArb: fc.Arbitrary<ReadonlyArray<Op>> = fc.array(opArb, { minLength: 10, maxLength: 40 }).map((
  ops
) => [...Operations.openingAccounts, ...ops])

const pick = Operations.pick

/** The system under test: the real commands on a fresh memory store with a TestClock. */
type Env = Repositories | Command.CommandServices | MemoryStore.MemoryStore | TestClock.TestClock

export class Real {
  readonly runtime: ManagedRuntime.ManagedRuntime<Env, never> = ManagedRuntime.make(
    Layer.merge(layerTest(), TestClock.layer())
  )
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
    return Operations.typedError(exit.cause)?._tag ?? "unknown"
  }

  async dispose(): Promise<void> {
    await this.runtime.dispose()
  }
}

/** Runs `body` on a fresh system, disposed afterwards whatever happens. */
export const withReal = async <A>(body: (real: Real) => Promise<A>): Promise<A> => {
  const real = new Real()
  await real.init()
  try {
    return await body(real)
  } finally {
    await real.dispose()
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
        Effect.flatMap(
          ClientAccounts.openAccount(fm, { customerId: customerId(), currency: "KZT" }),
          (a) =>
            ClientAccounts.setCreditTerms(fm, {
              accountId: a.id,
              creditLimitMinor: op.limit,
              isCreditApproved: op.approved
            })
        ),
        (a) => real.accounts.push(a.id)
      )
    case "SetTerms":
      if (!account) return "skip"
      return real.outcome(
        ClientAccounts.setCreditTerms(fm, {
          accountId: account,
          creditLimitMinor: op.limit,
          isCreditApproved: op.approved
        })
      )
    case "Reserve":
      if (!account) return "skip"
      return real.outcome(
        ClientAccounts.reserveCredit(fm, {
          accountId: account,
          amountMinor: op.amount,
          holdTimeoutSeconds: op.timeoutSeconds
        }),
        (h) => real.holds.push(h.id)
      )
    case "VoidHold": {
      const hold = pick(real.holds, op.hold)
      return hold ? real.outcome(ClientAccounts.voidCreditHold(fm, { holdId: hold })) : "skip"
    }
    case "Create": {
      if (!account) return "skip"
      const create = Effect.gen(function*() {
        const today = LocalDate.atInstant(yield* Clock.currentTimeMillis, "Asia/Almaty")
        return yield* Invoices.createInvoice(fm, {
          accountId: account,
          invoiceNumber: invoiceNumber(),
          issueDate: today,
          dueDate: LocalDate.addDays(today, op.dueInDays),
          items: [{ description: "Freight", quantity: "1", unitPriceMinor: op.unitPrice }]
        })
      })
      return real.outcome(create, (i) => real.invoices.push(i.id))
    }
    case "Issue": {
      if (!invoice) return "skip"
      const hold = op.hold === null ? undefined : pick(real.holds, op.hold)
      return real.outcome(
        Invoices.issueInvoice(fm, { invoiceId: invoice, ...(hold === undefined ? {} : { holdId: hold }) })
      )
    }
    case "IssuePaid": {
      if (!invoice) return "skip"
      const run = Effect.flatMap(
        Invoices.getInvoice(fm, { invoiceId: invoice }),
        (i) =>
          Invoices.issuePaidInvoice(fm, {
            invoiceId: invoice,
            payment: { amountMinor: i.totalMinor || 1n, currency: "KZT", method: "CARD" }
          })
      )
      return real.outcome(run, (r) => real.payments.push(r.payment.id))
    }
    case "Pay": {
      if (!invoice) return "skip"
      const run = Effect.flatMap(
        Invoices.getInvoice(fm, { invoiceId: invoice }),
        (i) =>
          Payments.recordPayment(fm, {
            invoiceId: invoice,
            amountMinor: op.amount === "all" ? Invoice.amountOutstanding(i) : op.amount,
            currency: "KZT",
            method: "BANK_TRANSFER",
            status: op.pending ? "Pending" : "Completed",
            fromWallet: op.fromWallet
          })
      )
      return real.outcome(run, (r) => real.payments.push(r.payment.id))
    }
    case "ChangePayment": {
      const payment = pick(real.payments, op.payment)
      return payment
        ? real.outcome(Payments.changePaymentStatus(fm, { paymentId: payment, status: op.status }))
        : "skip"
    }
    case "Credit": {
      if (!invoice) return "skip"
      const run = Effect.flatMap(
        Invoices.getInvoice(fm, { invoiceId: invoice }),
        (i) =>
          CreditNotes.issueCreditNote(fm, {
            invoiceId: invoice,
            amountMinor: op.amount === "all" ? Invoice.amountOutstanding(i) : op.amount,
            reason: "model"
          })
      )
      return real.outcome(run)
    }
    case "Void":
      return invoice ? real.outcome(Invoices.voidInvoice(fm, { invoiceId: invoice, reason: "model" })) : "skip"
    case "TopUp":
      return account
        ? real.outcome(ClientAccounts.topUpWallet(fm, { accountId: account, amountMinor: op.amount }))
        : "skip"
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
    const accounts = yield* Effect.forEach(
      real.accounts,
      (id) => ClientAccountRepository.ClientAccountRepository.use((r) => r.get(real.tenant, id as never))
    )
    const ledgers = yield* Effect.forEach(
      real.accounts,
      (id) => LedgerRepository.LedgerRepository.use((r) => r.list(real.tenant, id as never))
    )
    const holds = yield* Effect.forEach(
      real.holds,
      (id) => CreditHoldRepository.CreditHoldRepository.use((r) => r.get(real.tenant, id as never))
    )
    const invoices = yield* Effect.forEach(
      real.invoices,
      (id) => InvoiceRepository.InvoiceRepository.use((r) => r.get(real.tenant, id as never))
    )
    const payments = yield* Effect.forEach(
      real.payments,
      (id) => PaymentRepository.PaymentRepository.use((r) => r.get(real.tenant, id as never))
    )
    return { accounts, ledgers, holds, invoices, payments }
  }))

export type Snapshot = Awaited<ReturnType<typeof readAll>>

/**
 * Applies `ops` one by one with `apply`, counting each outcome (`tag:outcome`) in `outcomes` and
 * checking the invariants over the whole state after every step (terminal states against the step before).
 */
export const applyChecked = async <O extends { readonly _tag: string }>(
  real: Real,
  ops: ReadonlyArray<O>,
  apply: (op: O) => Promise<string>,
  outcomes: Map<string, number>
): Promise<void> => {
  let before: Snapshot | undefined
  for (const op of ops) {
    const outcome = await apply(op)
    outcomes.set(`${op._tag}:${outcome}`, (outcomes.get(`${op._tag}:${outcome}`) ?? 0) + 1)
    const now = await readAll(real)
    checkInvariants(now, before)
    before = now
  }
}

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
    expect(ClientAccount.availableCredit(account)).toBe(
      account.creditLimitMinor - account.balanceMinor - account.holdsMinor
    )
    expect(ClientAccount.availableCredit(account) >= 0n).toBe(true)
    const pending = now.holds.filter((h) => h.accountId === account.id && h.status === "Pending")
    expect(pending.reduce((s, h) => s + h.amountMinor, 0n)).toBe(account.holdsMinor)
    const owed = now.invoices.filter((inv) =>
      inv.accountId === account.id && (inv.status === "Sent" || inv.status === "Overdue")
    )
    expect(owed.reduce((s, inv) => s + Invoice.amountOutstanding(inv), 0n)).toBe(account.balanceMinor)
  })
  for (const invoice of now.invoices) {
    expect(Invoice.brokenInvariants(invoice)).toEqual([])
    expect(invoice.amountPaidMinor <= invoice.totalMinor).toBe(true)
    const completed = now.payments.filter((p) => p.invoiceId === invoice.id && p.status === "Completed")
    expect(completed.reduce((s, p) => s + p.baseAmountMinor, 0n)).toBe(invoice.amountPaidMinor)
  }
  if (!before) return
  const stays = <A extends { readonly id: string; readonly status: string }>(
    machine: { readonly terminal: ReadonlyArray<string> },
    was: ReadonlyArray<A>,
    is: ReadonlyArray<A>
  ) => {
    for (const old of was) {
      if (machine.terminal.includes(old.status)) expect(is.find((x) => x.id === old.id)).toEqual(old)
    }
  }
  stays(Invoice.machine, before.invoices, now.invoices)
  stays(Payment.machine, before.payments, now.payments)
  stays(CreditHold.machine, before.holds, now.holds)
}
