/**
 * The concurrency and fault workload of the billing tests (real server only): workers running mixed
 * billing commands (reserve credit, void a hold, draft + issue an invoice with or without a hold,
 * record a payment, pay from the wallet, credit note, top up, the expiry and overdue jobs) against a
 * few accounts, every command with an idempotency key.
 *
 * Reproducible: each worker draws its commands from `Random.withSeed(seed + worker)` (the seed is
 * printed by the tests), and the application's clock is a `ManualClock` only the workload moves (the
 * expiry and overdue jobs advance it), so no outcome depends on how fast the machine is. Only the
 * interleaving of the workers is left to the server, which is the point.
 *
 * Faults are decided by the runner with the worker's seeded generator: a "lost reply" drops the
 * result of a command whose COMMIT succeeded (as if the connection died on the way back) and the
 * client retries with the same key; a death (killed backend, statement timeout) is retried too, and
 * the key's row is read from an admin connection first to tell whether it died before or after COMMIT.
 */
import { Cause, Clock, Context, Effect, Exit, Random } from "effect"
import { Actor, type Tenant } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import type { SqlClient } from "effect/sql"
import * as SqlState from "../../src/SqlState.ts"
import { ClientAccounts, CreditNotes, Invoices, Jobs, Payments } from "@erpkit/billing"
import { ManualClock } from "./driver.ts"

export interface Success {
  readonly op: string
  readonly value: any
  /** The hold an issue consumed. */
  readonly holdId?: string | undefined
}

export interface Outcomes {
  /** key → the command's result as the client saw it (first success; a replay returns the same). */
  readonly succeeded: Map<string, Success>
  /** `op:tag` → count (typed failures). */
  readonly failed: Map<string, number>
  /** deaths (killed connection, statement timeout, or a bug), as `op: kind`. */
  readonly defects: Array<string>
  /** keys whose command still died after all retries */
  readonly gaveUp: Array<string>
  /** injected lost replies: the command had committed, the client never saw its result */
  lostReplies: number
  /** deaths after which the key's record was found completed: the kill landed after COMMIT */
  diedAfterCommit: number
  /** commands that committed while their client saw a failure (a lost reply, or a death after COMMIT) */
  unseenCommits: number
  /** of those, the ones whose retry with the same key returned the first result */
  replays: number
  /** retries of a committed command that returned something else (must stay empty) */
  readonly replayMismatches: Array<string>
}

export const newOutcomes = (): Outcomes => ({
  succeeded: new Map(),
  failed: new Map(),
  defects: [],
  gaveUp: [],
  lostReplies: 0,
  diedAfterCommit: 0,
  unseenCommits: 0,
  replays: 0,
  replayMismatches: []
})

type Ctx = Context.Context<any>

/** How commands are run: the app's context, and which faults the runner itself injects. */
export interface Harness {
  readonly context: Ctx
  readonly outcomes: Outcomes
  /** retries of a death or a lost reply, with the same key (or a fresh one when `naiveRetry`) */
  readonly retries: number
  /** probability that a committed command's reply is dropped */
  readonly lostReplyRate: number
  /** the control: retry with a fresh key, as a client without idempotency would */
  readonly naiveRetry: boolean
  /** reads the key's state after a death (admin connection, sees every tenant) */
  readonly admin?: SqlClient.SqlClient | undefined
  readonly tenant: Tenant.Tenant
  /** commands still dying after their retries, to retry once the faults stop (else they are given up) */
  readonly later?: Array<Effect.Effect<void>> | undefined
}

/** 1 January 2026, 00:00 UTC: the workload's clock starts here and moves only when told. */
export const workloadEpochMillis = 1_767_225_600_000

/** The app's context with a clock of the test's own (a ManualClock starting at the epoch). */
export const withManualClock = (context: Ctx, clock: ManualClock = new ManualClock(workloadEpochMillis)): Ctx =>
  Context.add(context, Clock.Clock, clock)

/**
 * What killed a command: the SQLSTATE of the SQL error in its cause (57014 statement timeout, 57P01 terminated), else
 * its message.
 */
export const defectKind = (cause: Cause.Cause<unknown>): string => {
  const errors = SqlState.findSqlErrors(cause)
  const code = errors.map((e) => SqlState.sqlState(e)).find((c) => c !== undefined)
  if (code !== undefined) return `SQLSTATE ${code}`
  if (errors.length > 0) return `SqlError without SQLSTATE (connection lost)`
  const typed = Cause.findErrorOption(cause)
  if (typed._tag === "Some") {
    const e = typed.value as { readonly _tag?: string; readonly sqlState?: string; readonly outcome?: string }
    // the adapter's typed infrastructure failure: what it met, and whether COMMIT may have happened
    if (e._tag === "StorageUnavailable") return `StorageUnavailable ${e.sqlState || "no SQLSTATE"} (${e.outcome})`
    return e._tag ?? "unknown error"
  }
  return Cause.pretty(cause).split("\n")[0]!.slice(0, 100)
}

/** A death the client retries: a defect, an interruption, or the adapter's typed StorageUnavailable. */
const retryable = (cause: Cause.Cause<unknown>): boolean => {
  if (Cause.hasDies(cause) || Cause.hasInterrupts(cause)) return true
  const error = Cause.findErrorOption(cause)
  return error._tag === "Some" && (error.value as { _tag?: string })._tag === "StorageUnavailable"
}

const run = <A>(context: Ctx, effect: Effect.Effect<A, unknown, any>) =>
  Effect.exit(Effect.provideContext(effect, context) as Effect.Effect<A, unknown>)

/** JSON that keeps bigints, to compare results by value. */
export const same = (a: unknown, b: unknown): boolean => {
  const text = (v: unknown) => JSON.stringify(v, (_, x) => (typeof x === "bigint" ? `${x}n` : x))
  return text(a) === text(b)
}

/** Whether the key has a completed record (its command committed), read as the admin login. */
const keyCommitted = (h: Harness, key: string) =>
  h.admin === undefined ? Effect.succeed(false) : Effect.map(
    Effect.orDie(h.admin<{ readonly n: number }>`
    SELECT count(*)::int AS n FROM platform.idempotency_keys
    WHERE organization_id = ${h.tenant.organizationId} AND workspace_id = ${h.tenant.workspaceId} AND key = ${key}
      AND state = 'completed'`),
    (rows) => rows[0]!.n > 0
  )

/** Where a command's retries stand: attempts so far, and what the client knows of a commit it did not see. */
interface Attempts {
  attempt: number
  committed: { readonly value: unknown } | "unknown" | undefined
}

/**
 * Runs one command with its key. A death or a lost reply is retried (up to `retries` times) with the
 * same key; when the first attempt had committed, the retry must return the same result (counted as a
 * replay, or recorded as a mismatch). A command still dying after its retries is postponed to
 * `h.later` when given (the client retries once the outage is over), else given up.
 */
export const command = <A>(
  h: Harness,
  op: string,
  key: string,
  make: (key: string) => Effect.Effect<A, unknown, any>,
  holdId?: string
) => attempts(h, op, key, make, holdId, { attempt: 0, committed: undefined })

const attempts = <A>(
  h: Harness,
  op: string,
  key: string,
  make: (key: string) => Effect.Effect<A, unknown, any>,
  holdId: string | undefined,
  state: Attempts
): Effect.Effect<A | undefined> =>
  Effect.gen(function*() {
    const o = h.outcomes
    for (const last = state.attempt + h.retries;; state.attempt++) {
      const exit = yield* run(h.context, make(h.naiveRetry && state.attempt > 0 ? `${key}~retry${state.attempt}` : key))
      if (Exit.isSuccess(exit)) {
        if (state.attempt < last && (yield* Random.next) < h.lostReplyRate) {
          o.lostReplies += 1 // committed, but the client never sees it: it must retry
          if (state.committed === undefined) o.unseenCommits += 1
          state.committed = { value: exit.value }
          continue
        }
        if (state.committed !== undefined) {
          if (state.committed === "unknown" || same(state.committed.value, exit.value)) o.replays += 1
          else o.replayMismatches.push(`${op} ${key}`)
        }
        if (!o.succeeded.has(key)) o.succeeded.set(key, { op, value: exit.value, holdId })
        return exit.value as A
      }
      if (retryable(exit.cause)) {
        o.defects.push(`${op}: ${defectKind(exit.cause)}`)
        if (state.committed === undefined && (yield* keyCommitted(h, key))) {
          o.diedAfterCommit += 1 // the kill landed after COMMIT: the retry must replay
          o.unseenCommits += 1
          state.committed = "unknown"
        }
        if (state.attempt < last) continue
        state.attempt++
        if (h.later === undefined) o.gaveUp.push(key)
        else h.later.push(Effect.asVoid(attempts({ ...h, later: undefined }, op, key, make, holdId, state)))
        return undefined
      }
      const error = Cause.findErrorOption(exit.cause)
      const tag = error._tag === "Some" ? (error.value as { _tag: string })._tag : "unknown"
      o.failed.set(`${op}:${tag}`, (o.failed.get(`${op}:${tag}`) ?? 0) + 1)
      return undefined
    }
  })

export interface Workload {
  readonly tenant: Tenant.Tenant
  readonly accounts: ReadonlyArray<string>
  readonly clock: ManualClock
  /** Issued invoice ids (workers add to it). */
  readonly invoices: Array<string>
  readonly holds: Array<string>
}

/** Opens `n` approved accounts with `limit` and a wallet top-up of 50 000 each. */
export const setup = (context: Ctx, tenant: Tenant.Tenant, n: number, limit: bigint, clock: ManualClock) =>
  Effect.gen(function*() {
    const fm = actor(["Finance Manager"], tenant)
    const accounts: Array<string> = []
    for (let i = 0; i < n; i++) {
      const open = ClientAccounts.openAccount(fm, { customerId: crypto.randomUUID(), currency: "KZT" }).pipe(
        Effect.flatMap((a) =>
          ClientAccounts.setCreditTerms(fm, { accountId: a.id, creditLimitMinor: limit, isCreditApproved: true })
        ),
        Effect.tap((a) => ClientAccounts.topUpWallet(fm, { accountId: a.id, amountMinor: setupTopUpMinor }))
      )
      const exit = yield* run(context, open)
      if (Exit.isFailure(exit)) return yield* Effect.die(Cause.squash(exit.cause))
      accounts.push(exit.value.id)
    }
    return { tenant, accounts, clock, invoices: [], holds: [] } as Workload
  })

export const setupTopUpMinor = 50_000n

/** A random element (`Random.nextIntBetween` includes both bounds), or undefined when empty. */
const pick = <A>(all: ReadonlyArray<A>): Effect.Effect<A | undefined> =>
  all.length === 0 ? Effect.succeed(undefined) : Effect.map(Random.nextIntBetween(0, all.length - 1), (i) => all[i])

/** One worker: `count` commands drawn from `Random.withSeed(seed)`, keys `<prefix>-<i>`. */
export const worker = (h: Harness, w: Workload, prefix: string, count: number, seed: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < count; i++) yield* step(h, w, `${prefix}-${i}`)
  }).pipe(Random.withSeed(seed))

/**
 * One random command (the mix: 20% reserve, 8% void, 20% draft + issue, 30% pay, 10% credit note, 6% top-up, 6% jobs).
 */
const step = (h: Harness, w: Workload, key: string) =>
  Effect.gen(function*() {
    const fm = actor(["Finance Manager"], w.tenant)
    const roll = yield* Random.nextIntBetween(0, 99)
    const account = (yield* pick(w.accounts))!
    const amount = BigInt(yield* Random.nextIntBetween(1, 5_000))
    const c = <A>(op: string, make: (key: string) => Effect.Effect<A, unknown, any>) => command(h, op, key, make)
    if (roll < 20) {
      const timeout = (yield* Random.nextBoolean) ? 1 : 3_600
      const hold = yield* c(
        "reserve",
        (k) =>
          ClientAccounts.reserveCredit(
            fm,
            { accountId: account, amountMinor: amount, holdTimeoutSeconds: timeout },
            { idempotencyKey: k }
          )
      )
      if (hold !== undefined) w.holds.push(hold.id)
    } else if (roll < 28) {
      const hold = yield* pick(w.holds)
      if (hold !== undefined) {
        yield* c("voidHold", (k) => ClientAccounts.voidCreditHold(fm, { holdId: hold }, { idempotencyKey: k }))
      }
    } else if (roll < 48) {
      yield* draftAndIssue(h, w, key, account, amount, roll < 34 ? yield* pick(w.holds) : undefined)
    } else if (roll < 78) {
      const invoice = yield* pick(w.invoices)
      const fromWallet = roll >= 73
      if (invoice !== undefined) {
        yield* c(
          fromWallet ? "payWallet" : "pay",
          (k) =>
            Payments.recordPayment(
              fm,
              {
                invoiceId: invoice,
                amountMinor: (amount + 2n) / 3n,
                currency: "KZT",
                method: "BANK_TRANSFER",
                fromWallet
              },
              { idempotencyKey: k }
            )
        )
      }
    } else if (roll < 88) {
      const invoice = yield* pick(w.invoices)
      if (invoice !== undefined) {
        yield* c(
          "creditNote",
          (k) =>
            CreditNotes.issueCreditNote(
              fm,
              { invoiceId: invoice, amountMinor: amount / 4n + 1n, reason: "load" },
              { idempotencyKey: k }
            )
        )
      }
    } else if (roll < 94) {
      yield* c(
        "topUp",
        (k) => ClientAccounts.topUpWallet(fm, { accountId: account, amountMinor: amount }, { idempotencyKey: k })
      )
    } else {
      yield* job(h, w, key, roll < 97 ? "expireHolds" : "markOverdue")
    }
  })

const draftAndIssue = (
  h: Harness,
  w: Workload,
  key: string,
  account: string,
  amount: bigint,
  hold: string | undefined
) =>
  Effect.gen(function*() {
    const fm = actor(["Finance Manager"], w.tenant)
    const due = (yield* Random.nextBoolean) ? "2026-01-02" : "2099-12-31"
    const draft = yield* command(
      h,
      "draft",
      key,
      (k) =>
        Invoices.createInvoice(
          fm,
          {
            accountId: account,
            invoiceNumber: `${key}-'n`,
            issueDate: "2026-01-01",
            dueDate: due,
            items: [{ description: "load 'test'", quantity: "1", unitPriceMinor: amount }]
          },
          { idempotencyKey: k }
        )
    )
    if (draft === undefined) return
    const issued = yield* command(
      h,
      "issue",
      `${key}-issue`,
      (k) =>
        Invoices.issueInvoice(
          fm,
          { invoiceId: draft.id, ...(hold === undefined ? {} : { holdId: hold }) },
          { idempotencyKey: k }
        ),
      hold
    )
    if (issued !== undefined) w.invoices.push(issued.id)
  })

/**
 * A scheduled job. It first moves the workload's clock: 2 s for the expiry job (1 s holds are then
 * past due), a day for the overdue job (invoices due on 2026-01-02 become overdue).
 */
const job = (h: Harness, w: Workload, key: string, kind: "expireHolds" | "markOverdue") =>
  Effect.gen(function*() {
    const system = Actor.system(w.tenant)
    w.clock.millis += kind === "expireHolds" ? 2_000 : 86_400_000
    if (kind === "expireHolds") {
      yield* command(h, kind, key, (k) => Jobs.expireCreditHolds(system, { batchSizeMax: 50 }, { idempotencyKey: k }))
    } else {
      yield* command(h, kind, key, (k) => Jobs.markOverdueInvoices(system, { batchSizeMax: 50 }, { idempotencyKey: k }))
    }
  })
