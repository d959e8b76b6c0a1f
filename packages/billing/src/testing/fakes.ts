/**
 * Fakes of the host ports billing calls out to: an accounting system that fails on demand and a usage
 * source fed by the test. Both record what they were asked, so tests can assert on it.
 */
import { Effect, Layer } from "effect"
import { type AccountingRecord, AccountingSystem } from "../AccountingSyncRepository.ts"
import { AccountingSystemError } from "../BillingError.ts"
import { type ClientUsage, UsageSource } from "../BillingRunRepository.ts"

export interface FakeAccountingSystem {
  readonly layer: Layer.Layer<AccountingSystem>
  /** Every push, in order (failed ones too). */
  readonly pushes: Array<AccountingRecord>
  /** The next `times` pushes fail with `reason` (retryable unless said otherwise). */
  readonly failNext: (times: number, options?: { readonly retryable?: boolean; readonly reason?: string }) => void
  /** Every push fails until `succeed()`. */
  readonly failAlways: (options?: { readonly retryable?: boolean; readonly reason?: string }) => void
  /** The next push dies with a defect (an adapter bug). */
  readonly dieNext: () => void
  /** The next push never answers. */
  readonly hangNext: () => void
  readonly succeed: () => void
}

/** An accounting system in memory: external ids "EXT-1", "EXT-2", …; failures as the test orders them. */
export const fakeAccountingSystem = (): FakeAccountingSystem => {
  const pushes: Array<AccountingRecord> = []
  let failures = 0
  let always = false
  let die = false
  let hang = false
  let retryable = true
  let reason = "accounting system unavailable"
  let counter = 0
  const layer = Layer.succeed(AccountingSystem, {
    push: (record) =>
      Effect.suspend(() => {
        pushes.push(record)
        if (hang) {
          hang = false
          return Effect.never
        }
        if (die) {
          die = false
          return Effect.die(new Error("adapter bug"))
        }
        if (always || failures > 0) {
          if (failures > 0) failures--
          return Effect.fail(new AccountingSystemError({ reason, retryable }))
        }
        return Effect.succeed({ externalId: `EXT-${++counter}` })
      })
  })
  return {
    layer,
    pushes,
    failNext: (times, options = {}) => {
      failures = times
      retryable = options.retryable ?? true
      reason = options.reason ?? "accounting system unavailable"
    },
    failAlways: (options = {}) => {
      always = true
      retryable = options.retryable ?? true
      reason = options.reason ?? "accounting system unavailable"
    },
    dieNext: () => {
      die = true
    },
    hangNext: () => {
      hang = true
    },
    succeed: () => {
      always = false
      failures = 0
    }
  }
}

export interface FakeUsageSource {
  readonly layer: Layer.Layer<UsageSource>
  /** Sets what the source reports for `period` (customer id order is the source's job: it sorts). */
  readonly set: (period: string, usage: ReadonlyArray<ClientUsage | unknown>) => void
  /** How many times the source was asked. */
  readonly calls: () => number
}

export const fakeUsageSource = (): FakeUsageSource => {
  const byPeriod = new Map<string, ReadonlyArray<unknown>>()
  let calls = 0
  const idOf = (u: unknown) => String((u as { customerId?: unknown } | null)?.customerId ?? "")
  const layer = Layer.succeed(UsageSource, {
    usage: (_tenant, period, page) =>
      Effect.sync(() => {
        calls++
        const all = [...(byPeriod.get(period.period) ?? [])].sort((
          a,
          b
        ) => (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0))
        return all.filter((u) => page.after === null || idOf(u) > page.after).slice(0, page.limit)
      })
  })
  return { layer, set: (period, usage) => byPeriod.set(period, usage), calls: () => calls }
}
