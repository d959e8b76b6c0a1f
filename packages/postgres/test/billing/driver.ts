/**
 * A driver for differential and load tests: billing operations through the real commands (kernel
 * `Command.make` pipeline), run against any environment given as a `Runner`, with a manual clock and
 * deterministic ids so two environments fed the same operations can be compared value by value.
 */
import { Clock, Duration, Effect, Exit, Cause, Context } from "effect"
import { Actor, Ids, LocalDate, type Tenant } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import * as fc from "fast-check"
import {
  ClientAccountRepository, ClientAccounts, CreditHoldRepository, CreditNoteRepository, CreditNotes, Invoice, InvoiceRepository,
  Invoices, Jobs, LedgerRepository, Payment, PaymentRepository, Payments
} from "@erpkit/billing"

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
export const runnerOf = (context: Context.Context<any>, ids: Ids.IdGenerator["Service"], clock: Clock.Clock): Runner => (effect) =>
  Effect.runPromiseExit(effect.pipe(
    Effect.provideService(Ids.IdGenerator, ids),
    Effect.provideService(Clock.Clock, clock),
    Effect.provideContext(context)
  ) as Effect.Effect<any, any, never>)

/** A sequential id generator (the kernel's), as a service value. */
export const sequentialIds = (seed: number): Ids.IdGenerator["Service"] => {
  let n = 0n
  const prefix = seed.toString(16).padStart(8, "0").slice(-8)
  return { next: Effect.sync(() => `${prefix}-0000-7000-8000-${(++n).toString(16).padStart(12, "0")}`) }
}

/** Strings that must be stored verbatim: quotes, SQL fragments, unicode. */
export const trickyTexts = [
  "O'Brien & Sons", "'; DROP TABLE billing.invoices; --", "\"quoted\" \\ backslash", "$$ $1 %s /* c */", "Қазақ тілі ✓ 🚚", "ROLLBACK;", "\t\n"
]

export type Op =
  | { readonly _tag: "Open"; readonly limit: bigint; readonly approved: boolean }
  | { readonly _tag: "SetTerms"; readonly account: number; readonly limit: bigint; readonly approved: boolean }
  | { readonly _tag: "Reserve"; readonly account: number; readonly amount: bigint; readonly timeoutSeconds: number }
  | { readonly _tag: "VoidHold"; readonly hold: number }
  | { readonly _tag: "Create"; readonly account: number; readonly unitPrice: bigint; readonly dueInDays: number; readonly text: number; readonly deposit: boolean; readonly reuseNumber: boolean; readonly issueNow: boolean }
  | { readonly _tag: "Issue"; readonly invoice: number; readonly hold: number | null }
  | { readonly _tag: "IssuePaid"; readonly invoice: number }
  | { readonly _tag: "Pay"; readonly invoice: number; readonly amount: bigint | "all"; readonly pending: boolean; readonly fromWallet: boolean; readonly usd: boolean }
  | { readonly _tag: "ChangePayment"; readonly payment: number; readonly status: Payment.PaymentStatus }
  | { readonly _tag: "Credit"; readonly invoice: number; readonly amount: bigint | "all" }
  | { readonly _tag: "Void"; readonly invoice: number }
  | { readonly _tag: "View"; readonly invoice: number }
  | { readonly _tag: "Delete"; readonly invoice: number }
  | { readonly _tag: "TopUp"; readonly account: number; readonly amount: bigint }
  | { readonly _tag: "Forged"; readonly kind: "invoice" | "account" | "hold" | "payment" }
  | { readonly _tag: "Tick"; readonly hours: number }

const index = fc.nat({ max: 7 })
const money = fc.bigInt({ min: 0n, max: 3_000n })
const amount = fc.oneof(fc.constant("all" as const), money)
const w = <A>(weight: number, arbitrary: fc.Arbitrary<A>) => ({ weight, arbitrary })

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  w(1, fc.record({ _tag: fc.constant("Open" as const), limit: fc.bigInt({ min: 0n, max: 10_000n }), approved: fc.boolean() })),
  w(1, fc.record({ _tag: fc.constant("SetTerms" as const), account: index, limit: fc.bigInt({ min: 0n, max: 10_000n }), approved: fc.boolean() })),
  w(2, fc.record({ _tag: fc.constant("Reserve" as const), account: index, amount: fc.bigInt({ min: 1n, max: 3_000n }), timeoutSeconds: fc.integer({ min: 1, max: 100_000 }) })),
  w(1, fc.record({ _tag: fc.constant("VoidHold" as const), hold: index })),
  w(4, fc.record({
    _tag: fc.constant("Create" as const), account: index, unitPrice: money, dueInDays: fc.integer({ min: 0, max: 10 }),
    text: fc.nat({ max: trickyTexts.length - 1 }), deposit: fc.boolean(), reuseNumber: fc.boolean(), issueNow: fc.boolean()
  })),
  w(3, fc.record({ _tag: fc.constant("Issue" as const), invoice: index, hold: fc.option(index, { nil: null, freq: 3 }) })),
  w(1, fc.record({ _tag: fc.constant("IssuePaid" as const), invoice: index })),
  w(6, fc.record({ _tag: fc.constant("Pay" as const), invoice: index, amount, pending: fc.boolean(), fromWallet: fc.boolean(), usd: fc.boolean() })),
  w(2, fc.record({ _tag: fc.constant("ChangePayment" as const), payment: index, status: fc.constantFrom(...Payment.machine.states) })),
  w(3, fc.record({ _tag: fc.constant("Credit" as const), invoice: index, amount })),
  w(1, fc.record({ _tag: fc.constant("Void" as const), invoice: index })),
  w(1, fc.record({ _tag: fc.constant("View" as const), invoice: index })),
  w(1, fc.record({ _tag: fc.constant("Delete" as const), invoice: index })),
  w(1, fc.record({ _tag: fc.constant("TopUp" as const), account: index, amount: fc.bigInt({ min: 1n, max: 3_000n }) })),
  w(1, fc.record({ _tag: fc.constant("Forged" as const), kind: fc.constantFrom("invoice" as const, "account" as const, "hold" as const, "payment" as const) })),
  w(2, fc.record({ _tag: fc.constant("Tick" as const), hours: fc.integer({ min: 1, max: 96 }) }))
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
    return `${this.seed.toString(16).padStart(8, "0")}-cccc-7000-8000-${(++this.customers).toString(16).padStart(12, "0")}` as Ids.CustomerId
  }
  forgedId(): string {
    return `${this.seed.toString(16).padStart(8, "0")}-ffff-7000-8000-000000000001`
  }
}

const pick = <A>(all: ReadonlyArray<A>, i: number): A | undefined => (all.length === 0 ? undefined : all[i % all.length])

/** The effect of `op` in `world` (ids it reads are shared); `record` updates the world after a success. */
export const opEffect = (world: World, op: Op): { readonly effect: Effect.Effect<unknown, unknown, any>; readonly record: (value: any) => void } | undefined => {
  const fm = world.fm
  const account = "account" in op ? pick(world.accounts, op.account) : undefined
  const invoice = "invoice" in op ? pick(world.invoices, op.invoice) : undefined
  const none = () => {}
  switch (op._tag) {
    case "Open":
      return {
        effect: Effect.flatMap(ClientAccounts.openAccount(fm, { customerId: world.customerId(), currency: "KZT" }), (a) =>
          ClientAccounts.setCreditTerms(fm, { accountId: a.id, creditLimitMinor: op.limit, isCreditApproved: op.approved })),
        record: (a: { id: string }) => world.accounts.push(a.id)
      }
    case "SetTerms":
      return account === undefined ? undefined : {
        effect: ClientAccounts.setCreditTerms(fm, { accountId: account, creditLimitMinor: op.limit, isCreditApproved: op.approved }), record: none
      }
    case "Reserve":
      return account === undefined ? undefined : {
        effect: ClientAccounts.reserveCredit(fm, { accountId: account, amountMinor: op.amount, holdTimeoutSeconds: op.timeoutSeconds, reference: trickyTexts[1]! }),
        record: (h: { id: string }) => world.holds.push(h.id)
      }
    case "VoidHold": {
      const hold = pick(world.holds, op.hold)
      return hold === undefined ? undefined : { effect: ClientAccounts.voidCreditHold(fm, { holdId: hold }), record: none }
    }
    case "Create": {
      if (account === undefined) return undefined
      const today = LocalDate.atInstant(world.clock.millis, "Asia/Almaty")
      const reused = op.reuseNumber ? pick(world.numbers, op.dueInDays) : undefined
      const number = reused ?? `${trickyTexts[op.text]!.slice(0, 30)}#${world.numbers.length + 1}`
      const total = op.unitPrice + op.unitPrice * 12n / 100n
      const create = Invoices.createInvoice(fm, {
          accountId: account, invoiceNumber: number, issueDate: today, dueDate: LocalDate.addDays(today, op.dueInDays),
          items: [
            { description: trickyTexts[op.text]!, quantity: "1.5", unitPriceMinor: op.unitPrice, discount: { _tag: "Percent", rate: "10%" } },
            { description: "Freight", quantity: "1", unitPriceMinor: 100n, taxRate: "0%", unit: "km" }
          ],
          ...(op.deposit && total > 0n ? { depositRequired: true, depositAmountMinor: 50n } : {}),
          notes: trickyTexts[(op.text + 1) % trickyTexts.length]!
        })
      return {
        effect: op.issueNow ? Effect.flatMap(create, (draft) => Invoices.issueInvoice(fm, { invoiceId: draft.id })) : create,
        record: (i: { id: string; invoiceNumber: string }) => {
          world.invoices.push(i.id)
          world.numbers.push(i.invoiceNumber)
        }
      }
    }
    case "Issue": {
      if (invoice === undefined) return undefined
      const hold = op.hold === null ? undefined : pick(world.holds, op.hold)
      return { effect: Invoices.issueInvoice(fm, { invoiceId: invoice, ...(hold === undefined ? {} : { holdId: hold }) }), record: none }
    }
    case "IssuePaid":
      return invoice === undefined ? undefined : {
        effect: Effect.flatMap(Invoices.getInvoice(fm, { invoiceId: invoice }), (i) =>
          Invoices.issuePaidInvoice(fm, { invoiceId: invoice, payment: { amountMinor: i.totalMinor || 1n, currency: "KZT", method: "CARD", reference: trickyTexts[0]! } })),
        record: (r: { payment: { id: string } }) => world.payments.push(r.payment.id)
      }
    case "Pay":
      return invoice === undefined ? undefined : {
        effect: Effect.flatMap(Invoices.getInvoice(fm, { invoiceId: invoice }), (i) =>
          Payments.recordPayment(fm, {
            invoiceId: invoice,
            amountMinor: op.amount === "all" ? (op.usd ? Invoice.amountOutstanding(i) / 450n : Invoice.amountOutstanding(i)) : op.amount,
            currency: op.usd ? "USD" : "KZT", ...(op.usd ? { exchangeRate: "450.123456" } : {}),
            method: "BANK_TRANSFER", status: op.pending ? "Pending" : "Completed", fromWallet: op.fromWallet, reference: trickyTexts[2]!
          })),
        record: (r: { payment: { id: string } }) => world.payments.push(r.payment.id)
      }
    case "ChangePayment": {
      const payment = pick(world.payments, op.payment)
      return payment === undefined ? undefined : { effect: Payments.changePaymentStatus(fm, { paymentId: payment, status: op.status }), record: none }
    }
    case "Credit":
      return invoice === undefined ? undefined : {
        effect: Effect.flatMap(Invoices.getInvoice(fm, { invoiceId: invoice }), (i) =>
          CreditNotes.issueCreditNote(fm, { invoiceId: invoice, amountMinor: op.amount === "all" ? Invoice.amountOutstanding(i) : op.amount, reason: trickyTexts[3]! })),
        record: none
      }
    case "Void":
      return invoice === undefined ? undefined : { effect: Invoices.voidInvoice(fm, { invoiceId: invoice, reason: trickyTexts[4]! }), record: none }
    case "View":
      return invoice === undefined ? undefined : { effect: Invoices.markInvoiceViewed(fm, { invoiceId: invoice }), record: none }
    case "Delete":
      return invoice === undefined ? undefined : { effect: Invoices.deleteDraftInvoice(fm, { invoiceId: invoice }), record: none }
    case "TopUp":
      return account === undefined ? undefined : { effect: ClientAccounts.topUpWallet(fm, { accountId: account, amountMinor: op.amount }), record: none }
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
  if (Cause.hasDies(exit.cause) || Cause.hasInterrupts(exit.cause)) throw new Error(`defect: ${Cause.pretty(exit.cause)}`)
  const error = Cause.findErrorOption(exit.cause)
  return error._tag === "Some" ? { error: { ...(error.value as object), _tag: (error.value as { _tag: string })._tag } } : { error: "unknown" }
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
