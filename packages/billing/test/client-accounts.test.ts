import { Actor } from "@erpkit/kernel"
import { actor, tenantB } from "@erpkit/kernel/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ClientAccount, ClientAccounts, Invoices, Ledger, Payments } from "../src/index.ts"
import {
  accountsManager,
  customerId,
  draftInvoice,
  financeManager,
  openAccount,
  salesManager,
  sentInvoice
} from "../src/testing/index.ts"
import { failure, failureTag, fresh } from "./helpers.ts"

describe("client accounts and the ledger", () => {
  it.effect("BIL-CA-01 credit limit and approval are changed only by Accounts Manager or Finance Manager", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount()
      const terms = { accountId: account.id, creditLimitMinor: 5_000n, isCreditApproved: true }
      for (const role of ["Sales Manager", "Sales Rep", "Admin", "owner", "staff", "customer", "Dispatcher"] as const) {
        const error = yield* failure(ClientAccounts.setCreditTerms(actor([role]), terms))
        expect(error._tag).toBe("Forbidden")
      }
      expect((yield* ClientAccounts.getAccount(financeManager(), { accountId: account.id })).creditLimitMinor).toBe(0n)
      const byAm = yield* ClientAccounts.setCreditTerms(accountsManager(), terms)
      expect(byAm.creditLimitMinor).toBe(5_000n)
      const byFm = yield* ClientAccounts.setCreditTerms(financeManager(), {
        accountId: account.id,
        isCreditApproved: false
      })
      expect(byFm.isCreditApproved).toBe(false)
      expect(byFm.creditLimitMinor).toBe(5_000n)
      // opening an account sets no credit
      const opened = yield* ClientAccounts.openAccount(salesManager(), { customerId: customerId(), currency: "USD" })
      expect([opened.creditLimitMinor, opened.isCreditApproved]).toEqual([0n, false])
    })))

  it.effect("BIL-CA-02 credit check: work beyond available credit fails; success lowers available credit", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 1_000n })
      const tooMuch = yield* failure(ClientAccounts.reserveCredit(fm, { accountId: account.id, amountMinor: 1_001n }))
      expect(tooMuch).toMatchObject({ _tag: "CreditLimitExceeded", availableMinor: 1_000n, requestedMinor: 1_001n })
      const hold = yield* ClientAccounts.reserveCredit(fm, { accountId: account.id, amountMinor: 600n })
      expect(hold.status).toBe("Pending")
      const afterHold = yield* ClientAccounts.getAccount(fm, { accountId: account.id })
      expect([afterHold.holdsMinor, ClientAccount.availableCredit(afterHold)]).toEqual([600n, 400n])
      // an invoice (total 448 = 400 + 12 % VAT) needs 448 of the 400 left
      const draft = yield* draftInvoice(account.id, 400n)
      expect(yield* failure(Invoices.issueInvoice(fm, { invoiceId: draft.id }))).toMatchObject({
        _tag: "CreditLimitExceeded",
        availableMinor: 400n,
        requestedMinor: 448n
      })
      // consuming the hold: the hold covers 600 of it, so it fits
      const issued = yield* Invoices.issueInvoice(fm, { invoiceId: draft.id, holdId: hold.id })
      expect(issued.status).toBe("Sent")
      const after = yield* ClientAccounts.getAccount(fm, { accountId: account.id })
      expect([after.holdsMinor, after.balanceMinor, ClientAccount.availableCredit(after)]).toEqual([0n, 448n, 552n])
      // without approval no work on credit at all
      const unapproved = yield* openAccount({ creditLimitMinor: 1_000n, approved: false })
      expect(yield* failureTag(ClientAccounts.reserveCredit(fm, { accountId: unapproved.id, amountMinor: 1n }))).toBe(
        "CreditNotApproved"
      )
      const draft2 = yield* draftInvoice(unapproved.id, 10n)
      expect(yield* failureTag(Invoices.issueInvoice(fm, { invoiceId: draft2.id }))).toBe("CreditNotApproved")
      // the limit cannot drop below what is owed plus held
      expect(yield* failure(ClientAccounts.setCreditTerms(fm, { accountId: account.id, creditLimitMinor: 447n })))
        .toMatchObject({ _tag: "CreditLimitBelowExposure", exposureMinor: 448n })
    })))

  it.effect("BIL-CA-02 concurrent reservations never oversubscribe the credit limit", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 1_000n })
      const results = yield* Effect.forEach(
        Array.from({ length: 12 }),
        () => Effect.result(ClientAccounts.reserveCredit(fm, { accountId: account.id, amountMinor: 200n })),
        { concurrency: "unbounded" }
      )
      expect(results.filter((r) => r._tag === "Success")).toHaveLength(5)
      expect(results.filter((r) => r._tag === "Failure").map((r) => r._tag === "Failure" && r.failure._tag)).toEqual(
        Array(7).fill("CreditLimitExceeded")
      )
      const after = yield* ClientAccounts.getAccount(fm, { accountId: account.id })
      expect([after.holdsMinor, ClientAccount.availableCredit(after)]).toEqual([1_000n, 0n])
    })))

  it.effect("BIL-CA-02 a hold is posted, voided or expired once; releasing it restores available credit", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 1_000n })
      const hold = yield* ClientAccounts.reserveCredit(fm, { accountId: account.id, amountMinor: 700n })
      const voided = yield* ClientAccounts.voidCreditHold(fm, { holdId: hold.id })
      expect(voided.status).toBe("Voided")
      expect((yield* ClientAccounts.getAccount(fm, { accountId: account.id })).holdsMinor).toBe(0n)
      expect(yield* failureTag(ClientAccounts.voidCreditHold(fm, { holdId: hold.id }))).toBe("Immutable")
      const draft = yield* draftInvoice(account.id, 100n)
      expect(yield* failureTag(Invoices.issueInvoice(fm, { invoiceId: draft.id, holdId: hold.id }))).toBe("Immutable")
      // a hold of another account cannot be consumed
      const other = yield* openAccount({ creditLimitMinor: 1_000n })
      const otherHold = yield* ClientAccounts.reserveCredit(fm, { accountId: other.id, amountMinor: 500n })
      expect(yield* failureTag(Invoices.issueInvoice(fm, { invoiceId: draft.id, holdId: otherHold.id }))).toBe(
        "CreditHoldMismatch"
      )
    })))

  it.effect("BIL-CA-03 each account transaction updates available credit (receivable) or the wallet balance", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 10_000n })
      const topUp = yield* ClientAccounts.topUpWallet(fm, { accountId: account.id, amountMinor: 500n })
      expect([topUp.account.walletBalanceMinor, topUp.account.balanceMinor]).toEqual([500n, 0n])
      expect(topUp.transaction).toMatchObject({ kind: "WalletTopUp", amountMinor: 0n, walletAmountMinor: 500n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      const afterDebit = yield* ClientAccounts.getAccount(fm, { accountId: account.id })
      expect(ClientAccount.availableCredit(afterDebit)).toBe(10_000n - 1_120n)
      const paid = yield* Payments.recordPayment(fm, {
        invoiceId: invoice.id,
        amountMinor: 300n,
        currency: "KZT",
        method: "OTHER",
        fromWallet: true
      })
      expect(paid.payment.fromWallet).toBe(true)
      const afterWallet = yield* ClientAccounts.getAccount(fm, { accountId: account.id })
      expect([afterWallet.walletBalanceMinor, afterWallet.balanceMinor]).toEqual([200n, 820n])
      expect(
        yield* failure(
          Payments.recordPayment(fm, {
            invoiceId: invoice.id,
            amountMinor: 201n,
            currency: "KZT",
            method: "OTHER",
            fromWallet: true
          })
        )
      ).toMatchObject({ _tag: "InsufficientWalletBalance", walletBalanceMinor: 200n, requestedMinor: 201n })
      const statement = yield* ClientAccounts.accountStatement(fm, { accountId: account.id })
      expect(statement.map((t) => [t.kind, t.amountMinor, t.walletAmountMinor])).toEqual([
        ["WalletTopUp", 0n, 500n],
        ["InvoiceIssued", 1_120n, 0n],
        ["PaymentReceived", -300n, -300n]
      ])
    })))

  it.effect("BIL-CA-04 a completed payment updates last_payment_date (never backwards)", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 10_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      yield* Payments.recordPayment(fm, {
        invoiceId: invoice.id,
        amountMinor: 100n,
        currency: "KZT",
        method: "CASH",
        paymentDate: "2026-02-03"
      })
      expect((yield* ClientAccounts.getAccount(fm, { accountId: account.id })).lastPaymentDate).toBe("2026-02-03")
      yield* Payments.recordPayment(fm, {
        invoiceId: invoice.id,
        amountMinor: 100n,
        currency: "KZT",
        method: "CASH",
        paymentDate: "2026-01-20"
      })
      expect((yield* ClientAccounts.getAccount(fm, { accountId: account.id })).lastPaymentDate).toBe("2026-02-03")
      // a pending payment is not a payment yet
      const pending = yield* Payments.recordPayment(fm, {
        invoiceId: invoice.id,
        amountMinor: 100n,
        currency: "KZT",
        method: "CHECK",
        paymentDate: "2026-03-01",
        status: "Pending"
      })
      expect((yield* ClientAccounts.getAccount(fm, { accountId: account.id })).lastPaymentDate).toBe("2026-02-03")
      yield* Payments.changePaymentStatus(fm, { paymentId: pending.payment.id, status: "Completed" })
      expect((yield* ClientAccounts.getAccount(fm, { accountId: account.id })).lastPaymentDate).toBe("2026-03-01")
    })))

  it.effect("BIL-AT-01 a payment creates a credit account transaction", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 10_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      const { payment } = yield* Payments.recordPayment(fm, {
        invoiceId: invoice.id,
        amountMinor: 120n,
        currency: "KZT",
        method: "CARD"
      })
      const last = (yield* ClientAccounts.accountStatement(fm, { accountId: account.id })).at(-1)!
      expect(last).toMatchObject({
        kind: "PaymentReceived",
        amountMinor: -120n,
        sourceId: payment.id,
        invoiceId: invoice.id,
        runningBalanceMinor: 1_000n
      })
    })))

  it.effect("BIL-AT-02 a new (issued) invoice creates a debit account transaction", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 10_000n })
      const draft = yield* draftInvoice(account.id, 1_000n)
      expect(yield* ClientAccounts.accountStatement(fm, { accountId: account.id })).toEqual([])
      yield* Invoices.issueInvoice(fm, { invoiceId: draft.id })
      const statement = yield* ClientAccounts.accountStatement(fm, { accountId: account.id })
      expect(statement).toHaveLength(1)
      expect(statement[0]).toMatchObject({
        kind: "InvoiceIssued",
        amountMinor: 1_120n,
        sourceId: draft.id,
        sequence: 1,
        runningBalanceMinor: 1_120n
      })
    })))

  it.effect("BIL-AT-03 running_balance = previous running_balance + amount, gap-free per account", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const a = yield* openAccount({ creditLimitMinor: 100_000n })
      const b = yield* openAccount({ creditLimitMinor: 100_000n })
      const i1 = yield* sentInvoice(a.id, 1_000n)
      yield* sentInvoice(b.id, 5_000n)
      const i2 = yield* sentInvoice(a.id, 2_000n)
      yield* Payments.recordPayment(fm, { invoiceId: i1.id, amountMinor: 1_120n, currency: "KZT", method: "CASH" })
      yield* Invoices.voidInvoice(fm, { invoiceId: i2.id, reason: "duplicate" })
      const statement = yield* ClientAccounts.accountStatement(fm, { accountId: a.id })
      expect(statement.map((t) => t.sequence)).toEqual([1, 2, 3, 4])
      statement.forEach((t, i) =>
        expect(t.runningBalanceMinor).toBe((i === 0 ? 0n : statement[i - 1]!.runningBalanceMinor) + t.amountMinor)
      )
      const account = yield* ClientAccounts.getAccount(fm, { accountId: a.id })
      expect(Ledger.chainsTo(account, statement)).toBe(true)
      expect(account.balanceMinor).toBe(0n)
      expect((yield* ClientAccounts.accountStatement(fm, { accountId: b.id })).map((t) => t.sequence)).toEqual([1])
    })))

  it.effect("TEN-01 an account of another tenant is NotFound", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 100n })
      expect(yield* failureTag(ClientAccounts.getAccount(financeManager(tenantB), { accountId: account.id }))).toBe(
        "NotFound"
      )
      expect(
        yield* failureTag(
          ClientAccounts.reserveCredit(financeManager(tenantB), { accountId: account.id, amountMinor: 1n })
        )
      ).toBe("NotFound")
      expect(
        yield* failureTag(
          ClientAccounts.reserveCredit(Actor.system(tenantB), { accountId: account.id, amountMinor: 1n })
        )
      ).toBe("NotFound")
    })))
})
