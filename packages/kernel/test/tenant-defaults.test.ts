/**
 * Tenant defaults (issue 12): the time zone and VAT rate a tenant gets unless it says otherwise, in one
 * place, replaceable by explicit values or by the environment through effect's `Config`.
 */
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import * as Rate from "../src/Rate.ts"
import * as TenantDefaults from "../src/TenantDefaults.ts"
import { tenantA } from "../src/testing/index.ts"

const fromEnv = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const defaults = yield* TenantDefaults.TenantDefaults
    return [defaults.timeZone(tenantA), Rate.format(defaults.taxRate(tenantA))] as const
  }).pipe(
    Effect.provide(
      TenantDefaults.layerConfig.pipe(Layer.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env }))))
    )
  )

describe("TenantDefaults", () => {
  it.effect("the standard is Asia/Almaty and 12 %; explicit values replace it", () =>
    Effect.gen(function*() {
      const standard = yield* TenantDefaults.TenantDefaults
      assert.deepStrictEqual(
        [standard.timeZone(tenantA), standard.taxRate(tenantA)],
        ["Asia/Almaty", Rate.fromBasisPoints(1200)]
      )
      const current = Effect.gen(function*() {
        return yield* TenantDefaults.TenantDefaults
      })
      const berlin = yield* Effect.provide(current, TenantDefaults.layer({ timeZone: "Europe/Berlin" }))
      assert.deepStrictEqual(
        [berlin.timeZone(tenantA), berlin.taxRate(tenantA)],
        ["Europe/Berlin", Rate.fromBasisPoints(1200)]
      )
    }))

  it.effect("layerConfig reads ERPKIT_TIME_ZONE and ERPKIT_VAT_RATE, each optional; bad values: ValidationError", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* fromEnv({}), ["Asia/Almaty", "0.12"])
      assert.deepStrictEqual(yield* fromEnv({ ERPKIT_TIME_ZONE: "Europe/Berlin", ERPKIT_VAT_RATE: "19%" }), [
        "Europe/Berlin",
        "0.19"
      ])
      const zone = yield* Effect.flip(fromEnv({ ERPKIT_TIME_ZONE: "Mars/Olympus" }))
      assert.strictEqual(zone._tag, "ValidationError")
      const rate = yield* Effect.flip(fromEnv({ ERPKIT_VAT_RATE: "twelve" }))
      assert.strictEqual(rate._tag, "ValidationError")
    }))
})
