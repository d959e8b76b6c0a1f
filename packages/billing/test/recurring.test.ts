import { Outbox } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { BillingRun, ClientAccounts, Invoices, RecurringBilling } from "../src/index.ts"
import {
  fakeUsageSource,
  financeManager,
  layerTest,
  openAccount,
  rateCard,
  request,
  salesManager,
  snapshot,
  system
} from "../src/testing/index.ts"
import { failureTag, fresh } from "./helpers.ts"

// 2026-02-01 01:00 in Almaty: the monthly job bills January
const T = Date.parse("2026-01-31T20:00:00Z")

const usage = (customerId: string, ...weights: ReadonlyArray<string>) => ({
  customerId,
  items: weights.map((w) => ({ request: request(w) }))
})

describe("recurring billing", () => {
  it("X-06 billing periods: first and last day, the month before a date", () => {
    expect([
      BillingRun.firstDay("2026-02"),
      BillingRun.lastDay("2026-02"),
      BillingRun.lastDay("2028-02"),
      BillingRun.lastDay("2026-12")
    ]).toEqual(["2026-02-01", "2026-02-28", "2028-02-29", "2026-12-31"])
    expect(BillingRun.previousPeriod("2026-01-15" as never)).toBe("2025-12")
    expect(BillingRun.previousPeriod("2026-03-01" as never)).toBe("2026-02")
  })

  it.effect("X-06 the monthly job prices usage, issues one invoice per client and period; a rerun adds nothing", () => {
    const source = fakeUsageSource()
    return fresh(
      Effect.gen(function*() {
        yield* TestClock.setTime(T)
        yield* rateCard()
        const a = yield* openAccount({ creditLimitMinor: 100_000_000n })
        const b = yield* openAccount({ creditLimitMinor: 100_000_000n })
        source.set("2026-01", [usage(a.customerId, "150.5", "10"), usage(b.customerId, "1")])
        expect(yield* failureTag(RecurringBilling.runRecurringBilling(salesManager(), {}))).toBe("Forbidden")
        const first = yield* RecurringBilling.runRecurringBilling(system(), {})
        expect(first.period).toBe("2026-01")
        expect(first.outcomes.map((o) => [o.customerId, o.outcome])).toEqual(
          [[a.customerId, "Invoiced"], [b.customerId, "Invoiced"]].sort()
        )
        const invoiceA = yield* Invoices.getInvoice(financeManager(), {
          invoiceId: first.outcomes.find((o) => o.customerId === a.customerId)!.invoiceId!
        })
        // 150.5 kg → 14 040.00, 10 kg → 1 000.00; 12 % VAT each
        expect(invoiceA.lines.map((l) => [l.unitPriceMinor, l.totalMinor])).toEqual([
          [1_404_000n, 1_572_480n],
          [100_000n, 112_000n]
        ])
        expect([invoiceA.status, invoiceA.invoiceNumber, invoiceA.issueDate, invoiceA.dueDate, invoiceA.totalMinor])
          .toEqual(["Sent", `REC-2026-01-${a.id}`, "2026-02-01", "2026-03-03", 1_684_480n])
        expect((yield* ClientAccounts.getAccount(financeManager(), { accountId: a.id })).balanceMinor).toBe(1_684_480n)
        // run twice (or by a second scheduler): nothing new
        const before = yield* snapshot
        const second = yield* RecurringBilling.runRecurringBilling(system(), { period: "2026-01" })
        expect(second.outcomes.map((o) => o.outcome)).toEqual(["AlreadyInvoiced", "AlreadyInvoiced"])
        expect(yield* snapshot).toEqual(before)
        expect((yield* Invoices.listInvoices(financeManager(), {})).length).toBe(2)
        const runs = yield* RecurringBilling.listBillingRuns(financeManager(), { period: "2026-01" })
        expect(runs.map((r) => [r.status, r.attempts])).toEqual([["Invoiced", 1], ["Invoiced", 1]])
        const issued = yield* Outbox.Outbox.use((o) => o.list(tenantA, { type: "billing.RecurringInvoiceIssued" }))
        expect(issued).toHaveLength(2)
      }).pipe(Effect.provide(source.layer))
    )
  })

  it.effect("X-06 a client the run cannot bill gets a Failed run with the reason; next run bills it; others go", () => {
    const source = fakeUsageSource()
    return fresh(
      Effect.gen(function*() {
        yield* TestClock.setTime(T)
        yield* rateCard()
        const good = yield* openAccount({ creditLimitMinor: 100_000_000n })
        const noCredit = yield* openAccount({ creditLimitMinor: 0n, approved: false })
        source.set("2026-01", [usage(good.customerId, "1"), usage(noCredit.customerId, "1"), { customerId: "junk" }])
        const first = yield* RecurringBilling.runRecurringBilling(system(), {})
        const byCustomer = Object.fromEntries(first.outcomes.map((o) => [o.customerId, o]))
        expect(byCustomer[good.customerId]!.outcome).toBe("Invoiced")
        expect(byCustomer[noCredit.customerId]).toMatchObject({ outcome: "Failed", invoiceId: null })
        expect(byCustomer[noCredit.customerId]!.error).toContain("CreditNotApproved")
        expect(byCustomer["junk"]).toMatchObject({ outcome: "Failed" })
        const failed = yield* RecurringBilling.listBillingRuns(financeManager(), { status: "Failed" })
        expect(failed.map((r) => [r.accountId, r.attempts])).toEqual([[noCredit.id, 1]])
        yield* ClientAccounts.setCreditTerms(financeManager(), {
          accountId: noCredit.id,
          creditLimitMinor: 10_000_000n,
          isCreditApproved: true
        })
        const second = yield* RecurringBilling.runRecurringBilling(system(), {})
        expect(second.outcomes.filter((o) => o.outcome === "Invoiced").map((o) => o.customerId)).toEqual([
          noCredit.customerId
        ])
        const runs = yield* RecurringBilling.listBillingRuns(financeManager(), {})
        expect(runs.map((r) => [r.accountId, r.status, r.attempts]).sort()).toEqual(
          [[good.id, "Invoiced", 1], [noCredit.id, "Invoiced", 2]].sort()
        )
      }).pipe(Effect.provide(source.layer))
    )
  })

  it("X-06 the recurring job run any number of times, periods in any order, bills (client, period) once", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom("2026-01", "2026-02"), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 1, max: 3 }),
        async (periods, batch) => {
          const source = fakeUsageSource()
          const program = Effect.gen(function*() {
            yield* TestClock.setTime(T)
            yield* rateCard()
            const accounts = [
              yield* openAccount({ creditLimitMinor: 100_000_000n }),
              yield* openAccount({ creditLimitMinor: 100_000_000n }),
              yield* openAccount({ creditLimitMinor: 100_000_000n })
            ]
            for (const p of ["2026-01", "2026-02"]) source.set(p, accounts.map((a) => usage(a.customerId, "2")))
            for (const period of periods) {
              // small batches: a run bills at most `batch` clients, the scheduler runs it again
              for (let i = 0; i < 3; i++) {
                yield* RecurringBilling.runRecurringBilling(system(), { period, batchSizeMax: batch })
              }
            }
            const invoices = yield* Invoices.listInvoices(financeManager(), {})
            const numbers = invoices.map((i) => i.invoiceNumber)
            expect(new Set(numbers).size).toBe(numbers.length)
            const distinctPeriods = new Set(periods).size
            // every run pages from the start, so batch × 3 runs cover all three clients
            expect(invoices.length).toBe(3 * distinctPeriods)
            const runs = yield* RecurringBilling.listBillingRuns(financeManager(), {})
            expect(runs.length).toBe(3 * distinctPeriods)
            expect(runs.every((r) => r.status === "Invoiced" && r.attempts === 1)).toBe(true)
          })
          await Effect.runPromise(
            program.pipe(Effect.provide(source.layer), Effect.provide(layerTest()), Effect.provide(TestClock.layer()))
          )
        }
      ),
      { numRuns: 25 }
    )
  })
})
