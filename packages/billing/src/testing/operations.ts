/**
 * Random billing operations for model-based and differential tests: the operation shapes, the
 * fast-check fields that generate them, and the fast-check command around one operation. Drivers
 * (memory with a reference model, Postgres against memory) pick the weights, may add fields or
 * operations of their own, and decide how an operation runs.
 */
import { Cause } from "effect"
import * as fc from "fast-check"
import * as Payment from "../Payment.ts"

/** Accounts, holds, invoices and payments are addressed by index into what a run has created (wrapping around). */
export interface Open {
  readonly _tag: "Open"
  readonly limit: bigint
  readonly approved: boolean
}
export interface SetTerms {
  readonly _tag: "SetTerms"
  readonly account: number
  readonly limit: bigint
  readonly approved: boolean
}
export interface Reserve {
  readonly _tag: "Reserve"
  readonly account: number
  readonly amount: bigint
  readonly timeoutSeconds: number
}
export interface VoidHold {
  readonly _tag: "VoidHold"
  readonly hold: number
}
export interface Create {
  readonly _tag: "Create"
  readonly account: number
  readonly unitPrice: bigint
  readonly dueInDays: number
}
export interface Issue {
  readonly _tag: "Issue"
  readonly invoice: number
  readonly hold: number | null
}
export interface IssuePaid {
  readonly _tag: "IssuePaid"
  readonly invoice: number
}
export interface Pay {
  readonly _tag: "Pay"
  readonly invoice: number
  readonly amount: bigint | "all"
  readonly pending: boolean
  readonly fromWallet: boolean
}
export interface ChangePayment {
  readonly _tag: "ChangePayment"
  readonly payment: number
  readonly status: Payment.PaymentStatus
}
export interface Credit {
  readonly _tag: "Credit"
  readonly invoice: number
  readonly amount: bigint | "all"
}
export interface Void {
  readonly _tag: "Void"
  readonly invoice: number
}
export interface TopUp {
  readonly _tag: "TopUp"
  readonly account: number
  readonly amount: bigint
}
export interface Tick {
  readonly _tag: "Tick"
  readonly hours: number
}

/** The operations every driver runs. */
export type Op =
  | Open
  | SetTerms
  | Reserve
  | VoidHold
  | Create
  | Issue
  | IssuePaid
  | Pay
  | ChangePayment
  | Credit
  | Void
  | TopUp
  | Tick

export const index = fc.nat({ max: 7 })
export const money = fc.bigInt({ min: 0n, max: 3_000n })
/** An amount, or everything still outstanding. */
export const amount = fc.oneof(fc.constant("all" as const), money)

type Fields<O> = { readonly [K in keyof O]: fc.Arbitrary<O[K]> }

/** The fields of each operation, for `fc.record` (spread them to override or add fields). */
export const fields: {
  readonly Open: Fields<Open>
  readonly SetTerms: Fields<SetTerms>
  readonly Reserve: Fields<Reserve>
  readonly VoidHold: Fields<VoidHold>
  readonly Create: Fields<Create>
  readonly Issue: Fields<Issue>
  readonly IssuePaid: Fields<IssuePaid>
  readonly Pay: Fields<Pay>
  readonly ChangePayment: Fields<ChangePayment>
  readonly Credit: Fields<Credit>
  readonly Void: Fields<Void>
  readonly TopUp: Fields<TopUp>
  readonly Tick: Fields<Tick>
} = {
  Open: { _tag: fc.constant("Open"), limit: fc.bigInt({ min: 0n, max: 10_000n }), approved: fc.boolean() },
  SetTerms: {
    _tag: fc.constant("SetTerms"),
    account: index,
    limit: fc.bigInt({ min: 0n, max: 10_000n }),
    approved: fc.boolean()
  },
  Reserve: {
    _tag: fc.constant("Reserve"),
    account: index,
    amount: fc.bigInt({ min: 1n, max: 3_000n }),
    timeoutSeconds: fc.integer({ min: 1, max: 100_000 })
  },
  VoidHold: { _tag: fc.constant("VoidHold"), hold: index },
  Create: { _tag: fc.constant("Create"), account: index, unitPrice: money, dueInDays: fc.integer({ min: 0, max: 10 }) },
  Issue: { _tag: fc.constant("Issue"), invoice: index, hold: fc.option(index, { nil: null }) },
  IssuePaid: { _tag: fc.constant("IssuePaid"), invoice: index },
  Pay: { _tag: fc.constant("Pay"), invoice: index, amount, pending: fc.boolean(), fromWallet: fc.boolean() },
  ChangePayment: {
    _tag: fc.constant("ChangePayment"),
    payment: index,
    status: fc.constantFrom(...Payment.machine.states)
  },
  Credit: { _tag: fc.constant("Credit"), invoice: index, amount },
  Void: { _tag: fc.constant("Void"), invoice: index },
  TopUp: { _tag: fc.constant("TopUp"), account: index, amount: fc.bigInt({ min: 1n, max: 3_000n }) },
  Tick: { _tag: fc.constant("Tick"), hours: fc.integer({ min: 1, max: 72 }) }
}

/** A weighted choice for `fc.oneof`. */
export const weighted = <A>(weight: number, arbitrary: fc.Arbitrary<A>): fc.WeightedArbitrary<A> => ({
  weight,
  arbitrary
})

/** The clock at the start of a run (03:00 UTC: 09:00 in Almaty, the tenants' time zone). */
export const start = Date.parse("2026-01-01T03:00:00Z")

/** Three accounts to start a run with: two approved for credit (10 000 and 4 000), one not. */
export const openingAccounts: ReadonlyArray<Open> = [
  { _tag: "Open", limit: 10_000n, approved: true },
  { _tag: "Open", limit: 4_000n, approved: true },
  { _tag: "Open", limit: 0n, approved: false }
]

/** The `i`-th of what a run has created, wrapping around; nothing while there is none. */
export const pick = <A>(
  all: ReadonlyArray<A>,
  i: number
): A | undefined => (all.length === 0 ? undefined : all[i % all.length])

/** An operation as text for failure reports (bigints with an `n`). */
export const show = (op: unknown): string =>
  JSON.stringify(op, (_k, v: unknown) => (typeof v === "bigint" ? `${v}n` : v))

/** The typed error in a failure's cause, if any; a defect or an interruption throws (it fails the run). */
export const typedError = (cause: Cause.Cause<unknown>): { readonly _tag: string } | undefined => {
  if (Cause.hasDies(cause) || Cause.hasInterrupts(cause)) throw new Error(`defect: ${Cause.pretty(cause)}`)
  const error = Cause.findErrorOption(cause)
  return error._tag === "Some" ? (error.value as { readonly _tag: string }) : undefined
}

/**
 * The fast-check command around one operation: always applicable (drivers skip an operation that has
 * no target yet), runs it with `run`, prints it on failure.
 */
export const command =
  <O, M extends object, R>(run: (op: O, model: M, real: R) => Promise<void>) => (op: O): fc.AsyncCommand<M, R> => ({
    check: () => true,
    run: (model, real) => run(op, model, real),
    toString: () => show(op)
  })
