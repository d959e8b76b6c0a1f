/**
 * Differential test of billing beyond the core (issue 13): seeded random sequences of rate-card,
 * surcharge, pricing, quote (acceptance on credit and paid upfront), dispute (approval issues a credit
 * note, X-04), document, accounting-sync, usage-billing, recurring-run and daily-job operations run
 * through the real commands on billing's memory layer and on the Postgres adapter (PGlite and the
 * server), with the same per-operation ids, manual clock and host fakes. Every step's normalized
 * outcome and the final state read through the public queries must be equal; coverage counts make sure
 * the runs exercised every operation and both paths. Seed: ERPKIT_TEST_SEED (default 20261206).
 *
 *   ERPKIT_TEST_SEED=<n> npx -y pnpm@10 exec vitest run --project postgres billing-extended-differential
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import type { Tenant } from "@erpkit/kernel"
import * as fc from "fast-check"
import { layerTest, Operations } from "@erpkit/billing/testing"
import { targets } from "./targets.ts"
import { billingLayer, type BillingServices } from "./billing/support.ts"
import {
  assertParameters,
  because,
  Coverage,
  expectSameState,
  ManualClock,
  normalize,
  type Pair,
  runnerOf,
  runStep,
  sequentialIds,
  startOp,
  testSeed
} from "./differential/harness.ts"
import {
  hostPorts,
  type Op,
  opArb,
  opening,
  openAccounts,
  opStep,
  readWorld,
  World
} from "./differential/billingExtended.ts"

const numRuns = 12
const coverage = new Coverage()

/** The run's tenant and id prefix, from the seed and the run number: the same on every rerun. */
const runIds = (base: number, run: number) => {
  const prefix = ((base + run) >>> 0).toString(16).padStart(8, "0").slice(-8)
  const tenant: Tenant.Tenant = {
    organizationId: `${prefix}-0a0a-7000-8000-000000000001` as Tenant.Tenant["organizationId"],
    workspaceId: `${prefix}-0a0a-7000-8000-000000000002` as Tenant.Tenant["workspaceId"]
  }
  return { prefix, tenant, seed: base + run }
}

/** One run: the accounts, the fixed opening, then `ops`, each compared step by step; then the final state. */
const runOnce = async (pgContext: any, base: number, run: number, ops: ReadonlyArray<Op>) => {
  const { prefix, seed, tenant } = runIds(base, run)
  const clock = new ManualClock(Operations.start)
  const world = new World(tenant, prefix, clock)
  const memoryContext = await Effect.runPromise(Effect.scoped(Layer.build(layerTest(seed))))
  const ids = { memory: sequentialIds(seed), postgres: sequentialIds(seed) }
  const hosts = <A, E, R>(e: Effect.Effect<A, E, R>) => Effect.provide(e, hostPorts(world))
  const pair: Pair = {
    memory: runnerOf(memoryContext, ids.memory, clock, hosts),
    postgres: runnerOf(pgContext, ids.postgres, clock, hosts),
    ids,
    clock
  }
  for (const { kind, step } of openAccounts(world)) {
    startOp(pair)
    await runStep(pair, kind, kind, step, coverage)
  }
  for (const [n, op] of [...opening, ...ops].entries()) {
    const step = opStep(world, op)
    if (step === undefined) continue
    startOp(pair)
    await runStep(
      pair,
      op._tag,
      `step ${n} ${JSON.stringify(op, (_k, v) => (typeof v === "bigint" ? `${v}n` : v))}`,
      step,
      coverage
    )
  }
  startOp(pair)
  const expected = await pair.memory(readWorld(world))
  const actual = await pair.postgres(readWorld(world))
  expect(Exit.isSuccess(actual) && Exit.isSuccess(expected), because("final state read on both sides")).toBe(true)
  if (Exit.isSuccess(actual) && Exit.isSuccess(expected)) {
    expectSameState(normalize(actual.value), normalize(expected.value))
    const platform = (normalize(expected.value) as {
      platform: { events: ReadonlyArray<unknown>; audit: ReadonlyArray<ReadonlyArray<unknown>> }
    }).platform
    expect(platform.events.length, because("events compared")).toBeGreaterThan(0)
    expect(platform.audit.flat().length, because("audit entries compared")).toBeGreaterThan(0)
  }
}

for (const target of targets("billing-extended-differential.test.ts")) {
  describe(target.name, () => {
    layer(billingLayer(target), { excludeTestServices: true, timeout: "300 seconds" })("memory vs Postgres", (it) => {
      it.effect("rates, quotes, disputes, documents, sync, recurring runs and jobs agree on memory and Postgres", () =>
        Effect.gen(function*() {
          const pgContext = yield* Effect.context<BillingServices>()
          const base = 0x5100_0000 + (target.name === "server" ? 0x10_0000 : 0) + (testSeed % 0x1000) * 0x100
          let run = 0
          coverage.counts.clear()
          console.log(`[billing extended differential] ${target.name}: seed ${testSeed}`)
          yield* Effect.promise(() =>
            fc.assert(
              fc.asyncProperty(
                fc.array(opArb, { minLength: 10, maxLength: 40 }),
                (ops) => runOnce(pgContext, base, ++run, ops)
              ),
              assertParameters(numRuns)
            )
          )
          console.log(
            `[billing extended differential] ${target.name}: ${run} runs, ${coverage.total} steps,` +
              ` outcomes ${coverage.summary()}`
          )
          coverage.check({
            minSteps: 400,
            minOkRate: 0.4,
            minErrorRate: 0.05,
            mustSucceed: [
              "OpenAccount",
              "CreateCard",
              "UpdateCard",
              "DeleteCard",
              "CreateSurcharge",
              "UpdateSurcharge",
              "DeleteSurcharge",
              "Price",
              "CreateQuote",
              "SendQuote",
              "AcceptQuote",
              "OpenDispute",
              "ApproveDispute",
              "RejectDispute",
              "InvoiceDocument",
              "BillOfLading",
              "RunSync",
              "RetrySync",
              "BillUsage",
              "RecordRunFailure",
              "RunRecurring",
              "Tick"
            ],
            mustSee: ["Forged:NotFound"]
          })
          coverage.counts.clear()
        }))
    })
  })
}
