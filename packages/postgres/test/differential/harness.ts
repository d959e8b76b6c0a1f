/**
 * The differential harness (issue 13): a seeded random sequence of operations runs through the real
 * commands (kernel `Command` pipeline) on a context's memory layer (the reference semantics) and on its
 * Postgres adapter, with the same per-operation ids, the same manual clock and the same host fakes.
 * Every step's outcome (the encoded value, or the typed error's tag and fields) and the final state
 * read through the public queries must be equal. Outcomes are normalized to plain JSON (class instances
 * become plain objects, bigints `"<n>n"`), so a renamed field changes both sides alike.
 *
 * Coverage counts every step's kind and result (`<kind>:ok` or `<kind>:<ErrorTag>`); the suites assert
 * minimum hit rates so a run cannot pass vacuously, and print the counts.
 */
import { Clock, type Context, Effect, Exit } from "effect"
import { AuditLog, Ids, Outbox, type Tenant } from "@erpkit/kernel"
import type * as fc from "fast-check"
import { expect } from "@effect/vitest"
import { ManualClock, outcome, type SequentialIds, sequentialIds } from "../billing/driver.ts"

export { ManualClock, sequentialIds }

/** The run's seed: ERPKIT_TEST_SEED, default 20261206. */
export const testSeed = Number(process.env["ERPKIT_TEST_SEED"] ?? 20_261_206)

/** A message that says how to reproduce. */
export const because = (what: string) => `${what} (seed ${testSeed}; rerun with ERPKIT_TEST_SEED=${testSeed})`

/** What an operation does in one environment, and what the world learns from its success. */
export interface Step {
  readonly effect: Effect.Effect<unknown, unknown, any>
  readonly record: (value: any) => void
}

/** Runs an effect in one environment; returns its exit. */
export type Runner = <A, E>(effect: Effect.Effect<A, E, any>) => Promise<Exit.Exit<A, E>>

/** The services the harness provides per operation (ids, clock) and per environment (`extra`: host fakes). */
export const runnerOf =
  (
    context: Context.Context<any>,
    ids: Ids.IdGenerator["Service"],
    clock: Clock.Clock,
    extra: <A, E, R>(effect: Effect.Effect<A, E, R>) => Effect.Effect<A, E, any> = (e) => e
  ): Runner =>
  (effect) =>
    Effect.runPromiseExit(
      extra(effect).pipe(
        Effect.provideService(Ids.IdGenerator, ids),
        Effect.provideService(Clock.Clock, clock),
        Effect.provideContext(context)
      ) as Effect.Effect<any, any, never>
    )

/** Sorts object keys, recursively: the order of a JSON object's keys is not data (jsonb reorders them). */
const sortKeys = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(sortKeys)
    : value !== null && typeof value === "object"
    ? Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]))
    : value

/**
 * Plain JSON of a value: class instances as plain objects, bigints as `"<n>n"`, `undefined` fields
 * dropped, object keys sorted.
 */
export const normalize = (value: unknown): unknown =>
  value === undefined
    ? null
    : sortKeys(
      JSON.parse(
        JSON.stringify(
          value,
          (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v instanceof Uint8Array ? Array.from(v) : v)
        )
      )
    )

/**
 * An exit as comparable JSON: `{ ok }` with the normalized value, or `{ error }` with the typed error's tag and fields.
 */
export const normalizedOutcome = (exit: Exit.Exit<unknown, unknown>): unknown => normalize(outcome(exit))

/** The result label of an outcome: "ok" or the error tag. */
export const resultOf = (normalized: unknown): string => {
  const o = normalized as { ok?: unknown; error?: { _tag?: string } | string }
  if ("ok" in o) return "ok"
  return typeof o.error === "string" ? o.error : o.error?._tag ?? "unknown"
}

/** Counts of `<kind>:<result>` over a suite. */
export class Coverage {
  readonly counts = new Map<string, number>()
  add(kind: string, result: string) {
    const key = `${kind}:${result}`
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1)
  }
  get total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0)
  }
  count(predicate: (kind: string, result: string) => boolean): number {
    let n = 0
    for (const [key, c] of this.counts) {
      const at = key.indexOf(":")
      if (predicate(key.slice(0, at), key.slice(at + 1))) n += c
    }
    return n
  }
  summary(): string {
    const total = this.total
    const ok = this.count((_, r) => r === "ok")
    const kinds = new Set([...this.counts.keys()].map((k) => k.slice(0, k.indexOf(":"))))
    const pct = (n: number) => (total === 0 ? "0" : ((100 * n) / total).toFixed(1))
    const head = `${kinds.size} kinds, ok ${ok}/${total} (${pct(ok)}%), refused ${total - ok} (${pct(total - ok)}%)`
    return `${head}: ${[...this.counts.entries()].sort().map(([k, n]) => `${k}=${n}`).join(" ")}`
  }
  /**
   * Fails unless: more than `minSteps` steps ran; at least `minOkRate` of them succeeded and at least
   * `minErrorRate` failed with a typed error; every kind in `mustSucceed` succeeded at least once; every
   * `<kind>:<result>` in `mustSee` occurred.
   */
  check(
    options: {
      readonly minSteps: number
      readonly minOkRate: number
      readonly minErrorRate: number
      readonly mustSucceed: ReadonlyArray<string>
      readonly mustSee?: ReadonlyArray<string>
    }
  ) {
    const total = this.total
    const ok = this.count((_, r) => r === "ok")
    expect(total, because("steps run")).toBeGreaterThan(options.minSteps)
    expect(ok / total, because(`share of successful steps (${ok}/${total})`)).toBeGreaterThanOrEqual(options.minOkRate)
    expect((total - ok) / total, because(`share of refused steps (${total - ok}/${total})`)).toBeGreaterThanOrEqual(
      options.minErrorRate
    )
    for (const kind of options.mustSucceed) {
      expect(this.counts.get(`${kind}:ok`) ?? 0, because(`${kind} succeeded`)).toBeGreaterThan(0)
    }
    for (const key of options.mustSee ?? []) {
      expect(this.counts.get(key) ?? 0, because(`${key} seen`)).toBeGreaterThan(0)
    }
    expect(this.count((_, r) => r === "unknown"), because("steps that died (defects)")).toBe(0)
  }
}

/** Both environments of one run, fed the same operations. */
export interface Pair {
  readonly memory: Runner
  readonly postgres: Runner
  readonly ids: { readonly memory: SequentialIds; readonly postgres: SequentialIds }
  readonly clock: ManualClock
}

/** The two environments' ids move on to the next operation's numbers (and so does `onStartOp`). */
export const startOp = (pair: Pair, onStartOp?: () => void) => {
  pair.ids.memory.startOp()
  pair.ids.postgres.startOp()
  onStartOp?.()
}

/**
 * Runs one step on memory, then on Postgres from the same clock: the normalized outcomes must be
 * equal. Counts the outcome under `kind`; a success updates the world. `reset` runs before each side
 * (per-operation state of the fakes, e.g. deterministic randomness).
 */
export const runStep = async (
  pair: Pair,
  kind: string,
  label: string,
  step: Step,
  coverage: Coverage,
  reset: () => void = () => {}
) => {
  const clockBefore = pair.clock.millis
  reset()
  const memoryExit = await pair.memory(step.effect)
  const expected = normalizedOutcome(memoryExit)
  const clockAfter = pair.clock.millis
  pair.clock.millis = clockBefore // a step that moves the clock replays from the same time
  reset()
  const actual = normalizedOutcome(await pair.postgres(step.effect))
  expect(actual, because(`${label} on Postgres vs memory`)).toEqual(expected)
  expect(pair.clock.millis, because(`${label} moved the clock alike`)).toBe(clockAfter)
  coverage.add(kind, resultOf(expected))
  if (Exit.isSuccess(memoryExit)) step.record(memoryExit.value)
  return expected
}

/** fast-check parameters of every differential suite: the seed, and the path printed on failure. */
export const assertParameters = (numRuns: number): fc.Parameters<unknown> => ({ seed: testSeed, numRuns, verbose: 0 })

/** Where two normalized values first differ (a path like `lists[3].r.ok[1]`), or undefined when equal. */
const firstDifference = (
  actual: unknown,
  expected: unknown,
  path: string
): { path: string; actual: unknown; expected: unknown } | undefined => {
  if (JSON.stringify(actual) === JSON.stringify(expected)) return undefined
  if (Array.isArray(actual) && Array.isArray(expected) && actual.length === expected.length) {
    for (let n = 0; n < actual.length; n++) {
      const inner = firstDifference(actual[n], expected[n], `${path}[${n}]`)
      if (inner !== undefined) return inner
    }
  }
  const isObject = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v)
  if (isObject(actual) && isObject(expected)) {
    for (const k of Object.keys({ ...expected, ...actual })) {
      const inner = firstDifference(actual[k], expected[k], `${path}.${k}`)
      if (inner !== undefined) return inner
    }
  }
  return { path, actual, expected }
}

/**
 * The final states of both sides, key by key; a difference names the key and shows both values
 * (shortened). Under `unordered` (a list of `{ name, r }`), the lists as each side returned them: a
 * difference there is returned (the names of the lists whose order differs), not failed; the same
 * lists compared as sets sit under another key.
 */
export const expectSameState = (actual: unknown, expected: unknown, unordered?: string): ReadonlyArray<string> => {
  const a = actual as Record<string, unknown>
  const e = expected as Record<string, unknown>
  const show = (v: unknown) => JSON.stringify(v)?.slice(0, 2_000)
  for (const key of Object.keys({ ...e, ...a })) {
    if (key === unordered) continue
    const at = firstDifference(a[key], e[key], key)
    if (at !== undefined) {
      expect.fail(
        because(`final state differs at ${at.path}:\n  postgres: ${show(at.actual)}\n  memory:   ${show(at.expected)}`)
      )
    }
  }
  if (unordered === undefined) return []
  const mine = (a[unordered] ?? []) as ReadonlyArray<{ name: string; r: unknown }>
  const theirs = (e[unordered] ?? []) as ReadonlyArray<{ name: string; r: unknown }>
  return mine.filter((m, n) => JSON.stringify(m.r) !== JSON.stringify(theirs[n]?.r)).map((m) => m.name)
}

/**
 * The platform's records of a run, through the kernel ports: the tenant's committed domain events
 * (outbox, oldest first) and the audit entries of each actor. Commands write them in the same unit of
 * work as their changes, so both sides must hold the same ones. `auditAsSet`: the entries compared
 * as a set, for a context whose commands write several entries in the order a port listed rows that
 * has no defined order (identity's user deletion: its codes and sessions).
 */
export const platformRecords = (
  tenant: Tenant.Tenant,
  actorIds: ReadonlyArray<Ids.UserId>,
  options: { readonly auditAsSet?: boolean } = {}
) =>
  Effect.gen(function*() {
    const outbox = yield* Outbox.Outbox
    const audit = yield* AuditLog.AuditLog
    const entries = normalize(yield* Effect.forEach(actorIds, (id) => audit.byActor(tenant, id))) as ReadonlyArray<
      ReadonlyArray<unknown>
    >
    return {
      events: normalize(yield* outbox.list(tenant)),
      // as a set: without the entry's own id, which follows the order the entries were written in
      audit: options.auditAsSet === true
        ? entries.map((list) => list.map((e) => JSON.stringify({ ...(e as object), id: null })).sort())
        : entries
    }
  })
