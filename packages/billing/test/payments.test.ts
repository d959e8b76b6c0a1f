import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Command } from "@erpkit/kernel"
import { ClientAccounts, CreditNotes, Invoices, Payment, Payments } from "../src/index.ts"
import { draftInvoice, financeManager, openAccount, sentInvoice } from "../src/testing/index.ts"
import { failure, failureTag, fresh } from "./helpers.ts"

const fm = () => financeManager()

describe("payments and credit notes", () => {
  it.effect("BIL-PAY-01 payment amount is positive", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 10_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      for (const amountMinor of [0, 0n, -1n, "-100", Number.NaN, 0.5]) {
        expect(
          yield* failureTag(
            Payments.recordPayment(fm(), { invoiceId: invoice.id, amountMinor, currency: "KZT", method: "CASH" })
          )
        ).toBe("ValidationError")
      }
      expect((yield* Invoices.getInvoice(fm(), { invoiceId: invoice.id })).amountPaidMinor).toBe(0n)
    })))

  it.effect("BIL-PAY-02 a payment references an existing invoice that is not Paid or Void", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 10_000n })
      const missing = "0e000000-0000-7000-8000-000000000999"
      expect(
        yield* failure(
          Payments.recordPayment(fm(), { invoiceId: missing, amountMinor: 1n, currency: "KZT", method: "CASH" })
        )
      ).toMatchObject({ _tag: "NotFound", entity: "Invoice" })
      const paid = yield* sentInvoice(account.id, 100n)
      yield* Payments.recordPayment(fm(), { invoiceId: paid.id, amountMinor: 112n, currency: "KZT", method: "CASH" })
      expect(
        yield* failure(
          Payments.recordPayment(fm(), { invoiceId: paid.id, amountMinor: 1n, currency: "KZT", method: "CASH" })
        )
      ).toMatchObject({ _tag: "InvoiceNotPayable", status: "Paid" })
      const voided = yield* sentInvoice(account.id, 100n)
      yield* Invoices.voidInvoice(fm(), { invoiceId: voided.id, reason: "x" })
      expect(
        yield* failure(
          Payments.recordPayment(fm(), {
            invoiceId: voided.id,
            amountMinor: 1n,
            currency: "KZT",
            method: "CASH",
            status: "Pending"
          })
        )
      ).toMatchObject({ _tag: "InvoiceNotPayable", status: "Void" })
    })))

  it.effect("BIL-PAY-03 a payment never exceeds amount_outstanding (after credit notes; pending ones re-checked)", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 10_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      yield* CreditNotes.issueCreditNote(fm(), { invoiceId: invoice.id, amountMinor: 120n, reason: "discount" })
      expect(
        yield* failure(
          Payments.recordPayment(fm(), { invoiceId: invoice.id, amountMinor: 1_001n, currency: "KZT", method: "CASH" })
        )
      ).toMatchObject({ _tag: "PaymentExceedsOutstanding", outstandingMinor: 1_000n, baseAmountMinor: 1_001n })
      const a = yield* Payments.recordPayment(fm(), {
        invoiceId: invoice.id,
        amountMinor: 700n,
        currency: "KZT",
        method: "CHECK",
        status: "Pending"
      })
      const b = yield* Payments.recordPayment(fm(), {
        invoiceId: invoice.id,
        amountMinor: 700n,
        currency: "KZT",
        method: "CHECK",
        status: "Pending"
      })
      yield* Payments.changePaymentStatus(fm(), { paymentId: a.payment.id, status: "Completed" })
      expect(yield* failure(Payments.changePaymentStatus(fm(), { paymentId: b.payment.id, status: "Completed" })))
        .toMatchObject({ _tag: "PaymentExceedsOutstanding", outstandingMinor: 300n, baseAmountMinor: 700n })
      expect((yield* Payments.getPayment(fm(), { paymentId: b.payment.id })).status).toBe("Pending")
      expect((yield* Invoices.getInvoice(fm(), { invoiceId: invoice.id })).amountPaidMinor).toBe(700n)
    })))

  it.effect("BIL-PAY-04 a payment in a terminal state (Completed, Failed, Cancelled) is immutable", () =>
    fresh(Effect.gen(function*() {
      expect([...Payment.machine.terminal].sort()).toEqual(["Cancelled", "Completed", "Failed"])
      const account = yield* openAccount({ creditLimitMinor: 10_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      const completed = yield* Payments.recordPayment(fm(), {
        invoiceId: invoice.id,
        amountMinor: 10n,
        currency: "KZT",
        method: "CASH"
      })
      const failed = yield* Payments.recordPayment(fm(), {
        invoiceId: invoice.id,
        amountMinor: 10n,
        currency: "KZT",
        method: "CARD",
        status: "Processing"
      })
      yield* Payments.changePaymentStatus(fm(), { paymentId: failed.payment.id, status: "Failed" })
      const cancelled = yield* Payments.recordPayment(fm(), {
        invoiceId: invoice.id,
        amountMinor: 10n,
        currency: "KZT",
        method: "CHECK",
        status: "Pending"
      })
      yield* Payments.changePaymentStatus(fm(), { paymentId: cancelled.payment.id, status: "Cancelled" })
      for (const id of [completed.payment.id, failed.payment.id, cancelled.payment.id]) {
        const before = yield* Payments.getPayment(fm(), { paymentId: id })
        for (const status of Payment.machine.states) {
          expect(yield* failure(Payments.changePaymentStatus(fm(), { paymentId: id, status }))).toMatchObject({
            _tag: "Immutable",
            state: before.status
          })
        }
        expect(yield* Payments.getPayment(fm(), { paymentId: id })).toEqual(before)
      }
      expect((yield* Invoices.getInvoice(fm(), { invoiceId: invoice.id })).amountPaidMinor).toBe(10n)
    })))

  it.effect("BIL-PAY-05 methods and currencies with exchange rate and base amount (exact, half-up once)", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 100_000_000n })
      const invoice = yield* sentInvoice(account.id, 50_000_000n) // 560 000.00 KZT
      for (const method of Payment.PaymentMethod.literals) {
        const { payment } = yield* Payments.recordPayment(fm(), {
          invoiceId: invoice.id,
          amountMinor: 1n,
          currency: "KZT",
          method
        })
        expect([payment.method, payment.baseAmountMinor, payment.exchangeRate]).toEqual([method, 1n, {
          numerator: 1n,
          denominator: 1n
        }])
      }
      expect(
        yield* failureTag(
          Command.untyped(Payments.recordPayment)(fm(), {
            invoiceId: invoice.id,
            amountMinor: 1n,
            currency: "KZT",
            method: "CRYPTO"
          })
        )
      ).toBe("ValidationError")
      expect(
        yield* failure(
          Payments.recordPayment(fm(), { invoiceId: invoice.id, amountMinor: 100n, currency: "USD", method: "CARD" })
        )
      ).toMatchObject({ _tag: "InvalidExchangeRate", paymentCurrency: "USD", invoiceCurrency: "KZT" })
      expect(
        yield* failureTag(
          Payments.recordPayment(fm(), {
            invoiceId: invoice.id,
            amountMinor: 100n,
            currency: "KZT",
            exchangeRate: "2",
            method: "CARD"
          })
        )
      ).toBe("InvalidExchangeRate")
      // 123.45 USD at 450.123456 KZT/USD = 55 567.740643… KZT → 5 556 774 minor units
      const usd = yield* Payments.recordPayment(fm(), {
        invoiceId: invoice.id,
        amountMinor: 12_345n,
        currency: "USD",
        exchangeRate: "450.123456",
        method: "BANK_TRANSFER"
      })
      expect([usd.payment.amountMinor, usd.payment.currency, usd.payment.baseAmountMinor, usd.payment.baseCurrency])
        .toEqual([12_345n, "USD", 5_556_774n, "KZT"])
      expect(usd.invoice.amountPaidMinor).toBe(5n + 5_556_774n)
      // JPY (no decimals) at 3.2 KZT/JPY: 1 000 JPY = 3 200.00 KZT
      const jpy = yield* Payments.recordPayment(fm(), {
        invoiceId: invoice.id,
        amountMinor: 1_000n,
        currency: "JPY",
        exchangeRate: "3.2",
        method: "CARD"
      })
      expect(jpy.payment.baseAmountMinor).toBe(320_000n)
      const statement = yield* ClientAccounts.accountStatement(fm(), { accountId: account.id })
      expect(statement.at(-2)!.amountMinor).toBe(-5_556_774n)
      expect(
        yield* failureTag(
          Payments.recordPayment(fm(), {
            invoiceId: invoice.id,
            amountMinor: 1n,
            currency: "USD",
            exchangeRate: "0.001",
            method: "CARD"
          })
        )
      ).toBe("InvalidExchangeRate")
      expect(
        yield* failureTag(
          Payments.recordPayment(fm(), {
            invoiceId: invoice.id,
            amountMinor: 1n,
            currency: "USD",
            exchangeRate: "0",
            method: "CARD"
          })
        )
      ).toBe("ValidationError")
    })))

  it.effect("BIL-CN-01 credit note amount is positive", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 10_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      for (const amountMinor of [0n, -1n, "0", -0.0]) {
        expect(
          yield* failureTag(CreditNotes.issueCreditNote(fm(), { invoiceId: invoice.id, amountMinor, reason: "r" }))
        ).toBe("ValidationError")
      }
      expect(yield* CreditNotes.listCreditNotes(fm(), { invoiceId: invoice.id })).toEqual([])
    })))

  it.effect("BIL-CN-02 a credit note never exceeds the invoice's amount_outstanding", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 10_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      yield* Payments.recordPayment(fm(), {
        invoiceId: invoice.id,
        amountMinor: 1_000n,
        currency: "KZT",
        method: "CASH"
      })
      expect(
        yield* failure(CreditNotes.issueCreditNote(fm(), { invoiceId: invoice.id, amountMinor: 121n, reason: "r" }))
      ).toMatchObject({ _tag: "CreditNoteExceedsOutstanding", outstandingMinor: 120n, amountMinor: 121n })
      const { invoice: settled } = yield* CreditNotes.issueCreditNote(fm(), {
        invoiceId: invoice.id,
        amountMinor: 120n,
        reason: "rounding"
      })
      expect([settled.status, settled.amountOutstandingMinor, settled.balanceDueMinor]).toEqual(["Paid", 0n, 120n])
      expect((yield* ClientAccounts.getAccount(fm(), { accountId: account.id })).balanceMinor).toBe(0n)
    })))

  it.effect("BIL-CN-03 a credit note is created only for an invoice that is not Paid or Void (nor a Draft)", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 10_000n })
      const draft = yield* draftInvoice(account.id, 100n)
      expect(yield* failure(CreditNotes.issueCreditNote(fm(), { invoiceId: draft.id, amountMinor: 1n, reason: "r" })))
        .toMatchObject({ _tag: "InvoiceNotPayable", status: "Draft" })
      const paid = yield* sentInvoice(account.id, 100n)
      yield* Payments.recordPayment(fm(), { invoiceId: paid.id, amountMinor: 112n, currency: "KZT", method: "CASH" })
      expect(yield* failure(CreditNotes.issueCreditNote(fm(), { invoiceId: paid.id, amountMinor: 1n, reason: "r" })))
        .toMatchObject({ _tag: "InvoiceNotPayable", status: "Paid" })
      const voided = yield* sentInvoice(account.id, 100n)
      yield* Invoices.voidInvoice(fm(), { invoiceId: voided.id, reason: "x" })
      expect(yield* failure(CreditNotes.issueCreditNote(fm(), { invoiceId: voided.id, amountMinor: 1n, reason: "r" })))
        .toMatchObject({ _tag: "InvoiceNotPayable", status: "Void" })
    })))

  it.effect("idempotency: same key and input gives the first result; other input with it is IdempotencyKeyReused", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 10_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      const input = { invoiceId: invoice.id, amountMinor: 100n, currency: "KZT", method: "CASH" } as const
      const first = yield* Payments.recordPayment(fm(), input, { idempotencyKey: "pay-1" })
      const again = yield* Payments.recordPayment(fm(), input, { idempotencyKey: "pay-1" })
      expect(again.payment).toEqual(first.payment)
      expect((yield* Payments.listPayments(fm(), { invoiceId: invoice.id })).length).toBe(1)
      expect(
        yield* failureTag(Payments.recordPayment(fm(), { ...input, amountMinor: 101n }, { idempotencyKey: "pay-1" }))
      ).toBe("IdempotencyKeyReused")
    })))
})
