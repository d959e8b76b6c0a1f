/**
 * A driver for differential and load tests: billing operations through the real commands (kernel
 * `Command.make` pipeline), run against any environment given as a `Runner`, with a manual clock and
 * deterministic ids so two environments fed the same operations can be compared value by value.
 */
import { Clock, Duration, Effect, Exit, type Context } from "effect"
import { Actor, Ids, LocalDate, type Tenant } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import * as fc from "fast-check"
import {
  ClientAccountRepository,
  ClientAccounts,
  CreditHoldRepository,
  CreditNoteRepository,
  CreditNotes,
  Invoice,
  InvoiceRepository,
  Invoices,
  Jobs,
  LedgerRepository,
  PaymentRepository,
  Payments
} from "@erpkit/billing"
import { Operations } from "@erpkit/billing/testing"

/** A clock whose time only moves when told; sleeping still waits for real (pools and retries need it). */
export class ManualClock implements Clock.Clock {
  millis: number
  constructor(millis: number) {
    this.millis = millis
  }
  currentTimeMillisUnsafe(): number {
    return this.millis
  }
  get currentTimeMillis() {
    return Effect.sync(() => this.millis)
  }
  currentTimeNanosUnsafe(): bigint {
    return BigInt(this.millis) * 1_000_000n
  }
  get currentTimeNanos() {
    return Effect.sync(() => this.currentTimeNanosUnsafe())
  }
  monotonicTimeNanosUnsafe(): bigint {
    return process.hrtime.bigint()
  }
  get monotonicTimeNanos() {
    return Effect.sync(() => process.hrtime.bigint())
  }
  sleep(duration: Duration.Duration): Effect.Effect<void> {
    return Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, Duration.toMillis(duration))))
  }
}

/** Runs an effect needing billing's services in one environment; returns its exit. */
export type Runner = <A, E>(effect: Effect.Effect<A, E, any>) => Promise<Exit.Exit<A, E>>

/** A runner over a context, with this run's ids and clock. */
export const runnerOf =
  (context: Context.Context<any>, ids: Ids.IdGenerator["Service"], clock: Clock.Clock): Runner => (effect) =>
    Effect.runPromiseExit(
      effect.pipe(
        Effect.provideService(Ids.IdGenerator, ids),
        Effect.provideService(Clock.Clock, clock),
        Effect.provideContext(context)
      ) as Effect.Effect<any, any, never>
    )

/**
 * Sequential ids, numbered per operation: `<seed>-<op>-7000-8000-<n>`, `n` restarting at each
 * `startOp`. Two environments then agree on every id an operation keeps even when one of them spends
 * ids on an attempt it rolls back (Postgres's first attempt of an idempotent replay does; memory reads
 * the key first).
 */
export type SequentialIds = Ids.IdGenerator["Service"] & { readonly startOp: () => void }

export const sequentialIds = (seed: number): SequentialIds => {
  let op = 0
  let n = 0n
  const prefix = seed.toString(16).padStart(8, "0").slice(-8)
  return {
    next: Effect.sync(() =>
      `${prefix}-${op.toString(16).padStart(4, "0")}-7000-8000-${(++n).toString(16).padStart(12, "0")}`
    ),
    startOp: () => {
      op += 1
      n = 0n
    }
  }
}

/** Strings that must be stored verbatim: quotes, SQL fragments, unicode. */
export const trickyTexts = [
  "O'Brien & Sons",
  "'; DROP TABLE billing.invoices; --",
  "\"quoted\" \\ backslash",
  "$$ $1 %s /* c */",
  "Қазақ тілі ✓ 🚚",
  "ROLLBACK;",
  "\t\n"
]

/**
 * billing's shared operations, with more variety in what they carry (tricky texts, deposits, reused
 * invoice numbers, foreign currency, idempotency keys on payments) and three of this driver's own
 * (view, delete, forged ids).
 */
export type Op =
  | Exclude<Operations.Op, { readonly _tag: "Create" | "Pay" }>
  | Operations.Create & {
    readonly text: number
    readonly deposit: boolean
    readonly reuseNumber: boolean
    readonly issueNow: boolean
  }
  | Operations.Pay & { readonly usd: boolean; readonly key: number | null }
  | { readonly _tag: "View"; readonly invoice: number }
  | { readonly _tag: "Delete"; readonly invoice: number }
  | { readonly _tag: "Forged"; readonly kind: "invoice" | "account" | "hold" | "payment" }

const { fields, index, weighted: w } = Operations

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  w(1, fc.record(fields.Open)),
  w(1, fc.record(fields.SetTerms)),
  w(2, fc.record(fields.Reserve)),
  w(1, fc.record(fields.VoidHold)),
  w(
    4,
    fc.record({
      ...fields.Create,
      text: fc.nat({ max: trickyTexts.length - 1 }),
      deposit: fc.boolean(),
      reuseNumber: fc.boolean(),
      issueNow: fc.boolean()
    })
  ),
  w(3, fc.record({ ...fields.Issue, hold: fc.option(index, { nil: null, freq: 3 }) })),
  w(1, fc.record(fields.IssuePaid)),
  // idempotency keys from a small set: replays (same input) and Conflicts (other input) happen often
  w(6, fc.record({ ...fields.Pay, usd: fc.boolean(), key: fc.option(fc.nat({ max: 3 }), { nil: null, freq: 2 }) })),
  w(2, fc.record(fields.ChangePayment)),
  w(3, fc.record(fields.Credit)),
  w(1, fc.record(fields.Void)),
  w(1, fc.record({ _tag: fc.constant("View" as const), invoice: index })),
  w(1, fc.record({ _tag: fc.constant("Delete" as const), invoice: index })),
  w(1, fc.record(fields.TopUp)),
  w(
    1,
    fc.record({
      _tag: fc.constant("Forged" as const),
      kind: fc.constantFrom("invoice" as const, "account" as const, "hold" as const, "payment" as const)
    })
  ),
  w(2, fc.record({ ...fields.Tick, hours: fc.integer({ min: 1, max: 96 }) }))
)

/** The ids a run has created (the same in every environment, since ids are sequential). */
export class World {
  readonly accounts: Array<string> = []
  readonly holds: Array<string> = []
  readonly invoices: Array<string> = []
  readonly payments: Array<string> = []
  readonly numbers: Array<string> = []
  private customers = 0
  readonly fm: Actor.Actor
  readonly system: Actor.Actor
  readonly tenant: Tenant.Tenant
  readonly seed: number
  readonly clock: ManualClock
  constructor(tenant: Tenant.Tenant, seed: number, clock: ManualClock) {
    this.tenant = tenant
    this.seed = seed
    this.clock = clock
    this.fm = actor(["Finance Manager"], tenant)
    this.system = Actor.system(tenant)
  }
  customerId(): Ids.CustomerId {
    return `${this.seed.toString(16).padStart(8, "0")}-cccc-7000-8000-${
      (++this.customers).toString(16).padStart(12, "0")
    }` as Ids.CustomerId
  }
  forgedId(): string {
    return `${this.seed.toString(16).padStart(8, "0")}-ffff-7000-8000-000000000001`
  }
}

const pick = Operations.pick

/** The effect of `op` in `world` (ids it reads are shared); `record` updates the world after a success. */
export const opEffect = (
  world: World,
  op: Op
): { readonly effect: Effect.Effect<unknown, unknown, any>; readonly record: (value: any) => void } | undefined => {
  const fm = world.fm
  const account = "account" in op ? pick(world.accounts, op.account) : undefined
  const invoice = "invoice" in op ? pick(world.invoices, op.invoice) : undefined
  const none = () => {}
  switch (op._tag) {
    case "Open":
      return {
        effect: Effect.flatMap(
          ClientAccounts.openAccount(fm, { customerId: world.customerId(), currency: "KZT" }),
          (a) =>
            ClientAccounts.setCreditTerms(fm, {
              accountId: a.id,
              creditLimitMinor: op.limit,
              isCreditApproved: op.approved
            })
        ),
        record: (a: { id: string }) => world.accounts.push(a.id)
      }
    case "SetTerms":
      return account === undefined ?
        undefined :
        {
          effect: ClientAccounts.setCreditTerms(fm, {
            accountId: account,
            creditLimitMinor: op.limit,
            isCreditApproved: op.approved
          }),
          record: none
        }
    case "Reserve":
      return account === undefined ?
        undefined :
        {
          effect: ClientAccounts.reserveCredit(fm, {
            accountId: account,
            amountMinor: op.amount,
            holdTimeoutSeconds: op.timeoutSeconds,
            reference: trickyTexts[1]!
          }),
          record: (h: { id: string }) => world.holds.push(h.id)
        }
    case "VoidHold": {
      const hold = pick(world.holds, op.hold)
      return hold === undefined
        ? undefined
        : { effect: ClientAccounts.voidCreditHold(fm, { holdId: hold }), record: none }
    }
    case "Create": {
      if (account === undefined) return undefined
      const today = LocalDate.atInstant(world.clock.millis, "Asia/Almaty")
      const reused = op.reuseNumber ? pick(world.numbers, op.dueInDays) : undefined
      const number = reused ?? `${trickyTexts[op.text]!.slice(0, 30)}#${world.numbers.length + 1}`
      const total = op.unitPrice + op.unitPrice * 12n / 100n
      const create = Invoices.createInvoice(fm, {
        accountId: account,
        invoiceNumber: number,
        issueDate: today,
        dueDate: LocalDate.addDays(today, op.dueInDays),
        items: [
          {
            description: trickyTexts[op.text]!,
            quantity: "1.5",
            unitPriceMinor: op.unitPrice,
            discount: { _tag: "Percent", rate: "10%" }
          },
          { description: "Freight", quantity: "1", unitPriceMinor: 100n, taxRate: "0%", unit: "km" }
        ],
        ...(op.deposit && total > 0n ? { depositRequired: true, depositAmountMinor: 50n } : {}),
        notes: trickyTexts[(op.text + 1) % trickyTexts.length]!
      })
      return {
        effect: op.issueNow
          ? Effect.flatMap(create, (draft) => Invoices.issueInvoice(fm, { invoiceId: draft.id }))
          : create,
        record: (i: { id: string; invoiceNumber: string }) => {
          world.invoices.push(i.id)
          world.numbers.push(i.invoiceNumber)
        }
      }
    }
    case "Issue": {
      if (invoice === undefined) return undefined
      const hold = op.hold === null ? undefined : pick(world.holds, op.hold)
      return {
        effect: Invoices.issueInvoice(fm, { invoiceId: invoice, ...(hold === undefined ? {} : { holdId: hold }) }),
        record: none
      }
    }
    case "IssuePaid":
      return invoice === undefined ?
        undefined :
        {
          effect: Effect.flatMap(
            Invoices.getInvoice(fm, { invoiceId: invoice }),
            (i) =>
              Invoices.issuePaidInvoice(fm, {
                invoiceId: invoice,
                payment: {
                  amountMinor: i.totalMinor || 1n,
                  currency: "KZT",
                  method: "CARD",
                  reference: trickyTexts[0]!
                }
              })
          ),
          record: (r: { payment: { id: string } }) => world.payments.push(r.payment.id)
        }
    case "Pay":
      return invoice === undefined ?
        undefined :
        {
          effect: Effect.flatMap(
            Invoices.getInvoice(fm, { invoiceId: invoice }),
            (i) =>
              Payments.recordPayment(fm, {
                invoiceId: invoice,
                amountMinor: op.amount === "all"
                  ? (op.usd ? Invoice.amountOutstanding(i) / 450n : Invoice.amountOutstanding(i))
                  : op.amount,
                currency: op.usd ? "USD" : "KZT",
                ...(op.usd ? { exchangeRate: "450.123456" } : {}),
                method: "BANK_TRANSFER",
                status: op.pending ? "Pending" : "Completed",
                fromWallet: op.fromWallet,
                reference: trickyTexts[2]!
              }, op.key === null ? {} : { idempotencyKey: `pay-${op.key}` })
          ),
          record: (r: { payment: { id: string } }) => world.payments.push(r.payment.id)
        }
    case "ChangePayment": {
      const payment = pick(world.payments, op.payment)
      return payment === undefined
        ? undefined
        : { effect: Payments.changePaymentStatus(fm, { paymentId: payment, status: op.status }), record: none }
    }
    case "Credit":
      return invoice === undefined ?
        undefined :
        {
          effect: Effect.flatMap(
            Invoices.getInvoice(fm, { invoiceId: invoice }),
            (i) =>
              CreditNotes.issueCreditNote(fm, {
                invoiceId: invoice,
                amountMinor: op.amount === "all" ? Invoice.amountOutstanding(i) : op.amount,
                reason: trickyTexts[3]!
              })
          ),
          record: none
        }
    case "Void":
      return invoice === undefined
        ? undefined
        : { effect: Invoices.voidInvoice(fm, { invoiceId: invoice, reason: trickyTexts[4]! }), record: none }
    case "View":
      return invoice === undefined
        ? undefined
        : { effect: Invoices.markInvoiceViewed(fm, { invoiceId: invoice }), record: none }
    case "Delete":
      return invoice === undefined
        ? undefined
        : { effect: Invoices.deleteDraftInvoice(fm, { invoiceId: invoice }), record: none }
    case "TopUp":
      return account === undefined
        ? undefined
        : { effect: ClientAccounts.topUpWallet(fm, { accountId: account, amountMinor: op.amount }), record: none }
    case "Forged": {
      const id = world.forgedId()
      const effect = op.kind === "invoice"
        ? Invoices.getInvoice(fm, { invoiceId: id })
        : op.kind === "account"
        ? ClientAccounts.reserveCredit(fm, { accountId: id, amountMinor: 1n })
        : op.kind === "hold"
        ? ClientAccounts.voidCreditHold(fm, { holdId: id })
        : Payments.changePaymentStatus(fm, { paymentId: id, status: "Completed" })
      return { effect, record: none }
    }
    case "Tick":
      return {
        effect: Effect.gen(function*() {
          world.clock.millis += op.hours * 3_600_000
          const holds = yield* Jobs.expireCreditHolds(world.system, { batchSizeMax: 3 })
          const overdue = yield* Jobs.markOverdueInvoices(world.system, {})
          const reminders = yield* Jobs.sendInvoiceReminders(world.system, { batchSizeMax: 2 })
          return { holds, overdue, reminders }
        }),
        record: none
      }
  }
}

/** An exit as comparable data: the value, or the typed error (tag and fields); a defect throws. */
export const outcome = (exit: Exit.Exit<unknown, unknown>): unknown => {
  if (Exit.isSuccess(exit)) return { ok: exit.value }
  const error = Operations.typedError(exit.cause)
  return error === undefined ? { error: "unknown" } : { error: { ...error, _tag: error._tag } }
}

/** Everything the world's ids reach, read through the ports (tenant-scoped). */
export const readWorld = (world: World): Effect.Effect<unknown, never, any> =>
  Effect.gen(function*() {
    const t = world.tenant
    const accounts = yield* ClientAccountRepository.ClientAccountRepository
    const ledger = yield* LedgerRepository.LedgerRepository
    const holds = yield* CreditHoldRepository.CreditHoldRepository
    const invoices = yield* InvoiceRepository.InvoiceRepository
    const payments = yield* PaymentRepository.PaymentRepository
    const notes = yield* CreditNoteRepository.CreditNoteRepository
    return {
      accounts: yield* Effect.forEach(world.accounts, (id) => Effect.exit(accounts.get(t, id as never))),
      ledgers: yield* Effect.forEach(world.accounts, (id) => ledger.list(t, id as never)),
      holds: yield* Effect.forEach(world.holds, (id) => Effect.exit(holds.get(t, id as never))),
      invoices: yield* invoices.list(t),
      events: yield* Effect.forEach(world.invoices, (id) => invoices.events(t, id as never)),
      payments: yield* Effect.forEach(world.invoices, (id) => payments.listByInvoice(t, id as never)),
      creditNotes: yield* Effect.forEach(world.invoices, (id) => notes.listByInvoice(t, id as never))
    }
  })
