/** Provider accounts (AUTH-16, AUTH-17) and e-mail verification codes (AUTH-20). */
import { assert, layer } from "@effect/vitest"
import { Clock, Effect, Option } from "effect"
import { TestClock } from "effect/testing"
import { Actor, Command, MemoryStore } from "@erpkit/kernel"
import {
  Access,
  Accounts,
  IdentityConfig,
  SecureRandom,
  Users,
  Verification,
  Verifications,
  VerificationRepository
} from "@erpkit/identity"
import { layerTest } from "@erpkit/identity/testing"
import { actorOf, freshEmail, openTenant, outcome, register, snapshot } from "./helpers.ts"

const hour = 60 * 60 * 1000

layer(layerTest())("accounts", (it) => {
  it.effect("AUTH-16 an account references an existing user", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const before = yield* snapshot
      const ghost = "0f000000-0000-7000-8000-0000000000aa"
      assert.strictEqual(
        yield* outcome(
          Accounts.linkAccount(Actor.system(tenant), { userId: ghost, providerId: "google", accountId: "1" })
        ),
        "NotFound"
      )
      assert.strictEqual(yield* snapshot, before)
    }))

  it.effect("AUTH-17 (provider_id, account_id) is unique", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { user } = yield* register(tenant)
      const { user: other } = yield* register(tenant)
      const accountId = `gh-${user.id}`
      yield* Accounts.linkAccount(actorOf(user, tenant), { userId: user.id, providerId: "github", accountId })
      assert.strictEqual(
        yield* outcome(
          Accounts.linkAccount(actorOf(other, tenant), { userId: other.id, providerId: "github", accountId })
        ),
        "AccountLinked"
      )
      assert.strictEqual(
        yield* outcome(
          Accounts.linkAccount(actorOf(user, tenant), { userId: user.id, providerId: " github ", accountId })
        ),
        "AccountLinked"
      )
      yield* Accounts.linkAccount(actorOf(other, tenant), { userId: other.id, providerId: "google", accountId })
      assert.strictEqual((yield* Accounts.listAccounts(actorOf(other, tenant), { userId: other.id })).length, 1)
    }))
})

layer(layerTest())("verification codes", (it) => {
  it.effect("AUTH-20 codes have a type: a registration code does not verify another purpose", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const email = freshEmail()
      const { verification } = yield* register(tenant, email)
      const anon = Access.anonymous(tenant)
      assert.strictEqual(
        yield* outcome(
          Verifications.consumeVerificationCode(anon, { email, type: "password_reset", code: verification.code })
        ),
        "VerificationFailed"
      )
      const reset = yield* Verifications.issueVerificationCode(Actor.system(tenant), { email, type: "password_reset" })
      assert.strictEqual(
        yield* outcome(Verifications.consumeVerificationCode(anon, { email, type: "email_change", code: reset.code })),
        "VerificationFailed"
      )
      const used = yield* Verifications.consumeVerificationCode(anon, {
        email,
        type: "password_reset",
        code: reset.code
      })
      assert.strictEqual(used.type, "password_reset")
      assert.strictEqual(
        yield* outcome(
          Command.untyped(Verifications.consumeVerificationCode)(anon, { email, type: "bogus", code: reset.code })
        ),
        "ValidationError"
      )
    }))

  it.effect("AUTH-20 codes expire after 24 h by default (TestClock)", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(1_000 * hour)
      const tenant = yield* openTenant()
      const email = freshEmail()
      const { verification } = yield* register(tenant, email)
      assert.strictEqual(verification.expiresAt, 1_000 * hour + 24 * hour)
      yield* TestClock.adjust("24 hours")
      const attempt = Users.verifyEmail(Access.anonymous(tenant), { email, code: verification.code })
      assert.strictEqual(
        yield* Effect.map(Effect.flip(attempt), (e) => (e._tag === "VerificationFailed" ? e.reason : e._tag)),
        "expired"
      )
      assert.isAtLeast(yield* Verifications.deleteExpiredVerifications, 1)
      assert.isTrue(Option.isNone(yield* VerificationRepository.use((r) => r.findById(verification.id))))
    }))

  it.effect("AUTH-20 a code can be used once", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const email = freshEmail()
      const { verification } = yield* register(tenant, email)
      yield* Users.verifyEmail(Access.anonymous(tenant), { email, code: verification.code })
      const again = Users.verifyEmail(Access.anonymous(tenant), { email, code: verification.code })
      assert.strictEqual(
        yield* Effect.map(Effect.flip(again), (e) => (e._tag === "VerificationFailed" ? e.reason : e._tag)),
        "used"
      )
    }))

  it.effect("AUTH-20 a wrong code is refused and stores a hash, never the code", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const email = freshEmail()
      const { verification } = yield* register(tenant, email)
      const wrong = verification.code === "00000000" ? "11111111" : "00000000"
      const attempt = Users.verifyEmail(Access.anonymous(tenant), { email, code: wrong })
      assert.strictEqual(
        yield* Effect.map(Effect.flip(attempt), (e) => (e._tag === "VerificationFailed" ? e.reason : e._tag)),
        "mismatch"
      )
      const rows = yield* MemoryStore.MemoryStore.use((s) =>
        s.table<Verification.Verification>("auth.email_verifications").all
      )
      assert.isFalse(JSON.stringify(rows).includes(verification.code))
      const stored = Option.getOrThrow(yield* VerificationRepository.use((r) => r.findById(verification.id)))
      assert.strictEqual(
        stored.codeHash,
        yield* SecureRandom.sha256Hex(Verification.hashInput(verification.id, verification.code))
      )
      assert.isNull(stored.usedAt)
    }))

  it.effect("AUTH-20 the expiry follows IdentityConfig when a host changes it", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const config = yield* IdentityConfig
      const { verification } = yield* register(tenant).pipe(
        Effect.provideService(IdentityConfig, { ...config, verificationTtlMillis: hour })
      )
      assert.strictEqual(verification.expiresAt - (yield* Clock.currentTimeMillis), hour)
    }))

  it.effect("AUTH-06 AUTH-20 an e-mail change is proven with an email_change code sent to the new address", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { user } = yield* register(tenant)
      const { user: other } = yield* register(tenant)
      const self = actorOf(user, tenant)
      assert.strictEqual(
        yield* outcome(Users.requestEmailChange(self, { userId: user.id, email: other.email.toUpperCase() })),
        "EmailTaken"
      )
      const target = freshEmail("moved")
      const issued = yield* Users.requestEmailChange(self, { userId: user.id, email: target })
      const stolen = yield* Users.requestEmailChange(actorOf(other, tenant), { userId: other.id, email: target })
      assert.strictEqual(
        yield* outcome(Users.confirmEmailChange(self, { userId: user.id, email: target, code: stolen.code })),
        "VerificationFailed"
      )
      const changed = yield* Users.confirmEmailChange(self, { userId: user.id, email: target, code: issued.code })
      assert.deepStrictEqual([changed.email, changed.emailVerified], [target, true])
      assert.strictEqual(
        yield* outcome(
          Users.confirmEmailChange(actorOf(other, tenant), { userId: other.id, email: target, code: stolen.code })
        ),
        "EmailTaken"
      )
    }))

  it("AUTH-20 the code-hash compare tells equal from unequal wherever they differ (the loop runs to the end)", () => {
    assert.isTrue(SecureRandom.constantTimeEqual("abc", "abc"))
    for (const [a, b] of [["abc", "abd"], ["abc", "xbc"], ["abc", "ab"], ["", "a"]] as const) {
      assert.isFalse(SecureRandom.constantTimeEqual(a, b))
    }
  })
})
