/**
 * BIL-INV-12 with the tenant's defaults: a line that names no VAT rate gets the tenant's
 * (`TenantDefaults.taxRate`, 12 % unless the host or the tenant's settings say otherwise), and business
 * dates follow the tenant's time zone.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Rate, TenantDefaults } from "@erpkit/kernel"
import { draftInvoice, openAccount } from "../src/testing/index.ts"
import { fresh } from "./helpers.ts"

const taxOf = (
  invoice: { readonly lines: ReadonlyArray<{ readonly taxMinor: bigint; readonly taxRate: Rate.Rate }> }
) => invoice.lines.map((l) => [l.taxMinor, Rate.format(l.taxRate)])

describe("tenant defaults", () => {
  it.effect("BIL-INV-12 a line without a VAT rate gets the tenant's: 12 % by default, the host's when it says so", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount()
      const standard = yield* draftInvoice(account.id, 100_000n)
      expect(taxOf(standard)).toEqual([[12_000n, "0.12"]])
      const german = yield* draftInvoice(account.id, 100_000n).pipe(
        Effect.provide(TenantDefaults.layer({ taxRate: Rate.fromBasisPoints(1900) }))
      )
      expect(taxOf(german)).toEqual([[19_000n, "0.19"]])
      const explicit = yield* draftInvoice(account.id, 100_000n, { taxRate: "5%" }).pipe(
        Effect.provide(TenantDefaults.layer({ taxRate: Rate.fromBasisPoints(1900) }))
      )
      expect(taxOf(explicit), "a line's own rate wins").toEqual([[5_000n, "0.05"]])
    })))
})
