/** Pure helpers: e-mail normalization, secure randomness helpers, session patching, setting rules. */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Result } from "effect"
import { Email, SecureRandom, Session, Setting } from "@erpkit/identity"
import { Fixtures } from "@erpkit/identity/testing"

describe("e-mail", () => {
  it("AUTH-03 normalization keeps the display form and derives a case-insensitive NFC key", () => {
    const result = Email.normalize("  Jose\u0301@Example.KZ ")
    assert.isTrue(Result.isSuccess(result))
    if (Result.isSuccess(result)) {
      assert.deepStrictEqual(result.success, { display: "Jos\u00e9@Example.KZ", key: "jos\u00e9@example.kz" })
    }
  })
})

describe("secure randomness", () => {
  it.effect("digits are decimal, of the asked length, and spread over all ten values", () =>
    Effect.gen(function*() {
      const codes = yield* Effect.forEach(Array.from({ length: 200 }), () => SecureRandom.digits(8))
      assert.isTrue(codes.every((c) => /^\d{8}$/.test(c)))
      const counts = Array.from({ length: 10 }, (_, d) => codes.join("").split(String(d)).length - 1)
      assert.isTrue(counts.every((n) => n > 100), counts.join(","))
    }).pipe(Effect.provide(SecureRandom.SecureRandom.layerDeterministic(7))))

  it.effect("the deterministic layer repeats per seed; the live layer does not", () =>
    Effect.gen(function*() {
      const run = (layer: typeof SecureRandom.SecureRandom.layerLive) => Effect.provide(SecureRandom.token, layer)
      assert.strictEqual(
        yield* run(SecureRandom.SecureRandom.layerDeterministic(3)),
        yield* run(SecureRandom.SecureRandom.layerDeterministic(3))
      )
      assert.notStrictEqual(
        yield* run(SecureRandom.SecureRandom.layerLive),
        yield* run(SecureRandom.SecureRandom.layerLive)
      )
    }))
})

describe("session patch", () => {
  it("AUTH-13 the pure patch refuses every core field and accepts metadata", () => {
    const f = Fixtures.makeFixtures("pure")
    const tenant = f.tenant()
    const s = Fixtures.session(f, f.uuid() as never, tenant)
    for (const field of Session.immutableFields) {
      const r = Session.patch(s, { [field]: "x" })
      assert.isTrue(Result.isFailure(r) && r.failure._tag === "Immutable", field)
    }
    const ok = Session.patch(s, { ipAddress: "::1", userAgent: null })
    assert.isTrue(Result.isSuccess(ok) && ok.success.ipAddress === "::1")
    assert.isTrue(Result.isFailure(Session.patch(s, { ipAddress: 42 })))
  })
})

describe("setting rules", () => {
  it("TEN-08 rules must fit the data type", () => {
    assert.isTrue(Result.isFailure(Setting.checkRules("number", { pattern: "x" })))
    assert.isTrue(Result.isFailure(Setting.checkRules("string", { min: 1 })))
    assert.isTrue(Result.isFailure(Setting.checkRules("number", { min: 5, max: 1 })))
    assert.isTrue(Result.isFailure(Setting.checkRules("string", { enum: [1] })))
    assert.isTrue(Result.isSuccess(Setting.checkRules("string", { pattern: "[A-Z]{3}", enum: ["KZT", "USD"] })))
    assert.isTrue(Result.isSuccess(Setting.validateValue("string", { pattern: "[A-Z]{3}" }, "KZT")))
    assert.isTrue(
      Result.isFailure(Setting.validateValue("string", { pattern: "[A-Z]{3}" }, "KZTX")),
      "the pattern is anchored"
    )
  })
})
