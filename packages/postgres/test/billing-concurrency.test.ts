/**
 * Concurrency on a real server (DATABASE_URL, else the embedded server of the test run; never PGlite,
 * whose one connection would serialize every race away):
 * - 16 workers × 500 mixed billing commands, each with an idempotency key, on one hot account and on
 *   10 accounts. Afterwards, in SQL: every invariant (ledger chains gap-free and correct, balances,
 *   wallets and holds equal their sums, available credit never below zero, also sampled while running
 *   from another connection); every row matched to the key of the command that made it, per command
 *   kind (issue, void-hold, expire, top-up, payments, credit notes); outbox events, audit entries,
 *   accounting-sync and idempotency records counted against the successful commands.
 * - N commands × 3 concurrent copies with the same key: N effects, every copy gets the first result;
 *   other input under a used key is the typed key-reuse error.
 * Each has a control that must fail under the same load: the account repository without its row lock,
 * and a check-then-act idempotency store.
 *
 * Reproduce with another seed: ERPKIT_TEST_SEED=<n> npx -y pnpm@10 exec vitest run --project postgres
 * billing-concurrency
 */
import { describe, expect, layer } from "@effect/vitest"
import { type Context, Duration, Effect, Fiber, Ref } from "effect"
import { SqlClient } from "effect/sql"
import { freshTenant, serverTarget } from "./targets.ts"
import { billingLayer, type BillingServices } from "./billing/support.ts"
import { newOutcomes, setup, withManualClock, worker, workloadEpochMillis, type Harness } from "./billing/load.ts"
import { adminLayer, keyMismatches, sampleAvailableCredit, sideEffectMismatches, violations } from "./billing/checks.ts"
import { checkThenActIdempotency, withoutAccountLock } from "./billing/controls.ts"
import { issueInvoices, keyReuseTag, reuseKeys, sameKeyRun } from "./billing/same-key.ts"
import { ManualClock } from "./billing/driver.ts"

const server = serverTarget("billing-concurrency.test.ts")
const seed = Number(process.env["ERPKIT_TEST_SEED"] ?? 20_261_206)
const because = (what: string) => `${what} (seed ${seed}; rerun with ERPKIT_TEST_SEED=${seed})`

type Ctx = Context.Context<any>

const tally = (m: Iterable<readonly [string, number]>) => [...m].sort().map(([k, n]) => `${k}=${n}`).join(" ")

const scenario = (
  name: string,
  accounts: number,
  limit: bigint,
  workers: number,
  count: number,
  variant: (c: Ctx) => Ctx = (c) => c
) =>
  Effect.gen(function*() {
    const clock = new ManualClock(workloadEpochMillis)
    const app = withManualClock(variant(yield* Effect.context<BillingServices>()), clock)
    return yield* Effect.gen(function*() {
      const admin = yield* SqlClient.SqlClient
      const tenant = freshTenant()
      const w = yield* setup(app, tenant, accounts, limit, clock)
      const h: Harness = {
        context: app,
        outcomes: newOutcomes(),
        retries: 0,
        lostReplyRate: 0,
        naiveRetry: false,
        tenant
      }
      const least = yield* Ref.make(limit)
      const samples = yield* Ref.make(0)
      const sampler = yield* Effect.forkChild(sampleAvailableCredit(admin, tenant, least, samples))
      const [elapsed] = yield* Effect.timed(
        Effect.forEach(
          Array.from({ length: workers }, (_, i) => i),
          (i) => worker(h, w, `${name}-w${i}`, count, seed + i),
          { concurrency: "unbounded", discard: true }
        )
      )
      yield* Fiber.interrupt(sampler)
      const broken = yield* violations(admin, tenant)
      const mismatched = yield* keyMismatches(admin, tenant, h.outcomes)
      const sideEffects = yield* sideEffectMismatches(admin, tenant, h.outcomes, w.accounts)
      const ops = new Map<string, number>()
      for (const s of h.outcomes.succeeded.values()) ops.set(s.op, (ops.get(s.op) ?? 0) + 1)
      console.log(
        `[billing concurrency] ${name} (seed ${seed}): ${workers}×${count} on ${accounts} account(s) in ${
          (Duration.toMillis(elapsed) / 1000).toFixed(1)
        } s; ` +
          `succeeded ${tally(ops)}; typed failures ${
            tally(h.outcomes.failed)
          }; defects ${h.outcomes.defects.length}; ` +
          `available-credit samples ${yield* Ref.get(samples)}, least ${yield* Ref.get(least)}; violations ${
            JSON.stringify(broken)
          }; ` +
          `key mismatches ${JSON.stringify(mismatched)}; side-effect mismatches ${JSON.stringify(sideEffects)}`
      )
      return {
        outcomes: h.outcomes,
        broken,
        mismatched,
        sideEffects,
        least: yield* Ref.get(least),
        samples: yield* Ref.get(samples)
      }
    }).pipe(Effect.provide(adminLayer))
  })

/**
 * The same-key run on a fresh tenant, with the post-checks; then (with `reuse`) the first 10 keys
 * again with other input, and the rows checked once more.
 */
const sameKey = (n: number, variant: (c: Ctx) => Ctx = (c) => c, reuse = false) =>
  Effect.gen(function*() {
    const clock = new ManualClock(workloadEpochMillis)
    const app = withManualClock(variant(yield* Effect.context<BillingServices>()), clock)
    return yield* Effect.gen(function*() {
      const admin = yield* SqlClient.SqlClient
      const tenant = freshTenant()
      const w = yield* setup(app, tenant, 4, 1_000_000_000n, clock)
      yield* issueInvoices(app, w, 20)
      const before = { invoices: [...w.invoices] }
      const run = yield* sameKeyRun(app, w, n, 3, seed)
      const mismatched = [
        ...yield* keyMismatches(admin, tenant, run.outcomes, before),
        ...yield* sideEffectMismatches(admin, tenant, run.outcomes, w.accounts, before)
      ]
      const broken = yield* violations(admin, tenant)
      const reused = reuse ? yield* reuseKeys(app, w, 10) : []
      const afterReuse = reuse ? yield* keyMismatches(admin, tenant, run.outcomes, before) : []
      console.log(
        `[billing concurrency] same key (seed ${seed}): ${n} commands × 3 copies; ` +
          `divergent copies ${run.divergent.length}; ` +
          `mismatches ${JSON.stringify(mismatched)}; violations ${JSON.stringify(broken)}; reused keys answered ${
            JSON.stringify(reused)
          }`
      )
      return { run, mismatched, broken, reused, afterReuse }
    }).pipe(Effect.provide(adminLayer))
  })

describe(server.name, () => {
  layer(billingLayer(server), { excludeTestServices: true, timeout: "300 seconds" })(
    "billing under concurrency",
    (it) => {
      it.effect(
        "BIL-AT-03 BIL-CA-02 16 workers × 500 commands on one hot account: invariants hold, rows match keys",
        () =>
          Effect.gen(function*() {
            const r = yield* scenario("hot", 1, 400_000n, 16, 500)
            expect(r.outcomes.defects, because("defects")).toEqual([])
            expect(r.broken, because("invariants")).toEqual([])
            expect(r.mismatched, because("rows against keys")).toEqual([])
            expect(r.sideEffects, because("side effects against keys")).toEqual([])
            expect(r.least >= 0n, because("least available credit sampled")).toBe(true)
            expect(r.samples).toBeGreaterThan(10)
            expect(r.outcomes.failed.get("reserve:CreditLimitExceeded") ?? 0, because("the workload reaches the limit"))
              .toBeGreaterThan(0)
            for (const op of [
              "reserve",
              "voidHold",
              "draft",
              "issue",
              "pay",
              "payWallet",
              "creditNote",
              "topUp",
              "expireHolds",
              "markOverdue"
            ]) {
              expect([...r.outcomes.succeeded.values()].some((s) => s.op === op), because(`some ${op} succeeded`)).toBe(
                true
              )
            }
          }),
        300_000
      )

      it.effect(
        "BIL-AT-03 BIL-CA-02 16 workers × 500 commands on 10 accounts: invariants hold, rows match keys",
        () =>
          Effect.gen(function*() {
            const r = yield* scenario("ten", 10, 300_000n, 16, 500)
            expect(r.outcomes.defects, because("defects")).toEqual([])
            expect(r.broken, because("invariants")).toEqual([])
            expect(r.mismatched, because("rows against keys")).toEqual([])
            expect(r.sideEffects, because("side effects against keys")).toEqual([])
            expect(r.least >= 0n, because("least available credit sampled")).toBe(true)
          }),
        300_000
      )

      it.effect(
        "control: the account repository without its row lock breaks the invariants under the same load",
        () =>
          Effect.gen(function*() {
            const r = yield* scenario("naive-lock", 1, 400_000n, 16, 60, withoutAccountLock)
            // lost updates of holds and balances, or duplicate ledger sequences (the unique key makes them defects)
            expect(r.broken.length, because("the check sees the lost updates")).toBeGreaterThan(0)
          }),
        300_000
      )

      it.effect(
        "same key: 60 commands × 3 concurrent copies make 60 effects, each copy gets the first result; else key reuse",
        () =>
          Effect.gen(function*() {
            const r = yield* sameKey(60, (c) => c, true)
            expect(r.run.divergent, because("copies with another result")).toEqual([])
            expect(r.run.outcomes.succeeded.size).toBe(60)
            expect(r.mismatched, because("one effect per key")).toEqual([])
            expect(r.broken, because("invariants")).toEqual([])
            expect(r.reused, because(`a used key with other input is ${keyReuseTag}`)).toEqual(
              Array.from({ length: 10 }, () => keyReuseTag)
            )
            expect(r.afterReuse, because("the refused reuses did nothing")).toEqual([])
          }),
        300_000
      )

      it.effect(
        "control: a check-then-act idempotency store applies concurrent copies more than once under the same load",
        () =>
          Effect.gen(function*() {
            const r = yield* sameKey(60, checkThenActIdempotency)
            expect(r.run.divergent.length, because("copies that acted on their own")).toBeGreaterThan(0)
            expect(r.mismatched.length, because("the counts see the extra effects")).toBeGreaterThan(0)
          }),
        300_000
      )
    }
  )
})
