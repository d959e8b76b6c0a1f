/** The one invariant policy: named predicates, `broken` for tests, `check` dies naming what broke. */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit } from "effect"
import * as Invariants from "../src/Invariants.ts"

interface Account {
  readonly id: string
  readonly balance: number
  readonly limit: number
}
const invariants: ReadonlyArray<Invariants.Invariant<Account>> = [
  ["balance within limit", (a) => a.balance <= a.limit],
  ["limit not negative", (a) => a.limit >= 0]
]

describe("Invariants", () => {
  it("broken names exactly the invariants that fail", () => {
    assert.deepStrictEqual(Invariants.broken(invariants, { id: "a", balance: 1, limit: 2 }), [])
    assert.deepStrictEqual(Invariants.broken(invariants, { id: "a", balance: 3, limit: -1 }), [
      "balance within limit",
      "limit not negative"
    ])
  })

  it.effect("check passes a sound value through and dies (a defect, not a typed error) naming the broken ones", () =>
    Effect.gen(function*() {
      const ok = { id: "a", balance: 1, limit: 2 }
      assert.strictEqual(yield* Invariants.check("Account", invariants, ok), ok)
      const exit = yield* Effect.exit(Invariants.check("Account", invariants, { id: "b", balance: 3, limit: 2 }))
      assert.isTrue(Exit.isFailure(exit) && Cause.hasDies(exit.cause))
      if (Exit.isFailure(exit)) assert.include(Cause.pretty(exit.cause), "Account b breaks: balance within limit")
    }))
})
