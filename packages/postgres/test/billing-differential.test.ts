/**
 * Differential test: the same fast-check `fc.commands` sequences of billing commands (the real kernel
 * Command pipeline: decode, permission, unit of work, outbox, audit) run on billing's memory adapter
 * (the reference semantics) and on the Postgres adapter, with the same deterministic ids and clock.
 * Every command's outcome (the value, or the typed error's tag and fields) and the final state read
 * through the ports (accounts, ledgers, holds, invoices with lines, event logs, payments, credit notes)
 * must be identical. Seeded (ERPKIT_TEST_SEED, default 20261206; issue 13): the same sequences and
 * tenants on every rerun; failures print fast-check's seed and path.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect, Layer } from "effect"
import * as fc from "fast-check"
import { layerTest, Operations } from "@erpkit/billing/testing"
import type { Tenant } from "@erpkit/kernel"
import { targets } from "./targets.ts"
import { because, testSeed } from "./differential/harness.ts"
import { billingLayer, type BillingServices } from "./billing/support.ts"
import {
  ManualClock,
  type Op,
  opArb,
  opEffect,
  outcome,
  readWorld,
  runnerOf,
  type Runner,
  sequentialIds,
  World
} from "./billing/driver.ts"

interface Real {
  readonly memory: Runner
  readonly postgres: Runner
  /** Both environments' ids move on to the next operation's numbers. */
  readonly startOp: () => void
}

/** Outcomes seen (ok or error tag) across all runs: the test asserts it exercised both paths widely. */
const seen = new Map<string, number>()

/** Runs `op` on memory, then on Postgres from the same clock: the outcomes must be identical. */
const opCommand = Operations.command<Op, World, Real>(async (op, world, real) => {
  const step = opEffect(world, op)
  if (step === undefined) return
  real.startOp()
  const clockBefore = world.clock.millis
  const expected = outcome(await real.memory(step.effect))
  world.clock.millis = clockBefore // a Tick moved it inside the effect: replay from the same time
  const actual = outcome(await real.postgres(step.effect))
  expect(actual, Operations.show(op)).toEqual(expected)
  const tag = `${op._tag}:${
    typeof expected === "object" && expected !== null && "ok" in expected
      ? "ok"
      : (expected as { error: { _tag: string } }).error._tag
  }`
  seen.set(tag, (seen.get(tag) ?? 0) + 1)
  if (typeof expected === "object" && expected !== null && "ok" in expected) {
    step.record((expected as { ok: unknown }).ok)
  }
})

const opening: ReadonlyArray<Op> = [
  ...Operations.openingAccounts,
  // a fixed prefix so every run exercises the main paths at least once (the random part follows)
  { _tag: "Reserve", account: 0, amount: 500n, timeoutSeconds: 3_600 },
  {
    _tag: "Create",
    account: 0,
    unitPrice: 1_000n,
    dueInDays: 3,
    text: 1,
    deposit: true,
    reuseNumber: false,
    issueNow: false
  },
  { _tag: "Issue", invoice: 0, hold: 0 },
  { _tag: "Pay", invoice: 0, amount: 100n, pending: false, fromWallet: false, usd: false, key: 0 },
  // the same key: a replay on memory, a first attempt that fails its INSERT and replays on Postgres
  { _tag: "Pay", invoice: 0, amount: 100n, pending: false, fromWallet: false, usd: false, key: 0 },
  // the same key with other input: Conflict on both
  { _tag: "Pay", invoice: 0, amount: 101n, pending: false, fromWallet: false, usd: false, key: 0 },
  { _tag: "Credit", invoice: 0, amount: 50n },
  { _tag: "Tick", hours: 30 }
]

let runs = 0

/** The run's tenant, from its seed (each test file has a database of its own, so it never collides). */
const tenantOf = (seed: number): Tenant.Tenant => {
  const prefix = (seed >>> 0).toString(16).padStart(8, "0").slice(-8)
  return {
    organizationId: `${prefix}-0a0a-7000-8000-000000000001` as Tenant.Tenant["organizationId"],
    workspaceId: `${prefix}-0a0a-7000-8000-000000000002` as Tenant.Tenant["workspaceId"]
  }
}

for (const target of targets("billing-differential.test.ts")) {
  describe(target.name, () => {
    layer(billingLayer(target), { excludeTestServices: true, timeout: "120 seconds" })("memory vs Postgres", (it) => {
      it.effect("billing commands give identical outcomes and state on memory and Postgres (fc.commands)", () =>
        Effect.gen(function*() {
          const pgContext = yield* Effect.context<BillingServices>()
          let runsHere = 0
          yield* Effect.promise(() =>
            fc.assert(
              fc.asyncProperty(
                fc.commands([opArb.map(opCommand)], { maxCommands: 40, size: "max" }),
                async (commands) => {
                  const seed = 0x5000_0000 + (target.name === "server" ? 0x100_0000 : 0) + ++runs
                  runsHere++
                  const tenant = tenantOf(seed)
                  const memoryContext = await Effect.runPromise(Effect.scoped(Layer.build(layerTest(seed))))
                  const ids = { memory: sequentialIds(seed), postgres: sequentialIds(seed) }
                  const world = new World(tenant, seed, new ManualClock(Operations.start))
                  const real: Real = {
                    memory: runnerOf(memoryContext, ids.memory, world.clock),
                    postgres: runnerOf(pgContext, ids.postgres, world.clock),
                    startOp: () => {
                      ids.memory.startOp()
                      ids.postgres.startOp()
                    }
                  }
                  for (const op of opening) {
                    await opCommand(op).run(world, real)
                  }
                  await fc.asyncModelRun(() => ({ model: world, real }), commands)
                  real.startOp()
                  const expected = await real.memory(readWorld(world))
                  const actual = await real.postgres(readWorld(world))
                  expect(outcome(actual)).toEqual(outcome(expected))
                }
              ),
              { numRuns: 20, seed: testSeed }
            )
          )
          const summary = [...seen.entries()].sort().map(([k, n]) => `${k}=${n}`).join(" ")
          console.log(`[billing differential] ${target.name}: seed ${testSeed}, ${runsHere} runs, outcomes ${summary}`)
          const total = [...seen.values()].reduce((a, b) => a + b, 0)
          expect(total, because("steps run")).toBeGreaterThan(150)
          for (
            const must of ["Create:ok", "Issue:ok", "Pay:ok", "Credit:ok", "Tick:ok", "Reserve:ok", "Forged:NotFound"]
          ) expect(seen.get(must) ?? 0, because(must)).toBeGreaterThan(0)
          seen.clear()
        }))
    })
  })
}
