import { Outbox, StateMachine } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { ClientAccounts, CreditNotes, Dispute, Disputes, Invoices, Jobs, Payments } from "../src/index.ts"
import {
  accountsManager,
  customerUser,
  draftInvoice,
  financeManager,
  invoiceNumber,
  openAccount,
  salesManager,
  snapshot,
  system
} from "../src/testing/index.ts"
import { failure, failureTag, fresh } from "./helpers.ts"
import { TestClock } from "effect/testing"

/** A Sent invoice with two lines: 1 000.00 + 12 % = 1 120.00 and 500.00 + 12 % = 560.00 (total 1 680.00). */
const twoLineInvoice = (accountId: string) =>
  Effect.flatMap(
    Invoices.createInvoice(financeManager(), {
      accountId,
      invoiceNumber: invoiceNumber(),
      issueDate: "2026-01-01",
      dueDate: "2026-01-31",
      items: [
        { description: "Freight", quantity: "1", unitPriceMinor: 100_000n },
        { description: "Handling", quantity: "2", unitPriceMinor: 25_000n }
      ]
    }),
    (draft) => Invoices.issueInvoice(financeManager(), { invoiceId: draft.id })
  )

const open = (invoiceId: string, lineIndex: number, amountMinor: bigint) =>
  Disputes.openDispute(customerUser(), { invoiceId, lineIndex, amountMinor, reason: "pallet arrived damaged" })

describe("disputes", () => {
  it("BIL-DSP-02 the dispute machine is Open → Approved | Rejected, both terminal", () => {
    expect(Dispute.machine.transitions.map((t) => `${t.from}→${t.to}`).sort()).toEqual([
      "Open→Approved",
      "Open→Rejected"
    ])
    expect([...Dispute.machine.terminal].sort()).toEqual(["Approved", "Rejected"])
    for (const s of Dispute.machine.terminal) expect(StateMachine.exits(Dispute.machine, s)).toEqual([])
  })

  it.effect("BIL-DSP-01 a dispute opens only on a line of a Sent or Overdue invoice, for at most its total", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 10_000_000n })
      const draft = yield* draftInvoice(account.id, 1_000n)
      const before = yield* snapshot
      expect(yield* failure(open(draft.id, 0, 1n))).toMatchObject({ _tag: "InvoiceNotDisputable", status: "Draft" })
      const invoice = yield* twoLineInvoice(account.id)
      expect(yield* failure(open(invoice.id, 2, 1n))).toMatchObject({
        _tag: "InvoiceLineNotFound",
        lineIndex: 2,
        lineCount: 2
      })
      expect(yield* failure(open(invoice.id, 1, 56_001n))).toMatchObject({
        _tag: "DisputeExceedsLine",
        lineTotalMinor: 56_000n,
        alreadyDisputedMinor: 0n,
        amountMinor: 56_001n
      })
      expect(yield* snapshot).not.toEqual(before) // the invoice was created meanwhile
      const afterInvoice = yield* snapshot
      expect(yield* failureTag(open(invoice.id, 1, 0n))).toBe("ValidationError")
      expect(yield* snapshot).toEqual(afterInvoice)
      const first = yield* open(invoice.id, 1, 30_000n)
      expect([first.status, first.amountMinor, first.currency, first.lineIndex]).toEqual(["Open", 30_000n, "KZT", 1])
      // open disputes on the line count against its total; a rejected one frees it again
      expect(yield* failure(open(invoice.id, 1, 26_001n))).toMatchObject({
        _tag: "DisputeExceedsLine",
        alreadyDisputedMinor: 30_000n
      })
      yield* Disputes.rejectDispute(accountsManager(), { disputeId: first.id, note: "no damage on the photos" })
      expect((yield* open(invoice.id, 1, 56_000n)).status).toBe("Open")
      // Overdue invoices take disputes; Paid and Void ones do not
      yield* TestClock.setTime(Date.parse("2026-03-01T00:00:00Z"))
      yield* Jobs.markOverdueInvoices(system(), {})
      expect((yield* open(invoice.id, 0, 100n)).status).toBe("Open")
      const paid = yield* twoLineInvoice(account.id)
      yield* Payments.recordPayment(financeManager(), {
        invoiceId: paid.id,
        amountMinor: paid.totalMinor,
        currency: "KZT",
        method: "CASH"
      })
      expect(yield* failure(open(paid.id, 0, 1n))).toMatchObject({ _tag: "InvoiceNotDisputable", status: "Paid" })
      const voided = yield* twoLineInvoice(account.id)
      yield* Invoices.voidInvoice(financeManager(), { invoiceId: voided.id, reason: "duplicate" })
      expect(yield* failure(open(voided.id, 0, 1n))).toMatchObject({ _tag: "InvoiceNotDisputable", status: "Void" })
    })))

  it.effect("X-04 approving a dispute issues its credit note in one unit of work (outstanding falls, credit)", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 10_000_000n })
      const invoice = yield* twoLineInvoice(account.id)
      const dispute = yield* open(invoice.id, 0, 20_000n)
      expect(yield* failureTag(Disputes.approveDispute(salesManager(), { disputeId: dispute.id }))).toBe("Forbidden")
      expect(
        yield* failure(Disputes.approveDispute(financeManager(), { disputeId: dispute.id, approvedMinor: 20_001n }))
      ).toMatchObject({ _tag: "ApprovalExceedsDispute", disputedMinor: 20_000n, approvedMinor: 20_001n })
      const resolved = yield* Disputes.approveDispute(financeManager(), {
        disputeId: dispute.id,
        approvedMinor: 15_000n,
        note: "half the pallet"
      })
      expect([resolved.dispute.status, resolved.dispute.approvedMinor, resolved.dispute.creditNoteId]).toEqual([
        "Approved",
        15_000n,
        resolved.creditNote?.id
      ])
      expect(resolved.creditNote).toMatchObject({ invoiceId: invoice.id, amountMinor: 15_000n, currency: "KZT" })
      expect(resolved.invoice.amountCreditedMinor).toBe(15_000n)
      expect(Dispute.brokenInvariants(resolved.dispute)).toEqual([])
      expect((yield* CreditNotes.listCreditNotes(financeManager(), { invoiceId: invoice.id })).map((c) => c.id))
        .toEqual([resolved.creditNote!.id])
      const statement = yield* ClientAccounts.accountStatement(financeManager(), { accountId: account.id })
      expect(statement.at(-1)).toMatchObject({
        kind: "CreditNoteApplied",
        amountMinor: -15_000n,
        sourceId: resolved.creditNote!.id
      })
      const events = (yield* Outbox.Outbox.use((o) => o.list(tenantA))).map((e) => e.type)
      expect(events.slice(-2)).toEqual(["billing.CreditNoteIssued", "billing.DisputeResolved"])
    })))

  it.effect("BIL-DSP-02 a resolved dispute is immutable: approve or reject again fails and writes nothing", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 10_000_000n })
      const invoice = yield* twoLineInvoice(account.id)
      const approved = yield* open(invoice.id, 0, 1_000n)
      const rejected = yield* open(invoice.id, 1, 1_000n)
      yield* Disputes.approveDispute(financeManager(), { disputeId: approved.id })
      yield* Disputes.rejectDispute(financeManager(), { disputeId: rejected.id, note: "out of time" })
      const before = yield* snapshot
      for (const id of [approved.id, rejected.id]) {
        expect(yield* failureTag(Disputes.approveDispute(financeManager(), { disputeId: id }))).toBe("Immutable")
        expect(yield* failureTag(Disputes.rejectDispute(financeManager(), { disputeId: id, note: "again" }))).toBe(
          "Immutable"
        )
      }
      expect(yield* snapshot).toEqual(before)
      expect((yield* Disputes.listDisputes(financeManager(), { invoiceId: invoice.id })).map((d) => d.status)).toEqual([
        "Approved",
        "Rejected"
      ])
    })))

  it.effect("X-04 an approval the credit-note rules refuse (invoice settled) leaves it Open, writes nothing", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 10_000_000n })
      const invoice = yield* twoLineInvoice(account.id)
      const dispute = yield* open(invoice.id, 0, 100_000n)
      yield* Payments.recordPayment(financeManager(), {
        invoiceId: invoice.id,
        amountMinor: 100_000n,
        currency: "KZT",
        method: "CASH"
      })
      const before = yield* snapshot
      expect(yield* failure(Disputes.approveDispute(financeManager(), { disputeId: dispute.id }))).toMatchObject({
        _tag: "CreditNoteExceedsOutstanding",
        outstandingMinor: 68_000n,
        amountMinor: 100_000n
      })
      expect(yield* snapshot).toEqual(before)
      yield* Payments.recordPayment(financeManager(), {
        invoiceId: invoice.id,
        amountMinor: 68_000n,
        currency: "KZT",
        method: "CASH"
      })
      expect(yield* failure(Disputes.approveDispute(financeManager(), { disputeId: dispute.id, approvedMinor: 1n })))
        .toMatchObject({ _tag: "InvoiceNotPayable", status: "Paid" })
      expect((yield* Disputes.getDispute(financeManager(), { disputeId: dispute.id })).status).toBe("Open")
      expect(
        (yield* Disputes.rejectDispute(financeManager(), { disputeId: dispute.id, note: "settled" })).dispute.status
      ).toBe("Rejected")
    })))
})
