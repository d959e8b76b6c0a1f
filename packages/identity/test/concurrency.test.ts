/** Races on the memory store: uniqueness and single use hold when commands run concurrently. */
import { assert, layer } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { Access, Verifications } from "@erpkit/identity"
import { Actor } from "@erpkit/kernel"
import { layerTest } from "@erpkit/identity/testing"
import { freshEmail, openTenant, register } from "./helpers.ts"

layer(layerTest())("concurrency", (it) => {
  it.effect("AUTH-03 of 20 concurrent registrations of one address (in any case) exactly one succeeds", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const email = freshEmail("race")
      const attempts = Array.from({ length: 20 }, (_, i) => register(tenant, i % 2 ? email.toUpperCase() : ` ${email}`))
      const exits = yield* Effect.all(attempts.map(Effect.exit), { concurrency: "unbounded" })
      assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
    }))

  it.effect("AUTH-20 of 10 concurrent uses of one code exactly one succeeds", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const email = freshEmail("race")
      yield* register(tenant, email)
      const { code } = yield* Verifications.issueVerificationCode(Actor.system(tenant), {
        email,
        type: "password_reset"
      })
      const use = Verifications.consumeVerificationCode(Access.anonymous(tenant), {
        email,
        type: "password_reset",
        code
      })
      const exits = yield* Effect.all(Array.from({ length: 10 }, () => Effect.exit(use)), { concurrency: "unbounded" })
      assert.strictEqual(exits.filter(Exit.isSuccess).length, 1)
    }))
})
