import { AuditLog } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import { TestClock } from "effect/testing"
import { ClientAccount, ClientAccounts, CreditNotes, Invoice, Invoices, Jobs, Payments } from "../src/index.ts"
import {
  accountsManager,
  customerUser,
  draftInvoice,
  financeManager,
  invoiceNumber,
  openAccount,
  sentInvoice,
  snapshot,
  system
} from "../src/testing/index.ts"
import { failure, failureTag, fresh } from "./helpers.ts"

const pay = (invoiceId: string, amountMinor: bigint) =>
  Payments.recordPayment(financeManager(), { invoiceId, amountMinor, currency: "KZT", method: "BANK_TRANSFER" })

/** BIL-INV-01 as the rule states it, written out here (not read from `Invoice.machine`). */
const lifecycle = [
  "Draft→Sent",
  "Draft→Paid",
  "Draft→Void",
  "Sent→Overdue",
  "Sent→Paid",
  "Sent→Void",
  "Overdue→Paid",
  "Overdue→Void"
]

/** An invoice of 1 120.00 (1 000.00 + 12 % VAT) due 2026-01-31, in `status`, with the clock on 2026-02-02. */
const invoiceIn = (status: Invoice.InvoiceStatus) =>
  Effect.gen(function*() {
    const fm = financeManager()
    const account = yield* openAccount({ creditLimitMinor: 100_000n })
    const draft = yield* draftInvoice(account.id, 1_000n)
    yield* TestClock.setTime(Date.parse("2026-02-02T06:00:00Z"))
    if (status === "Draft") return draft
    const sent = yield* Invoices.issueInvoice(fm, { invoiceId: draft.id })
    if (status === "Paid") return (yield* pay(sent.id, 1_120n)).invoice
    if (status === "Void") return yield* Invoices.voidInvoice(fm, { invoiceId: sent.id, reason: "r" })
    if (status === "Overdue") yield* Jobs.markOverdueInvoices(system(), {})
    const invoice = yield* Invoices.getInvoice(fm, { invoiceId: sent.id })
    expect(invoice.status).toBe(status)
    return invoice
  })

/** Every command that moves an invoice's status: the states it moves from (per the rule) and to where. */
const moves: ReadonlyArray<
  readonly [
    string,
    ReadonlyArray<Invoice.InvoiceStatus>,
    Invoice.InvoiceStatus,
    (i: Invoice.Invoice) => Effect.Effect<unknown, unknown, any>
  ]
> = [
  ["issueInvoice", ["Draft"], "Sent", (i) => Invoices.issueInvoice(financeManager(), { invoiceId: i.id })],
  [
    "issuePaidInvoice",
    ["Draft"],
    "Paid",
    (i) =>
      Invoices.issuePaidInvoice(financeManager(), {
        invoiceId: i.id,
        payment: { amountMinor: 1_120n, currency: "KZT", method: "CASH" }
      })
  ],
  [
    "voidInvoice",
    ["Draft", "Sent", "Overdue"],
    "Void",
    (i) => Invoices.voidInvoice(financeManager(), { invoiceId: i.id, reason: "r" })
  ],
  ["recordPayment", ["Sent", "Overdue"], "Paid", (i) => pay(i.id, 1_120n)],
  [
    "issueCreditNote",
    ["Sent", "Overdue"],
    "Paid",
    (i) => CreditNotes.issueCreditNote(financeManager(), { invoiceId: i.id, amountMinor: 1_120n, reason: "r" })
  ],
  ["markOverdueInvoices", ["Sent"], "Overdue", () => Jobs.markOverdueInvoices(system(), {})]
]

describe("invoices", () => {
  it("BIL-INV-01 invoice machine: Draft → Sent → Paid | Overdue | Void, Overdue → Paid | Void, Draft → Paid", () => {
    const edges = Invoice.machine.transitions.map((t) => `${t.from}→${t.to}`).sort()
    expect(edges).toEqual([...lifecycle].sort())
    expect([...Invoice.machine.terminal].sort()).toEqual(["Paid", "Void"])
  })

  it.effect("BIL-INV-01 BIL-INV-02 status commands in every state move only along the lifecycle, or fail typed", () =>
    Effect.gen(function*() {
      // the commands' moves are the lifecycle's edges, every edge has a command
      expect([...new Set(moves.flatMap(([, from, to]) => from.map((f) => `${f}→${to}`)))].sort()).toEqual(
        [...lifecycle].sort()
      )
      const outcomes: Array<string> = []
      for (const state of Invoice.machine.states) {
        for (const [name, from, to, run] of moves) {
          outcomes.push(
            yield* fresh(Effect.gen(function*() {
              const invoice = yield* invoiceIn(state)
              const before = yield* snapshot
              const exit = yield* Effect.exit(run(invoice))
              const after = yield* Invoices.getInvoice(financeManager(), { invoiceId: invoice.id })
              if (from.includes(state)) {
                expect([name, state, Exit.isSuccess(exit), after.status]).toEqual([name, state, true, to])
                return `${name}: ${state}→${to}`
              }
              // refused: a typed error (the job skips what it may not move), and not one row changed
              if (name !== "markOverdueInvoices") {
                const tag = Exit.isFailure(exit) ? Cause.findErrorOption(exit.cause) : undefined
                expect([name, state, tag?._tag === "Some" ? (tag.value as { _tag: string })._tag : "succeeded"])
                  .toEqual([name, state, expect.stringMatching(/^(InvalidTransition|Immutable|InvoiceNotPayable)$/)])
              }
              expect([name, state, yield* snapshot]).toEqual([name, state, before])
              return `${name}: ${state} stays`
            }))
          )
        }
      }
      expect(outcomes.filter((o) => o.includes("→")).sort()).toEqual([
        "issueCreditNote: Overdue→Paid",
        "issueCreditNote: Sent→Paid",
        "issueInvoice: Draft→Sent",
        "issuePaidInvoice: Draft→Paid",
        "markOverdueInvoices: Sent→Overdue",
        "recordPayment: Overdue→Paid",
        "recordPayment: Sent→Paid",
        "voidInvoice: Draft→Void",
        "voidInvoice: Overdue→Void",
        "voidInvoice: Sent→Void"
      ])
      expect(outcomes).toHaveLength(Invoice.machine.states.length * moves.length)
    }))

  it.effect("BIL-INV-01 commands follow the lifecycle: a draft takes no payment, Sent → Overdue → Paid, → Void", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 100_000n })
      const draft = yield* draftInvoice(account.id, 1_000n)
      expect(draft.status).toBe("Draft")
      expect(yield* failure(pay(draft.id, 1n))).toMatchObject({ _tag: "InvoiceNotPayable", status: "Draft" })
      const sent = yield* Invoices.issueInvoice(fm, { invoiceId: draft.id })
      expect(sent.status).toBe("Sent")
      expect(yield* failure(Invoices.issueInvoice(fm, { invoiceId: draft.id }))).toMatchObject({
        _tag: "InvalidTransition",
        from: "Sent",
        to: "Sent"
      })
      const toVoid = yield* sentInvoice(account.id, 10n)
      expect((yield* Invoices.voidInvoice(fm, { invoiceId: toVoid.id, reason: "wrong customer" })).status).toBe("Void")
      const draftToCancel = yield* draftInvoice(account.id, 10n)
      expect((yield* Invoices.voidInvoice(fm, { invoiceId: draftToCancel.id, reason: "not needed" })).status).toBe(
        "Void"
      )
    })))

  it.effect("BIL-INV-02 Paid and Void invoices are terminal and cannot be modified", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 100_000n })
      const paid = yield* sentInvoice(account.id, 1_000n)
      yield* pay(paid.id, 1_120n)
      const voided = yield* sentInvoice(account.id, 1_000n)
      yield* Invoices.voidInvoice(fm, { invoiceId: voided.id, reason: "x" })
      for (const id of [paid.id, voided.id]) {
        const before = yield* Invoices.getInvoice(fm, { invoiceId: id })
        expect(yield* failureTag(Invoices.issueInvoice(fm, { invoiceId: id }))).toBe("Immutable")
        expect(yield* failureTag(Invoices.voidInvoice(fm, { invoiceId: id, reason: "again" }))).toBe("Immutable")
        expect(yield* failureTag(Invoices.markInvoiceViewed(fm, { invoiceId: id }))).toBe("Immutable")
        expect(yield* failureTag(Invoices.deleteDraftInvoice(fm, { invoiceId: id }))).toBe("Immutable")
        expect(yield* failureTag(pay(id, 1n))).toBe("InvoiceNotPayable")
        expect(yield* failureTag(CreditNotes.issueCreditNote(fm, { invoiceId: id, amountMinor: 1n, reason: "r" })))
          .toBe("InvoiceNotPayable")
        expect(yield* Invoices.getInvoice(fm, { invoiceId: id })).toEqual(before)
      }
    })))

  it.effect("BIL-INV-03 an invoice from an immediate upfront payment enters Paid directly", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount() // no credit at all: prepaid work needs none
      const draft = yield* draftInvoice(account.id, 1_000n)
      expect(
        yield* failure(
          Invoices.issuePaidInvoice(fm, {
            invoiceId: draft.id,
            payment: { amountMinor: 1_000n, currency: "KZT", method: "CARD" }
          })
        )
      ).toMatchObject({ _tag: "UpfrontPaymentMismatch", totalMinor: 1_120n, baseAmountMinor: 1_000n })
      const { invoice, payment } = yield* Invoices.issuePaidInvoice(fm, {
        invoiceId: draft.id,
        payment: { amountMinor: 1_120n, currency: "KZT", method: "CARD", reference: "ch_1" }
      })
      expect([invoice.status, invoice.amountPaidMinor, payment.status]).toEqual(["Paid", 1_120n, "Completed"])
      const statement = yield* ClientAccounts.accountStatement(fm, { accountId: account.id })
      expect(statement.map((t) => [t.kind, t.amountMinor, t.runningBalanceMinor])).toEqual([
        ["InvoiceIssued", 1_120n, 1_120n],
        ["PaymentReceived", -1_120n, 0n]
      ])
      expect((yield* Invoices.invoiceEvents(fm, { invoiceId: draft.id })).map((e) => e.type)).toEqual([
        "created",
        "sent",
        "payment_received"
      ])
      // only a Draft can be issued as Paid: a Sent invoice is paid with recordPayment (no second debit)
      const credit = yield* openAccount({ creditLimitMinor: 10_000n })
      const sent = yield* sentInvoice(credit.id, 1_000n)
      expect(
        yield* failure(
          Invoices.issuePaidInvoice(fm, {
            invoiceId: sent.id,
            payment: { amountMinor: 1_120n, currency: "KZT", method: "CARD" }
          })
        )
      ).toMatchObject({ _tag: "InvalidTransition", from: "Sent", to: "Paid" })
      expect((yield* ClientAccounts.accountStatement(fm, { accountId: credit.id })).length).toBe(1)
    })))

  it.effect("BIL-INV-04 due_date is on or after issue_date", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount()
      expect(yield* failure(draftInvoice(account.id, 100n, { issueDate: "2026-03-02", dueDate: "2026-03-01" })))
        .toMatchObject({ _tag: "DueDateBeforeIssueDate", issueDate: "2026-03-02", dueDate: "2026-03-01" })
      const sameDay = yield* draftInvoice(account.id, 100n, { issueDate: "2026-03-02", dueDate: "2026-03-02" })
      expect(sameDay.dueDate).toBe("2026-03-02")
    })))

  it.effect("BIL-INV-05 amount_paid never exceeds total_amount; amounts are non-negative", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 100_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      yield* pay(invoice.id, 1_000n)
      expect(yield* failure(pay(invoice.id, 121n))).toMatchObject({
        _tag: "PaymentExceedsOutstanding",
        outstandingMinor: 120n,
        baseAmountMinor: 121n
      })
      const after = yield* Invoices.getInvoice(financeManager(), { invoiceId: invoice.id })
      expect(after.amountPaidMinor).toBe(1_000n)
      expect(after.amountPaidMinor <= after.totalMinor).toBe(true)
      expect(Invoice.brokenInvariants(after)).toEqual([])
      expect(yield* failureTag(pay(invoice.id, -5n))).toBe("ValidationError")
    })))

  it.effect("BIL-INV-06 a payment that covers the full total sets the invoice to Paid", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 100_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      const partial = yield* pay(invoice.id, 120n)
      expect([partial.invoice.status, partial.invoice.isPartiallyPaid]).toEqual(["Sent", true])
      const full = yield* pay(invoice.id, 1_000n)
      expect([full.invoice.status, full.invoice.isPartiallyPaid, full.invoice.amountOutstandingMinor]).toEqual([
        "Paid",
        false,
        0n
      ])
      expect(full.invoice.paidAt).not.toBeNull()
    })))

  it.effect("BIL-INV-08 applying a credit note decreases amount_outstanding", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 100_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      const { invoice: credited, creditNote } = yield* CreditNotes.issueCreditNote(fm, {
        invoiceId: invoice.id,
        amountMinor: 200n,
        reason: "damaged"
      })
      expect([credited.amountOutstandingMinor, credited.amountCreditedMinor, credited.balanceDueMinor]).toEqual([
        920n,
        200n,
        1_120n
      ])
      expect(creditNote.currency).toBe("KZT")
      expect((yield* ClientAccounts.getAccount(fm, { accountId: account.id })).balanceMinor).toBe(920n)
      const settled = yield* pay(invoice.id, 920n)
      expect(settled.invoice.status).toBe("Paid")
    })))

  it.effect("BIL-INV-09 setting an invoice to Void is restricted to Finance Manager", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 100_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      const draft = yield* draftInvoice(account.id, 1_000n)
      for (
        const who of [accountsManager(), actor(["Sales Manager"]), actor(["Admin"]), actor(["owner"]), customerUser()]
      ) {
        expect(yield* failureTag(Invoices.voidInvoice(who, { invoiceId: invoice.id, reason: "x" }))).toBe("Forbidden")
        expect(yield* failureTag(Invoices.voidInvoice(who, { invoiceId: draft.id, reason: "x" }))).toBe("Forbidden")
      }
      const voided = yield* Invoices.voidInvoice(financeManager(), { invoiceId: invoice.id, reason: "duplicate" })
      expect([voided.status, voided.voidReason]).toEqual(["Void", "duplicate"])
      // the void credits back what was outstanding
      expect((yield* ClientAccounts.getAccount(financeManager(), { accountId: account.id })).balanceMinor).toBe(0n)
    })))

  it.effect("BIL-INV-10 balance_due = total − paid; invoice_number is unique among live invoices", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 100_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n)
      // an issued invoice is voided, never deleted
      expect(yield* failure(Invoices.deleteDraftInvoice(fm, { invoiceId: invoice.id }))).toMatchObject({
        _tag: "InvoiceNotDraft",
        invoiceId: invoice.id,
        status: "Sent"
      })
      const { invoice: paid } = yield* pay(invoice.id, 500n)
      expect(paid.balanceDueMinor).toBe(paid.totalMinor - paid.amountPaidMinor)
      expect(Invoice.balanceDue(paid)).toBe(620n)
      const number = invoiceNumber()
      const input = {
        accountId: account.id,
        invoiceNumber: number,
        issueDate: "2026-01-01",
        dueDate: "2026-01-02",
        items: [{ description: "x", quantity: "1", unitPriceMinor: 1 }]
      }
      const first = yield* Invoices.createInvoice(fm, input)
      expect(yield* failure(Invoices.createInvoice(fm, input))).toMatchObject({
        _tag: "InvoiceNumberTaken",
        invoiceNumber: number
      })
      const deleted = yield* Invoices.deleteDraftInvoice(fm, { invoiceId: first.id })
      expect(yield* failureTag(Invoices.getInvoice(fm, { invoiceId: first.id }))).toBe("NotFound")
      // TEN-07 soft delete: a DELETE entry with the tombstone as its new values (the kernel's and identity's
      // convention)
      const entries = yield* AuditLog.AuditLog.use((a) => a.byEntity(deleted.tenant, "Invoice", first.id))
      const entry = entries.find((e) => e.action === "DELETE")
      expect(entry).toMatchObject({
        oldValues: { deletedAt: null },
        newValues: { deletedAt: deleted.deletedAt, invoiceNumber: number }
      })
      const again = yield* Invoices.createInvoice(fm, input)
      expect(again.invoiceNumber).toBe(number)
    })))

  it.effect("BIL-INV-11 deposit_required implies deposit_amount; deposit_paid implies deposit_paid_at", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 100_000n })
      const base = {
        accountId: account.id,
        issueDate: "2026-01-01",
        dueDate: "2026-01-31",
        items: [{ description: "Print run", quantity: "1", unitPriceMinor: 10_000 }]
      }
      const missing = yield* failure(
        Invoices.createInvoice(fm, { ...base, invoiceNumber: invoiceNumber(), depositRequired: true })
      )
      expect(missing._tag).toBe("ValidationError")
      expect(JSON.stringify(missing)).toContain("depositAmountMinor")
      expect(
        yield* failureTag(
          Invoices.createInvoice(fm, { ...base, invoiceNumber: invoiceNumber(), depositAmountMinor: 100 })
        )
      ).toBe("ValidationError")
      expect(
        yield* failureTag(
          Invoices.createInvoice(fm, {
            ...base,
            invoiceNumber: invoiceNumber(),
            depositRequired: true,
            depositAmountMinor: 20_000
          })
        )
      ).toBe("ValidationError")
      const draft = yield* Invoices.createInvoice(fm, {
        ...base,
        invoiceNumber: invoiceNumber(),
        depositRequired: true,
        depositAmountMinor: 5_000
      })
      expect([draft.depositRequired, draft.depositAmountMinor, draft.depositPaid, draft.depositPaidAt]).toEqual([
        true,
        5_000n,
        false,
        null
      ])
      yield* Invoices.issueInvoice(fm, { invoiceId: draft.id })
      const first = yield* pay(draft.id, 4_999n)
      expect(first.invoice.depositPaid).toBe(false)
      const second = yield* pay(draft.id, 1n)
      expect([second.invoice.depositPaid, second.invoice.depositPaidAt]).toEqual([true, second.invoice.updatedAt])
      expect(Invoice.brokenInvariants(second.invoice)).toEqual([])
      const events = (yield* Invoices.invoiceEvents(fm, { invoiceId: draft.id })).map((e) => e.type)
      expect(events.filter((t) => t === "deposit_received")).toHaveLength(1)
    })))

  it.effect("BIL-INV-12 totals: line = price × qty − discount + tax, total = subtotal + tax − discount, VAT 12 %", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount()
      const invoice = yield* Invoices.createInvoice(financeManager(), {
        accountId: account.id,
        invoiceNumber: invoiceNumber(),
        issueDate: "2026-01-01",
        dueDate: "2026-01-31",
        items: [
          { description: "A", quantity: "2.5", unitPriceMinor: 1_999, discount: { _tag: "Percent", rate: "10%" } },
          { description: "B", quantity: "1", unitPriceMinor: 11_200, priceIncludesVat: true },
          {
            description: "C",
            quantity: "3",
            unitPriceMinor: 333,
            taxRate: "0%",
            discount: { _tag: "Amount", amountMinor: 99 }
          },
          {
            description: "D",
            quantity: "1",
            unitPriceMinor: 1_000,
            priceIncludesVat: true,
            discount: { _tag: "Amount", amountMinor: 100 }
          },
          { description: "E", quantity: "0.1", unitPriceMinor: 25 }
        ]
      })
      expect(invoice.lines.map((l) => [l.amountMinor, l.discountMinor, l.taxMinor, l.totalMinor])).toEqual([
        [4_998n, 500n, 540n, 5_038n], // 19.99 × 2.5 = 49.975 → 49.98; −10 % = 5.00; VAT 12 % of 44.98 = 5.3976 → 5.40
        [10_000n, 0n, 1_200n, 11_200n], // 112.00 incl. VAT: 12/112 extracted
        [999n, 99n, 0n, 900n],
        [893n, 89n, 96n, 900n], // 9.00 incl. VAT after discount: tax 0.964 → 0.96, net discount 0.893 → 0.89
        [3n, 0n, 0n, 3n] // 0.25 × 0.1 = 0.025 → 0.03 (half-up); VAT 0.0036 → 0.00
      ])
      expect(invoice.lines[0]!.taxRate).toEqual({ numerator: 3n, denominator: 25n })
      expect([invoice.subtotalMinor, invoice.discountMinor, invoice.taxMinor, invoice.totalMinor]).toEqual([
        16_893n,
        688n,
        1_836n,
        18_041n
      ])
      expect(invoice.totalMinor).toBe(invoice.subtotalMinor + invoice.taxMinor - invoice.discountMinor)
      expect(Invoice.brokenInvariants(invoice)).toEqual([])
    })))

  it.effect("BIL-INV-13 invoice events are an append-only log of the lifecycle", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 100_000n })
      const draft = yield* Invoices.createInvoice(fm, {
        accountId: account.id,
        invoiceNumber: invoiceNumber(),
        issueDate: "2026-01-01",
        dueDate: "2026-01-31",
        items: [{ description: "x", quantity: "1", unitPriceMinor: 1_000 }],
        depositRequired: true,
        depositAmountMinor: 500
      })
      // a Draft has not been sent: nobody can have viewed it
      expect(yield* failure(Invoices.markInvoiceViewed(customerUser(), { invoiceId: draft.id }))).toMatchObject({
        _tag: "InvoiceNotSent",
        invoiceId: draft.id,
        status: "Draft"
      })
      yield* Invoices.issueInvoice(fm, { invoiceId: draft.id })
      yield* Invoices.markInvoiceViewed(customerUser(), { invoiceId: draft.id })
      const log1 = yield* Invoices.invoiceEvents(fm, { invoiceId: draft.id })
      yield* pay(draft.id, 600n)
      yield* Invoices.markInvoiceViewed(customerUser(), { invoiceId: draft.id })
      yield* pay(draft.id, 520n)
      const log2 = yield* Invoices.invoiceEvents(fm, { invoiceId: draft.id })
      expect(log2.slice(0, log1.length)).toEqual(log1)
      expect(log2.map((e) => e.type)).toEqual([
        "created",
        "sent",
        "viewed",
        "payment_partial",
        "deposit_received",
        "viewed",
        "payment_received"
      ])
      expect(log2[3]!.data).toMatchObject({ baseAmountMinor: "600", method: "BANK_TRANSFER" })
      expect(log2[2]!.triggeredBy).not.toBeNull()
      const viewed = yield* Invoices.getInvoice(fm, { invoiceId: draft.id })
      expect(viewed.viewedAt).toBe(log2[2]!.at)
      const cancelled = yield* sentInvoice(account.id, 10n)
      yield* Invoices.voidInvoice(fm, { invoiceId: cancelled.id, reason: "typo" })
      expect((yield* Invoices.invoiceEvents(fm, { invoiceId: cancelled.id })).map((e) => e.type)).toEqual([
        "created",
        "sent",
        "cancelled"
      ])
    })))

  it.effect("BIL-CA-02 issuing is refused when available credit is short, and nothing is written", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      const account = yield* openAccount({ creditLimitMinor: 1_000n })
      const draft = yield* draftInvoice(account.id, 1_000n)
      expect(yield* failureTag(Invoices.issueInvoice(fm, { invoiceId: draft.id }))).toBe("CreditLimitExceeded")
      expect((yield* Invoices.getInvoice(fm, { invoiceId: draft.id })).status).toBe("Draft")
      const after = yield* ClientAccounts.getAccount(fm, { accountId: account.id })
      expect([after.balanceMinor, ClientAccount.availableCredit(after)]).toEqual([0n, 1_000n])
      expect(yield* ClientAccounts.accountStatement(fm, { accountId: account.id })).toEqual([])
    })))
})
