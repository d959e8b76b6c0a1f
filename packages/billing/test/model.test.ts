/**
 * Model-based test (the TigerBeetle "auditor" idea): fc.commands drives the real billing commands and
 * a small reference model side by side; every command's outcome (ok or the error tag) and every
 * figure (balances, holds, wallet, invoice status and amounts, hold and payment status) must agree.
 * A failure prints fast-check's seed and path: replay with `{ seed, path }` in `fc.assert`.
 */
import { LocalDate, StateMachine } from "@erpkit/kernel"
import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { Payment } from "../src/index.ts"
import { Operations } from "../src/testing/index.ts"
import { applyOp, checkInvariants, type Op, opArb, readAll, type Real, scenarioArb, start, withReal } from "./world.ts"

interface MAccount {
  limit: bigint
  approved: boolean
  balance: bigint
  holds: bigint
  wallet: bigint
}
interface MHold {
  account: number
  amount: bigint
  status: string
  expiresAt: number
}
interface MInvoice {
  account: number
  total: bigint
  paid: bigint
  credited: bigint
  status: string
  dueDate: string
}
interface MPayment {
  invoice: number
  amount: bigint
  status: Payment.PaymentStatus
  fromWallet: boolean
}

const pickIndex = (length: number, i: number): number | undefined => (length === 0 ? undefined : i % length)

/**
 * The reference model: plain numbers and the rules as the docs state them, nothing shared with src but the op shapes.
 */
export class Model {
  accounts: Array<MAccount> = []
  holds: Array<MHold> = []
  invoices: Array<MInvoice> = []
  payments: Array<MPayment> = []
  now = start

  private outstanding = (i: MInvoice) => i.total - i.paid - i.credited
  private payable = (i: MInvoice) => i.status === "Sent" || i.status === "Overdue"
  private settle = (i: MInvoice) => {
    if (this.outstanding(i) === 0n) i.status = "Paid"
  }
  private available = (a: MAccount) => a.limit - a.balance - a.holds

  /** Predicts the outcome of `op` and applies it to the model when it succeeds. */
  apply(op: Op): string {
    const account = "account" in op ? pickIndex(this.accounts.length, op.account) : undefined
    const invoiceIndex = "invoice" in op ? pickIndex(this.invoices.length, op.invoice) : undefined
    const invoice = invoiceIndex === undefined ? undefined : this.invoices[invoiceIndex]!
    switch (op._tag) {
      case "Open":
        this.accounts.push({ limit: op.limit, approved: op.approved, balance: 0n, holds: 0n, wallet: 0n })
        return "ok"
      case "SetTerms": {
        if (account === undefined) return "skip"
        const a = this.accounts[account]!
        if (op.limit < a.balance + a.holds) return "CreditLimitBelowExposure"
        a.limit = op.limit
        a.approved = op.approved
        return "ok"
      }
      case "Reserve": {
        if (account === undefined) return "skip"
        const a = this.accounts[account]!
        if (!a.approved) return "CreditNotApproved"
        if (op.amount > this.available(a)) return "CreditLimitExceeded"
        a.holds += op.amount
        this.holds.push({
          account,
          amount: op.amount,
          status: "Pending",
          expiresAt: this.now + op.timeoutSeconds * 1000
        })
        return "ok"
      }
      case "VoidHold": {
        const h = this.holds[pickIndex(this.holds.length, op.hold) ?? -1]
        if (!h) return "skip"
        if (h.status !== "Pending") return "Immutable"
        h.status = "Voided"
        this.accounts[h.account]!.holds -= h.amount
        return "ok"
      }
      case "Create": {
        if (account === undefined) return "skip"
        const total = (op.unitPrice * 112n + 50n) / 100n
        if (total === 0n) return "ValidationError"
        const today = LocalDate.atInstant(this.now, "Asia/Almaty")
        this.invoices.push({
          account,
          total,
          paid: 0n,
          credited: 0n,
          status: "Draft",
          dueDate: LocalDate.addDays(today, op.dueInDays)
        })
        return "ok"
      }
      case "Issue":
        return invoice ? this.issue(invoice, op.hold) : "skip"
      case "IssuePaid": {
        if (!invoice) return "skip"
        if (invoice.status === "Paid" || invoice.status === "Void") return "Immutable"
        if (invoice.status !== "Draft") return "InvalidTransition"
        invoice.paid = invoice.total
        invoice.status = "Paid"
        this.payments.push({ invoice: invoiceIndex!, amount: invoice.total, status: "Completed", fromWallet: false })
        return "ok"
      }
      case "Pay": {
        if (!invoice) return "skip"
        const amount = op.amount === "all" ? this.outstanding(invoice) : op.amount
        if (amount <= 0n) return "ValidationError" // input decoding comes first
        if (!this.payable(invoice)) return "InvoiceNotPayable"
        const payment: MPayment = {
          invoice: invoiceIndex!,
          amount,
          status: op.pending ? "Pending" : "Completed",
          fromWallet: op.fromWallet
        }
        if (op.pending) {
          if (amount > this.outstanding(invoice)) return "PaymentExceedsOutstanding"
        } else {
          const refused = this.complete(payment)
          if (refused) return refused
        }
        this.payments.push(payment)
        return "ok"
      }
      case "ChangePayment": {
        const p = this.payments[pickIndex(this.payments.length, op.payment) ?? -1]
        if (!p) return "skip"
        if (Payment.machine.terminal.includes(p.status)) return "Immutable"
        if (!StateMachine.canTransition(Payment.machine, p.status, op.status)) return "InvalidTransition"
        if (op.status === "Completed") {
          const refused = this.complete(p)
          if (refused) return refused
        }
        p.status = op.status
        return "ok"
      }
      case "Credit": {
        if (!invoice) return "skip"
        const amount = op.amount === "all" ? this.outstanding(invoice) : op.amount
        if (amount <= 0n) return "ValidationError"
        if (!this.payable(invoice)) return "InvoiceNotPayable"
        if (amount > this.outstanding(invoice)) return "CreditNoteExceedsOutstanding"
        invoice.credited += amount
        this.accounts[invoice.account]!.balance -= amount
        this.settle(invoice)
        return "ok"
      }
      case "Void": {
        if (!invoice) return "skip"
        if (invoice.status === "Paid" || invoice.status === "Void") return "Immutable"
        if (invoice.status !== "Draft") this.accounts[invoice.account]!.balance -= this.outstanding(invoice)
        invoice.status = "Void"
        return "ok"
      }
      case "TopUp":
        if (account === undefined) return "skip"
        this.accounts[account]!.wallet += op.amount
        return "ok"
      case "Tick": {
        this.now += op.hours * 3_600_000
        for (const h of this.holds) {
          if (h.status === "Pending" && h.expiresAt <= this.now) {
            h.status = "Expired"
            this.accounts[h.account]!.holds -= h.amount
          }
        }
        const today = LocalDate.atInstant(this.now, "Asia/Almaty")
        for (const i of this.invoices) if (i.status === "Sent" && i.dueDate < today) i.status = "Overdue"
        return "ok"
      }
    }
  }

  private issue(invoice: MInvoice, holdIndex: number | null): string {
    if (invoice.status === "Paid" || invoice.status === "Void") return "Immutable"
    if (invoice.status !== "Draft") return "InvalidTransition"
    const a = this.accounts[invoice.account]!
    const hold = holdIndex === null ? undefined : this.holds[pickIndex(this.holds.length, holdIndex) ?? -1]
    let released = 0n
    if (hold) {
      if (hold.account !== invoice.account) return "CreditHoldMismatch"
      if (hold.status !== "Pending") return "Immutable"
      if (hold.expiresAt <= this.now) return "CreditHoldExpired"
      released = hold.amount
    }
    if (!a.approved) return "CreditNotApproved"
    if (invoice.total > a.limit - a.balance - (a.holds - released)) return "CreditLimitExceeded"
    if (hold) hold.status = "Posted"
    a.holds -= released
    a.balance += invoice.total
    invoice.status = "Sent"
    return "ok"
  }

  /** Applies a completed payment; returns the refusal's tag, if any. */
  private complete(p: MPayment): string | undefined {
    const invoice = this.invoices[p.invoice]!
    const a = this.accounts[invoice.account]!
    if (!this.payable(invoice)) return "InvoiceNotPayable"
    if (p.amount > this.outstanding(invoice)) return "PaymentExceedsOutstanding"
    if (p.fromWallet && a.wallet < p.amount) return "InsufficientWalletBalance"
    invoice.paid += p.amount
    a.balance -= p.amount
    if (p.fromWallet) a.wallet -= p.amount
    this.settle(invoice)
    return undefined
  }
}

/** Runs `op` on the model and on the real system: the outcomes, every figure and the invariants must agree. */
const opCommand = Operations.command<Op, Model, Real>(async (op, model, real) => {
  const expected = model.apply(op)
  const actual = await applyOp(real, op)
  expect(actual, Operations.show(op)).toBe(expected)
  const state = await readAll(real)
  expect(
    state.accounts.map((a) => ({
      limit: a.creditLimitMinor,
      approved: a.isCreditApproved,
      balance: a.balanceMinor,
      holds: a.holdsMinor,
      wallet: a.walletBalanceMinor
    }))
  ).toEqual(model.accounts)
  expect(state.invoices.map((i) => [i.status, i.totalMinor, i.amountPaidMinor, i.amountCreditedMinor, i.dueDate]))
    .toEqual(model.invoices.map((i) => [i.status, i.total, i.paid, i.credited, i.dueDate]))
  expect(state.holds.map((h) => [h.status, h.amountMinor])).toEqual(model.holds.map((h) => [h.status, h.amount]))
  expect(state.payments.map((p) => [p.status, p.baseAmountMinor, p.fromWallet])).toEqual(
    model.payments.map((p) => [p.status, p.amount, p.fromWallet])
  )
  checkInvariants(state, undefined)
})

describe("model-based", () => {
  it("billing commands agree with the reference model on every outcome and figure (fc.commands)", async () => {
    const commands = fc.commands([opArb.map(opCommand)], { maxCommands: 40 })
    const prefix = fc.constant(null).chain(() => scenarioArb.map((ops) => ops.slice(0, 3).map(opCommand)))
    await fc.assert(
      fc.asyncProperty(prefix, commands, (setup, cmds) =>
        withReal(async (real) => {
          const model = new Model()
          for (const c of setup) await c.run(model, real)
          await fc.asyncModelRun(() => ({ model, real }), cmds)
        })),
      { numRuns: 120 }
    )
  }, 120_000)
})
