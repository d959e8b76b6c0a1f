import { describe, it, expect } from "@effect/vitest"
import { Effect } from "effect"
import { ClientAccounts, CreditNotes, Invoices, Jobs, Payments } from "../src/index.ts"
import { customerId, financeManager, openAccount, sentInvoice, draftInvoice } from "../src/testing/index.ts"
import {
  type AnyCommand,
  assertJunkRefused,
  assertUnstorableTextRefused,
  assertValidInputs,
  type Case,
  notObjects,
  refused
} from "./junk.ts"
import { type Real, withReal } from "./world.ts"

/** A world with one of everything, and one valid input per command against it (all run by a finance manager). */
const prepare = (real: Real) =>
  real.runtime.runPromise(Effect.gen(function*() {
    const fm = financeManager()
    const account = yield* openAccount({ creditLimitMinor: 1_000_000n })
    const draft = yield* draftInvoice(account.id, 1_000n)
    const sent = yield* sentInvoice(account.id, 1_000n)
    const hold = yield* ClientAccounts.reserveCredit(fm, { accountId: account.id, amountMinor: 10n })
    const { payment } = yield* Payments.recordPayment(fm, {
      invoiceId: sent.id,
      amountMinor: 10n,
      currency: "KZT",
      method: "CHECK",
      status: "Pending"
    })
    const inputs: ReadonlyArray<readonly [string, AnyCommand, Record<string, unknown>]> = [
      ["openAccount", ClientAccounts.openAccount, { customerId: customerId(), currency: "KZT" }],
      ["setCreditTerms", ClientAccounts.setCreditTerms, {
        accountId: account.id,
        creditLimitMinor: 5_000_000n,
        isCreditApproved: true
      }],
      ["reserveCredit", ClientAccounts.reserveCredit, {
        accountId: account.id,
        amountMinor: 5n,
        holdTimeoutSeconds: 60,
        reference: "order 1"
      }],
      ["voidCreditHold", ClientAccounts.voidCreditHold, { holdId: hold.id }],
      ["topUpWallet", ClientAccounts.topUpWallet, { accountId: account.id, amountMinor: 5n }],
      ["createInvoice", Invoices.createInvoice, {
        accountId: account.id,
        invoiceNumber: "INV-BAD-1",
        issueDate: "2026-01-01",
        dueDate: "2026-01-31",
        items: [{ description: "x", quantity: "1", unit: "pcs", unitPriceMinor: 100 }],
        depositRequired: true,
        depositAmountMinor: 10,
        notes: "n"
      }],
      ["issueInvoice", Invoices.issueInvoice, { invoiceId: draft.id, holdId: hold.id }],
      ["issuePaidInvoice", Invoices.issuePaidInvoice, {
        invoiceId: draft.id,
        payment: { amountMinor: 1_120n, currency: "KZT", method: "CARD", reference: "r" }
      }],
      ["markInvoiceViewed", Invoices.markInvoiceViewed, { invoiceId: sent.id }],
      ["voidInvoice", Invoices.voidInvoice, { invoiceId: sent.id, reason: "r" }],
      ["deleteDraftInvoice", Invoices.deleteDraftInvoice, { invoiceId: draft.id }],
      ["recordPayment", Payments.recordPayment, {
        invoiceId: sent.id,
        amountMinor: 5n,
        currency: "USD",
        exchangeRate: "45.5",
        method: "CASH",
        paymentDate: "2026-01-05",
        reference: "r",
        status: "Completed",
        fromWallet: false
      }],
      ["changePaymentStatus", Payments.changePaymentStatus, { paymentId: payment.id, status: "Completed" }],
      ["issueCreditNote", CreditNotes.issueCreditNote, { invoiceId: sent.id, amountMinor: 5n, reason: "r" }],
      ["markOverdueInvoices", Jobs.markOverdueInvoices, { batchSizeMax: 10 }],
      ["sendInvoiceReminders", Jobs.sendInvoiceReminders, { batchSizeMax: 10 }],
      ["expireCreditHolds", Jobs.expireCreditHolds, { batchSizeMax: 10 }]
    ]
    const cases = inputs.map(([name, command, input]): Case => [name, command, input, fm])
    const queryInputs: ReadonlyArray<readonly [string, AnyCommand, Record<string, unknown>]> = [
      ["getAccount", ClientAccounts.getAccount, { accountId: account.id }],
      ["findAccountByCustomer", ClientAccounts.findAccountByCustomer, { customerId: account.customerId }],
      ["accountStatement", ClientAccounts.accountStatement, { accountId: account.id, afterSequence: 0, limit: 10 }],
      ["listCreditNotes", CreditNotes.listCreditNotes, { invoiceId: sent.id }],
      ["getInvoice", Invoices.getInvoice, { invoiceId: sent.id }],
      ["listInvoices", Invoices.listInvoices, { accountId: account.id, status: "Sent", limit: 10 }],
      ["invoiceEvents", Invoices.invoiceEvents, { invoiceId: sent.id }],
      ["getPayment", Payments.getPayment, { paymentId: payment.id }],
      ["listPayments", Payments.listPayments, { invoiceId: sent.id }]
    ]
    const queries = queryInputs.map(([name, command, input]): Case => [name, command, input, fm])
    return { cases, queries, account, sent, draft }
  }))

describe("bad input", () => {
  it(
    "every command fed junk in any field returns a ValidationError and changes no table",
    () =>
      withReal(async (real) => {
        const { cases } = await prepare(real)
        // the valid inputs really are valid (else the test below proves nothing)
        await assertValidInputs(prepare, cases.map(([name]) => name))
        await assertJunkRefused(real, cases, {
          fields: 300,
          whole: 200,
          actor: 100,
          allOptional: ["markOverdueInvoices", "sendInvoiceReminders", "expireCreditHolds"]
        })
      }),
    120_000
  )

  it(
    "issue 13: NUL or a lone surrogate in any text field of any command or query: ValidationError, no change",
    () =>
      withReal(async (real) => {
        const { cases, queries } = await prepare(real)
        await assertValidInputs(
          async (probe) => ({ cases: (await prepare(probe)).queries }),
          queries.map(([name]) => name)
        )
        const tried = await assertUnstorableTextRefused(real, [...cases, ...queries])
        expect(tried).toEqual(
          expect.arrayContaining([
            "reserveCredit: reference",
            "createInvoice: invoiceNumber",
            "createInvoice: items.0.description",
            "createInvoice: items.0.unit",
            "createInvoice: notes",
            "issuePaidInvoice: payment.reference",
            "voidInvoice: reason",
            "recordPayment: reference",
            "issueCreditNote: reason"
          ])
        )
      }),
    120_000
  )

  it(
    "issue 13: commands and queries whose every field is optional still refuse an input that is not an object",
    () =>
      withReal(async (real) => {
        const { cases, queries } = await prepare(real)
        const allOptional = ["markOverdueInvoices", "sendInvoiceReminders", "expireCreditHolds", "listInvoices"]
        const targets = [...cases, ...queries].filter(([name]) => allOptional.includes(name))
        expect(targets.map(([name]) => name).sort()).toEqual([...allOptional].sort())
        for (const [, command, , actor] of targets) {
          for (const junk of notObjects) await refused(real, command, actor, junk, "ValidationError")
        }
      }),
    120_000
  )

  it(
    "well-typed but wrong inputs (mixed currencies, huge amounts, missing records) give typed errors, change nothing",
    () =>
      withReal(async (real) => {
        const { account, sent, draft } = await prepare(real)
        const fm = financeManager()
        const missing = "0e000000-0000-7000-8000-0000000000ff"
        const line = { description: "x", quantity: "9999999.999", unitPriceMinor: 10n ** 15n }
        const create = { accountId: account.id, invoiceNumber: "INV-Z", issueDate: "2026-01-01", dueDate: "2026-01-31" }
        await refused(real, Payments.recordPayment, fm, {
          invoiceId: sent.id,
          amountMinor: 5n,
          currency: "EUR",
          method: "CASH"
        }, "InvalidExchangeRate")
        await refused(real, Payments.recordPayment, fm, {
          invoiceId: sent.id,
          amountMinor: 5n,
          currency: "USD",
          method: "CASH",
          fromWallet: true,
          exchangeRate: "1"
        }, "InvalidExchangeRate")
        await refused(real, Payments.recordPayment, fm, {
          invoiceId: sent.id,
          amountMinor: 10n ** 15n,
          currency: "KZT",
          method: "CASH"
        }, "PaymentExceedsOutstanding")
        await refused(real, Payments.recordPayment, fm, {
          invoiceId: sent.id,
          amountMinor: 10n ** 15n,
          currency: "USD",
          exchangeRate: "500",
          method: "CASH"
        }, "AmountOutOfRange")
        await refused(real, Payments.recordPayment, fm, {
          invoiceId: draft.id,
          amountMinor: 1n,
          currency: "KZT",
          method: "CASH"
        }, "InvoiceNotPayable")
        await refused(real, Payments.recordPayment, fm, {
          invoiceId: missing,
          amountMinor: 1n,
          currency: "KZT",
          method: "CASH"
        }, "NotFound")
        await refused(real, Invoices.createInvoice, fm, { ...create, items: [line] }, "AmountOutOfRange")
        await refused(real, Invoices.createInvoice, fm, {
          ...create,
          items: Array.from({ length: 300 }, () => ({ ...line, quantity: "1" }))
        }, "AmountOutOfRange")
        await refused(real, Invoices.createInvoice, fm, {
          ...create,
          dueDate: "2025-12-31",
          items: [{ ...line, quantity: "1", unitPriceMinor: 1 }]
        }, "DueDateBeforeIssueDate")
        await refused(real, Invoices.createInvoice, fm, {
          ...create,
          accountId: missing,
          items: [{ ...line, quantity: "1", unitPriceMinor: 1 }]
        }, "NotFound")
        await refused(real, Invoices.createInvoice, fm, {
          ...create,
          invoiceNumber: "x".repeat(10_240),
          items: [{ ...line, quantity: "1", unitPriceMinor: 1 }]
        }, "ValidationError")
        await refused(real, Invoices.createInvoice, fm, {
          ...create,
          items: [{ ...line, quantity: "1", unitPriceMinor: 1, discount: { _tag: "Amount", amountMinor: 2 } }]
        }, "ValidationError")
        await refused(real, CreditNotes.issueCreditNote, fm, {
          invoiceId: sent.id,
          amountMinor: 10n ** 15n,
          reason: "r"
        }, "CreditNoteExceedsOutstanding")
        await refused(
          real,
          ClientAccounts.reserveCredit,
          fm,
          { accountId: account.id, amountMinor: 10n ** 15n },
          "CreditLimitExceeded"
        )
        await refused(
          real,
          ClientAccounts.topUpWallet,
          fm,
          { accountId: account.id, amountMinor: 10n ** 15n + 1n },
          "ValidationError"
        )
        await refused(
          real,
          ClientAccounts.setCreditTerms,
          fm,
          { accountId: account.id, creditLimitMinor: 0n },
          "CreditLimitBelowExposure"
        )
        await refused(real, Invoices.issueInvoice, fm, { invoiceId: draft.id, holdId: missing }, "NotFound")
        await refused(real, Payments.changePaymentStatus, fm, { paymentId: missing, status: "Completed" }, "NotFound")
      }),
    120_000
  )
})
