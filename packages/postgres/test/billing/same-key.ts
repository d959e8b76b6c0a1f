/**
 * Concurrent copies of one command: N commands, each sent `copies` times at once with the same
 * idempotency key (a client retrying on a timeout while the first request is still running). Exactly
 * N effects must follow and every copy must get the first result. Then each key is sent again with
 * other input: the typed key-reuse error, and nothing done.
 */
import { Cause, type Context, Effect, Exit, Random } from "effect"
import { Errors } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import { ClientAccounts, CreditNotes, Invoices, Payments } from "@erpkit/billing"
import { newOutcomes, same, type Outcomes, type Workload } from "./load.ts"

type Ctx = Context.Context<any>

const kinds = ["reserve", "topUp", "pay", "draft", "creditNote"] as const

/** Command `i` of the run, with `bump` added to its amount (another input under the same key). */
const commandAt = (w: Workload, i: number, amount: bigint, bump: bigint) => {
  const fm = actor(["Finance Manager"], w.tenant)
  const account = w.accounts[i % w.accounts.length]!
  const invoice = w.invoices[i % w.invoices.length]!
  const key = { idempotencyKey: `same-${i}` }
  const a = amount + bump
  switch (kinds[i % kinds.length]!) {
    case "reserve":
      return {
        op: "reserve",
        effect: ClientAccounts.reserveCredit(
          fm,
          { accountId: account, amountMinor: a, holdTimeoutSeconds: 3_600 },
          key
        )
      }
    case "topUp":
      return { op: "topUp", effect: ClientAccounts.topUpWallet(fm, { accountId: account, amountMinor: a }, key) }
    case "pay":
      return {
        op: "pay",
        effect: Payments.recordPayment(
          fm,
          { invoiceId: invoice, amountMinor: a, currency: "KZT", method: "CASH" },
          key
        )
      }
    case "draft":
      return {
        op: "draft",
        effect: Invoices.createInvoice(fm, {
          accountId: account,
          invoiceNumber: `SAME-${i}`,
          issueDate: "2026-01-01",
          dueDate: "2099-12-31",
          items: [{ description: "same key", quantity: "1", unitPriceMinor: a }]
        }, key)
      }
    case "creditNote":
      return {
        op: "creditNote",
        effect: CreditNotes.issueCreditNote(fm, { invoiceId: invoice, amountMinor: a, reason: "same key" }, key)
      }
  }
}

/** Issues `n` invoices of 10 000 000 on the workload's accounts (no keys: setup). */
export const issueInvoices = (context: Ctx, w: Workload, n: number): Effect.Effect<void, unknown> =>
  Effect.gen(function*() {
    const fm = actor(["Finance Manager"], w.tenant)
    for (let i = 0; i < n; i++) {
      const issued = Effect.flatMap(
        Invoices.createInvoice(fm, {
          accountId: w.accounts[i % w.accounts.length]!,
          invoiceNumber: `SETUP-${i}`,
          issueDate: "2026-01-01",
          dueDate: "2099-12-31",
          items: [{ description: "setup", quantity: "1", unitPriceMinor: 10_000_000n }]
        }),
        (draft) => Invoices.issueInvoice(fm, { invoiceId: draft.id })
      )
      w.invoices.push((yield* Effect.provideContext(issued, context)).id)
    }
  })

export interface SameKeyRun {
  readonly outcomes: Outcomes
  /** keys whose copies did not all succeed with the same result */
  readonly divergent: Array<string>
  readonly copiesRun: number
}

const exitValue = (
  exit: Exit.Exit<unknown, unknown>
) => (Exit.isSuccess(exit) ? { ok: exit.value } : { failed: Cause.pretty(exit.cause).split("\n")[0] })

/** `n` commands × `copies` concurrent copies, amounts drawn from `seed`. */
export const sameKeyRun = (context: Ctx, w: Workload, n: number, copies: number, seed: number) =>
  Effect.gen(function*() {
    const outcomes = newOutcomes()
    const divergent: Array<string> = []
    const amounts = yield* Effect.forEach(Array.from({ length: n }), () => Random.nextIntBetween(1, 500)).pipe(
      Random.withSeed(seed)
    )
    yield* Effect.forEach(amounts, (amount, i) =>
      Effect.gen(function*() {
        const { effect, op } = commandAt(w, i, BigInt(amount), 0n)
        const exits = yield* Effect.all(
          Array.from(
            { length: copies },
            () => Effect.exit(Effect.provideContext(effect as Effect.Effect<unknown, unknown, any>, context))
          ),
          { concurrency: "unbounded" }
        )
        const values = exits.map(exitValue)
        if (!exits.every(Exit.isSuccess) || !values.every((v) => same(v, values[0]))) {
          divergent.push(`same-${i} ${op}: ${JSON.stringify(values.map((v) => "ok" in v ? "ok" : v.failed))}`)
        }
        const first = exits.find(Exit.isSuccess)
        if (first !== undefined) outcomes.succeeded.set(`same-${i}`, { op, value: first.value })
      }), { concurrency: "unbounded", discard: true })
    return { outcomes, divergent, copiesRun: n * copies } satisfies SameKeyRun
  })

/** The tag a reused key with other input must fail with: the precise one when the kernel has it. */
export const keyReuseTag: string = "IdempotencyKeyReused" in Errors ? "IdempotencyKeyReused" : "Conflict"

/** Each of the first `n` keys again with other input (amount + 1): the error tags returned, by key. */
export const reuseKeys = (context: Ctx, w: Workload, n: number) =>
  Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) =>
    Effect.gen(function*() {
      const { effect } = commandAt(w, i, 1n, 1_000n)
      const exit = yield* Effect.exit(Effect.provideContext(effect as Effect.Effect<unknown, unknown, any>, context))
      if (Exit.isSuccess(exit)) return "succeeded"
      const error = Cause.findErrorOption(exit.cause)
      return error._tag === "Some" ? (error.value as { _tag: string })._tag : "defect"
    }))
