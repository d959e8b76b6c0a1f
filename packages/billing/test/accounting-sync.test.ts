import { AuditLog, Outbox } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Option } from "effect"
import { TestClock } from "effect/testing"
import { AccountingSync, AccountingSyncs, Invoices, Payments } from "../src/index.ts"
import {
  draftInvoice,
  fakeAccountingSystem,
  financeManager,
  openAccount,
  salesManager,
  system
} from "../src/testing/index.ts"
import { failure, failureTag, fresh } from "./helpers.ts"

const T = Date.parse("2026-03-10T06:00:00Z")
const fm = financeManager()

const syncOf = (entityType: "Invoice" | "Payment", entityId: string) =>
  Effect.map(AccountingSyncs.findAccountingSync(fm, { entityType, entityId }), Option.getOrThrow)

const requested = Outbox.Outbox.use((o) => o.list(tenantA, { type: "billing.AccountingSyncRequested" }))

describe("accounting sync", () => {
  it.effect("X-07 an invoice or payment enqueues a pending sync and an outbox event; the handler pushes, logs", () => {
    const fake = fakeAccountingSystem()
    return fresh(
      Effect.gen(function*() {
        yield* TestClock.setTime(T)
        const account = yield* openAccount({ creditLimitMinor: 1_000_000n })
        const draft = yield* draftInvoice(account.id, 1_000n)
        const invoiceSync = yield* syncOf("Invoice", draft.id)
        expect([invoiceSync.status, invoiceSync.attempts, invoiceSync.nextAttemptAt]).toEqual(["Pending", 0, T])
        yield* Invoices.issueInvoice(fm, { invoiceId: draft.id })
        const { payment } = yield* Payments.recordPayment(fm, {
          invoiceId: draft.id,
          amountMinor: 100n,
          currency: "KZT",
          method: "CASH"
        })
        const prepaid = yield* draftInvoice(account.id, 10n)
        const upfront = yield* Invoices.issuePaidInvoice(fm, {
          invoiceId: prepaid.id,
          payment: { amountMinor: 11n, currency: "KZT", method: "CARD" }
        })
        const events = yield* requested
        const entities = events.map((e) => (e.payload as { entityType: string; entityId: string }))
        expect(entities.map((p) => `${p.entityType}:${p.entityId}`)).toEqual([
          `Invoice:${draft.id}`,
          `Payment:${payment.id}`,
          `Invoice:${prepaid.id}`,
          `Payment:${upfront.payment.id}`
        ])
        // the relay delivers each event to the handler: every sync is pushed once
        for (const event of events) yield* AccountingSyncs.handleEvent(event)
        expect(fake.pushes.map((p) => `${p.entityType}:${p.entityId}`)).toEqual(
          entities.map((p) => `${p.entityType}:${p.entityId}`)
        )
        expect((fake.pushes[0]!.payload as { invoiceNumber: string }).invoiceNumber).toBe(draft.invoiceNumber)
        expect(fake.pushes[0]!.syncId).toBe(invoiceSync.id)
        const synced = yield* syncOf("Invoice", draft.id)
        expect([synced.status, synced.attempts, synced.externalId, synced.syncedAt]).toEqual(["Synced", 1, "EXT-1", T])
        const log = yield* AccountingSyncs.accountingSyncLog(fm, { syncId: synced.id })
        expect(log.map((l) => [l.attempt, l.outcome, l.externalId, l.statusAfter])).toEqual([[
          1,
          "Succeeded",
          "EXT-1",
          "Synced"
        ]])
        // delivered again (at least once): nothing is pushed twice
        for (const event of events) expect((yield* AccountingSyncs.handleEvent(event)).attempts).toEqual([])
        expect(fake.pushes).toHaveLength(4)
        expect((yield* AccountingSyncs.runAccountingSync(system(), {})).attempts).toEqual([])
        const done = yield* Outbox.Outbox.use((o) => o.list(tenantA, { type: "billing.AccountingSynced" }))
        expect(done).toHaveLength(4)
      }).pipe(Effect.provide(fake.layer))
    )
  })

  it.effect("X-07 failed attempts are logged and retried with backoff (next_attempt_at); stops at maxAttempts", () => {
    const fake = fakeAccountingSystem()
    return fresh(
      Effect.gen(function*() {
        yield* TestClock.setTime(T)
        const account = yield* openAccount({ creditLimitMinor: 1_000_000n })
        const draft = yield* draftInvoice(account.id, 1_000n)
        fake.failAlways({ reason: "HTTP 503" })
        const run = Effect.map(AccountingSyncs.runAccountingSync(system(), {}), (r) => r.attempts.map((a) => a.status))
        expect(yield* run).toEqual(["Pending"])
        expect((yield* syncOf("Invoice", draft.id)).nextAttemptAt).toBe(T + 60_000)
        expect(yield* run).toEqual([]) // not due yet
        yield* TestClock.adjust("60 seconds")
        expect(yield* run).toEqual(["Pending"])
        expect((yield* syncOf("Invoice", draft.id)).nextAttemptAt).toBe(T + 60_000 + 120_000)
        yield* TestClock.adjust("119 seconds")
        expect(yield* run).toEqual([])
        yield* TestClock.adjust("1 second")
        expect(yield* run).toEqual(["GaveUp"])
        const gaveUp = yield* syncOf("Invoice", draft.id)
        expect([gaveUp.status, gaveUp.attempts, gaveUp.lastError]).toEqual(["GaveUp", 3, "HTTP 503"])
        const log = yield* AccountingSyncs.accountingSyncLog(fm, { syncId: gaveUp.id })
        expect(log.map((l) => [l.attempt, l.outcome, l.error, l.statusAfter, l.nextAttemptAt])).toEqual([
          [1, "Failed", "HTTP 503", "Pending", T + 60_000],
          [2, "Failed", "HTTP 503", "Pending", T + 180_000],
          [3, "Failed", "HTTP 503", "GaveUp", null]
        ])
        yield* TestClock.adjust("1 day")
        expect(yield* run).toEqual([])
        const gaveUpEvents = yield* Outbox.Outbox.use((o) => o.list(tenantA, { type: "billing.AccountingSyncGaveUp" }))
        expect(gaveUpEvents.map((e) => e.aggregateId)).toEqual([gaveUp.id])
        // a person fixes the cause and puts it back in the queue
        expect(yield* failureTag(AccountingSyncs.retryAccountingSync(salesManager(), { syncId: gaveUp.id }))).toBe(
          "Forbidden"
        )
        expect((yield* AccountingSyncs.retryAccountingSync(fm, { syncId: gaveUp.id })).status).toBe("Pending")
        fake.succeed()
        expect(yield* run).toEqual(["Synced"])
        expect((yield* AccountingSyncs.accountingSyncLog(fm, { syncId: gaveUp.id })).map((l) => l.outcome)).toEqual([
          "Failed",
          "Failed",
          "Failed",
          "Succeeded"
        ])
        expect(yield* failureTag(AccountingSyncs.retryAccountingSync(fm, { syncId: gaveUp.id }))).toBe("Immutable")
      }).pipe(
        Effect.provide(fake.layer),
        Effect.provideService(AccountingSyncs.RetryPolicy, { ...AccountingSync.defaultRetryPolicy, maxAttempts: 3 })
      )
    )
  })

  it.effect("X-07 a non-retryable failure gives up at once; a defect or timeout logs a retryable failure", () => {
    const fake = fakeAccountingSystem()
    return fresh(
      Effect.gen(function*() {
        yield* TestClock.setTime(T)
        const account = yield* openAccount({ creditLimitMinor: 1_000_000n })
        const rejected = yield* draftInvoice(account.id, 1_000n)
        fake.failNext(1, { retryable: false, reason: "unknown VAT code" })
        expect((yield* AccountingSyncs.runAccountingSync(system(), {})).attempts.map((a) => a.status)).toEqual([
          "GaveUp"
        ])
        expect((yield* syncOf("Invoice", rejected.id)).lastError).toBe("unknown VAT code")
        const buggy = yield* draftInvoice(account.id, 1_000n)
        fake.dieNext()
        expect((yield* AccountingSyncs.runAccountingSync(system(), {})).attempts.map((a) => a.status)).toEqual([
          "Pending"
        ])
        expect((yield* syncOf("Invoice", buggy.id)).lastError).toContain("adapter defect")
        yield* TestClock.adjust("1 minute")
        expect((yield* AccountingSyncs.runAccountingSync(system(), {})).attempts.map((a) => a.status)).toEqual([
          "Synced"
        ])
        // an accounting system that never answers: a retryable failure after the push timeout
        const silent = yield* draftInvoice(account.id, 1_000n)
        fake.hangNext()
        const running = yield* Effect.forkChild(AccountingSyncs.runAccountingSync(system(), {}))
        yield* TestClock.adjust(`${AccountingSyncs.pushTimeoutSeconds} seconds`)
        expect((yield* Fiber.join(running)).attempts.map((a) => a.status)).toEqual(["Pending"])
        expect((yield* syncOf("Invoice", silent.id)).lastError).toBe(
          `no answer within ${AccountingSyncs.pushTimeoutSeconds} s`
        )
      }).pipe(Effect.provide(fake.layer))
    )
  })

  it.effect("X-07 runAccountingSync honours batchSizeMax, the jobs permission; stale claim: SyncLeaseLost", () => {
    const fake = fakeAccountingSystem()
    return fresh(
      Effect.gen(function*() {
        yield* TestClock.setTime(T)
        const account = yield* openAccount({ creditLimitMinor: 1_000_000n })
        const drafts = [
          yield* draftInvoice(account.id, 1n),
          yield* draftInvoice(account.id, 2n),
          yield* draftInvoice(account.id, 3n)
        ]
        expect(yield* failureTag(AccountingSyncs.runAccountingSync(salesManager(), {}))).toBe("Forbidden")
        expect((yield* AccountingSyncs.runAccountingSync(system(), { batchSizeMax: 2 })).attempts).toHaveLength(2)
        expect((yield* AccountingSyncs.runAccountingSync(system(), { batchSizeMax: 2 })).attempts).toHaveLength(1)
        const sync = yield* syncOf("Invoice", drafts[0]!.id)
        // TEN-07: the lease is audited (when the sync is tried again is business data)
        const leases = (yield* AuditLog.AuditLog.use((a) => a.byEntity(sync.tenant, "AccountingSync", sync.id))).filter(
          (e) => e.command === "billing.claimAccountingSyncs"
        )
        expect(leases).toMatchObject([{ action: "UPDATE", changedFields: expect.arrayContaining(["nextAttemptAt"]) }])
        expect(
          yield* failure(
            AccountingSyncs.recordAccountingSyncAttempt(system(), {
              syncId: sync.id,
              claimedAttempts: 0,
              outcome: { _tag: "Succeeded", externalId: "X" }
            })
          )
        ).toMatchObject({
          _tag: "SyncLeaseLost",
          syncId: sync.id,
          status: sync.status,
          attempts: sync.attempts,
          claimedAttempts: 0
        })
        expect(fake.pushes).toHaveLength(3)
      }).pipe(Effect.provide(fake.layer))
    )
  })
})
