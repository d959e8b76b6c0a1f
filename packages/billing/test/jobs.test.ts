import { AuditLog, Outbox, TenantDefaults } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { ClientAccounts, Invoices, Jobs, Payments } from "../src/index.ts"
import {
  accountsManager,
  draftInvoice,
  financeManager,
  openAccount,
  sentInvoice,
  system
} from "../src/testing/index.ts"
import { failure, failureTag, fresh } from "./helpers.ts"

const at = (iso: string) => TestClock.setTime(Date.parse(iso))

describe("jobs (TestClock)", () => {
  it.effect("BIL-INV-07 markOverdue uses the tenant's date (Asia/Almaty), not the UTC date", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 100_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n, { issueDate: "2026-03-01", dueDate: "2026-03-10" })
      const other = yield* sentInvoice(account.id, 1_000n, { issueDate: "2026-03-01", dueDate: "2026-03-10" })
      const prepaid = yield* draftInvoice(account.id, 10n, { dueDate: "2026-03-10" })
      yield* Invoices.issuePaidInvoice(financeManager(), {
        invoiceId: prepaid.id,
        payment: { amountMinor: 11n, currency: "KZT", method: "CASH" }
      })
      const draft = yield* draftInvoice(account.id, 10n, { dueDate: "2026-03-10" })
      // 2026-03-10 17:00 UTC is 22:00 (or 23:00) on the 10th in Almaty: due today, not overdue
      yield* at("2026-03-10T17:00:00Z")
      expect((yield* Jobs.markOverdueInvoices(system(), {})).invoices).toEqual([])
      // 20:00 UTC is already the 11th in Almaty, while the UTC date is still the 10th
      yield* at("2026-03-10T20:00:00Z")
      const utc = yield* Effect.provideService(Jobs.markOverdueInvoices(system(), {}), TenantDefaults.TenantDefaults, {
        timeZone: () => "UTC",
        taxRate: () => TenantDefaults.standard.taxRate
      })
      expect(utc.invoices).toEqual([])
      const almaty = yield* Jobs.markOverdueInvoices(system(), {})
      expect(almaty.invoices.map((i) => [i.id, i.status]).sort()).toEqual(
        [[invoice.id, "Overdue"], [other.id, "Overdue"]].sort()
      )
      expect((yield* Invoices.getInvoice(financeManager(), { invoiceId: prepaid.id })).status).toBe("Paid")
      expect((yield* Invoices.getInvoice(financeManager(), { invoiceId: draft.id })).status).toBe("Draft")
      expect((yield* Jobs.markOverdueInvoices(system(), {})).invoices).toEqual([])
      const log = yield* Invoices.invoiceEvents(financeManager(), { invoiceId: invoice.id })
      expect(log.at(-1)).toMatchObject({
        type: "marked_overdue",
        triggeredBy: null,
        triggeredBySystem: "billing.markOverdueInvoices"
      })
      const events = yield* Outbox.Outbox.use((o) => o.list(tenantA, { type: "billing.InvoiceOverdue" }))
      expect(events.map((e) => e.aggregateId).sort()).toEqual([invoice.id, other.id].sort())
      // TEN-07: the job's entry carries every changed field, old and new
      const audit = (yield* AuditLog.AuditLog.use((a) => a.byEntity(tenantA, "Invoice", invoice.id))).filter((e) =>
        e.command === "billing.markOverdueInvoices"
      )
      expect(audit).toMatchObject([{
        action: "UPDATE",
        changedFields: ["status", "updatedAt"],
        oldValues: { status: "Sent" },
        newValues: { status: "Overdue", invoiceNumber: invoice.invoiceNumber }
      }])
      // an Overdue invoice still takes payments and becomes Paid
      const { invoice: settled } = yield* Payments.recordPayment(financeManager(), {
        invoiceId: invoice.id,
        amountMinor: 1_120n,
        currency: "KZT",
        method: "CASH"
      })
      expect(settled.status).toBe("Paid")
    })))

  it.effect("BIL-INV-07 markOverdue honours batchSizeMax and only jobs-permitted actors run it", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 100_000n })
      for (let i = 0; i < 3; i++) yield* sentInvoice(account.id, 100n, { dueDate: "2026-01-10" })
      yield* at("2026-02-01T00:00:00Z")
      expect(yield* failureTag(Jobs.markOverdueInvoices(accountsManager(), {}))).toBe("Forbidden")
      expect((yield* Jobs.markOverdueInvoices(system(), { batchSizeMax: 2 })).invoices).toHaveLength(2)
      expect((yield* Jobs.markOverdueInvoices(financeManager(), { batchSizeMax: 2 })).invoices).toHaveLength(1)
      expect(yield* failureTag(Jobs.markOverdueInvoices(system(), { batchSizeMax: 0 }))).toBe("ValidationError")
    })))

  it.effect("BIL-INV-14 reminders 7 days before due, on the due date and when overdue, each once per invoice", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 100_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n, { issueDate: "2026-03-01", dueDate: "2026-03-20" })
      const late = yield* sentInvoice(account.id, 1_000n, { issueDate: "2026-03-16", dueDate: "2026-03-20" })
      const run = Effect.map(
        Jobs.sendInvoiceReminders(system(), {}),
        (r) => r.reminders.map((x) => `${x.invoiceId === invoice.id ? "early" : "late"}:${x.reminder}`).sort()
      )
      yield* at("2026-03-12T12:00:00Z") // the 12th: 8 days before due
      expect(yield* run).toEqual([])
      yield* at("2026-03-13T06:00:00Z") // 7 days before due in Almaty
      expect(yield* run).toEqual(["early:reminder_7day"])
      expect(yield* run).toEqual([])
      yield* at("2026-03-17T06:00:00Z") // `late` was issued 4 days before due: no 7-day reminder for it
      expect(yield* run).toEqual([])
      yield* at("2026-03-20T06:00:00Z")
      expect(yield* run).toEqual(["early:reminder_due", "late:reminder_due"])
      expect(yield* run).toEqual([])
      yield* at("2026-03-21T06:00:00Z")
      expect((yield* Jobs.markOverdueInvoices(system(), {})).invoices).toHaveLength(2)
      expect(yield* run).toEqual(["early:reminder_overdue", "late:reminder_overdue"])
      yield* at("2026-04-21T06:00:00Z")
      expect(yield* run).toEqual([])
      const types = (yield* Invoices.invoiceEvents(financeManager(), { invoiceId: invoice.id })).map((e) => e.type)
      expect(types).toEqual(["created", "sent", "reminder_7day", "reminder_due", "marked_overdue", "reminder_overdue"])
      const mails = yield* Outbox.Outbox.use((o) =>
        o.list(tenantA, { type: "billing.InvoiceReminderDue", aggregateId: invoice.id })
      )
      expect(mails.map((m) => (m.payload as { reminder: string }).reminder)).toEqual([
        "reminder_7day",
        "reminder_due",
        "reminder_overdue"
      ])
      expect(late.id).not.toBe(invoice.id)
    })))

  it.effect("BIL-CA-02 expireCreditHolds voids holds after holdTimeoutSeconds and restores available credit", () =>
    fresh(Effect.gen(function*() {
      const fm = financeManager()
      yield* at("2026-05-01T00:00:00Z")
      const account = yield* openAccount({ creditLimitMinor: 1_000n })
      const hold = yield* ClientAccounts.reserveCredit(fm, {
        accountId: account.id,
        amountMinor: 800n,
        holdTimeoutSeconds: 60
      })
      const longHold = yield* ClientAccounts.reserveCredit(fm, {
        accountId: account.id,
        amountMinor: 100n,
        holdTimeoutSeconds: 3_600
      })
      yield* TestClock.adjust("59 seconds")
      expect((yield* Jobs.expireCreditHolds(system(), {})).holds).toEqual([])
      yield* TestClock.adjust("1 second")
      // due but not yet swept: it can no longer be consumed
      const draft = yield* draftInvoice(account.id, 100n)
      expect(yield* failure(Invoices.issueInvoice(fm, { invoiceId: draft.id, holdId: hold.id }))).toMatchObject({
        _tag: "CreditHoldExpired",
        holdId: hold.id
      })
      const expired = yield* Jobs.expireCreditHolds(system(), {})
      expect(expired.holds.map((h) => [h.id, h.status])).toEqual([[hold.id, "Expired"]])
      expect((yield* Jobs.expireCreditHolds(system(), {})).holds).toEqual([])
      const after = yield* ClientAccounts.getAccount(fm, { accountId: account.id })
      expect([after.holdsMinor, after.availableCreditMinor]).toEqual([100n, 900n])
      // TEN-07: the hold's and the account's entries, every changed field old and new (as voidCreditHold writes them)
      const entries = (type: string, id: string) =>
        Effect.map(
          AuditLog.AuditLog.use((a) => a.byEntity(tenantA, type, id)),
          (all) => all.filter((e) => e.command === "billing.expireCreditHolds")
        )
      const [holdEntry] = yield* entries("CreditHold", hold.id)
      expect(holdEntry).toMatchObject({
        action: "UPDATE",
        changedFields: ["resolvedAt", "status"],
        oldValues: { status: "Pending", resolvedAt: null },
        newValues: { status: "Expired" }
      })
      const [accountEntry] = yield* entries("ClientAccount", account.id)
      expect(accountEntry).toMatchObject({
        action: "UPDATE",
        oldValues: { holdsMinor: "900" },
        newValues: { holdsMinor: "100" }
      })
      expect(accountEntry!.changedFields).toEqual(expect.arrayContaining(["holdsMinor", "updatedAt"]))
      expect(yield* failureTag(ClientAccounts.voidCreditHold(fm, { holdId: hold.id }))).toBe("Immutable")
      expect((yield* ClientAccounts.voidCreditHold(fm, { holdId: longHold.id })).status).toBe("Voided")
    })))
})
