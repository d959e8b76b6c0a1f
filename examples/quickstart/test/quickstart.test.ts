import { assert, it } from "@effect/vitest"
import { grants, layerMemoryComplete } from "@erpkit/billing"
import { tenantA } from "@erpkit/kernel/testing"
import { Effect } from "effect"
import { runBillingFlow } from "../src/flow.ts"

it.effect("the quickstart flow ends with a chained ledger that matches the account", () =>
  Effect.gen(function*() {
    const { ledger, account } = yield* runBillingFlow(tenantA)
    assert.deepStrictEqual(ledger.map((t) => t.kind), [
      "InvoiceIssued",
      "PaymentReceived",
      "CreditNoteApplied",
      "PaymentReceived",
      "InvoiceIssued"
    ])
    let running = 0n
    ledger.forEach((t, i) => {
      running += t.amountMinor
      assert.strictEqual(t.sequence, i + 1)
      assert.strictEqual(t.runningBalanceMinor, running)
    })
    assert.strictEqual(account.balanceMinor, running)
    assert.strictEqual(account.holdsMinor, 0n)
  }).pipe(Effect.provide(layerMemoryComplete(grants))))
