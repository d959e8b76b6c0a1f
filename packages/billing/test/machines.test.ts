import { Errors, LocalDate, StateMachine } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { describe, expect, it } from "@effect/vitest"
import { Result } from "effect"
import { CreditHold, grants, machines, Payment, permissions } from "../src/index.ts"

const T0 = Date.UTC(2026, 0, 1)

const payment = (status: Payment.PaymentStatus) =>
  new Payment.Payment({
    id: "01000000-0000-7000-8000-000000000001" as never,
    tenant: tenantA,
    invoiceId: "02000000-0000-7000-8000-000000000001" as never,
    accountId: "03000000-0000-7000-8000-000000000001" as never,
    customerId: "04000000-0000-7000-8000-000000000001" as never,
    amountMinor: 100n,
    currency: "KZT",
    exchangeRate: { numerator: 1n, denominator: 1n },
    baseAmountMinor: 100n,
    baseCurrency: "KZT",
    method: "CASH",
    status,
    fromWallet: false,
    paymentDate: LocalDate.unsafeMake("2026-01-01"),
    reference: null,
    createdAt: T0,
    updatedAt: T0,
    completedAt: null
  })

describe("state machines", () => {
  it("machines lists every billing machine; each renders to Mermaid with all its states", () => {
    expect(machines.map((m) => m.name)).toEqual([
      "Invoice",
      "Payment",
      "CreditHold",
      "Quote",
      "Dispute",
      "AccountingSync",
      "BillingRun"
    ])
    for (const machine of machines) {
      const diagram = StateMachine.toMermaid(machine)
      for (const state of machine.states) expect(diagram).toContain(state)
      for (const terminal of machine.terminal) expect(StateMachine.exits(machine, terminal)).toEqual([])
    }
  })

  it("BIL-PAY-04 every payment status change is allowed exactly on the machine's edges; terminal: Immutable", () => {
    for (const from of Payment.machine.states) {
      for (const to of Payment.machine.states) {
        const result = Payment.changeStatus(payment(from), to, T0 + 1)
        if (StateMachine.canTransition(Payment.machine, from, to)) {
          expect(Result.isSuccess(result) && result.success.status).toBe(to)
        } else {
          expect(Result.isFailure(result)).toBe(true)
          if (Result.isFailure(result)) {
            expect(result.failure).toBeInstanceOf(
              StateMachine.isTerminal(Payment.machine, from) ? Errors.Immutable : Errors.InvalidTransition
            )
          }
        }
      }
    }
  })

  it("BIL-CA-02 a credit hold leaves Pending once, to Posted, Voided or Expired, and never again", () => {
    const pending = CreditHold.make({
      id: "05000000-0000-7000-8000-000000000001" as never,
      tenant: tenantA,
      accountId: "03000000-0000-7000-8000-000000000001" as never,
      amountMinor: 10n,
      reference: null,
      holdTimeoutSeconds: 60,
      now: T0
    })
    const invoiceId = "02000000-0000-7000-8000-000000000001" as never
    const exits = [
      CreditHold.post(pending, invoiceId, T0 + 1),
      CreditHold.void_(pending, T0 + 1),
      CreditHold.expire(pending, T0 + 1)
    ].map((r) => Result.getOrThrow(r))
    expect(exits.map((h) => h.status)).toEqual(["Posted", "Voided", "Expired"])
    expect(exits[0]!.invoiceId).toBe(invoiceId)
    for (const resolved of exits) {
      for (const again of [
        CreditHold.post(resolved, invoiceId, T0 + 2),
        CreditHold.void_(resolved, T0 + 2),
        CreditHold.expire(resolved, T0 + 2)
      ]) {
        expect(Result.isFailure(again) && again.failure._tag).toBe("Immutable")
      }
    }
    expect(CreditHold.isExpired(pending, T0 + 59_999)).toBe(false)
    expect(CreditHold.isExpired(pending, T0 + 60_000)).toBe(true)
    expect(Result.isFailure(CreditHold.post(pending, invoiceId, T0 + 60_000))).toBe(true)
  })

  it("BIL-CA-01 BIL-INV-09 grants: credit terms only for Accounts/Finance Manager, Void only Finance Manager", () => {
    const holders = (p: string) =>
      Object.entries(grants).filter(([, ps]) => ps?.includes(p as never)).map(([role]) => role).sort()
    expect(holders(permissions.accountCredit)).toEqual(["Accounts Manager", "Finance Manager"])
    expect(holders(permissions.invoiceVoid)).toEqual(["Finance Manager"])
  })
})
