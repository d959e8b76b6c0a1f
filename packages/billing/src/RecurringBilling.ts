/**
 * Recurring billing. The monthly job `runRecurringBilling` asks `UsageSource` for every
 * customer's billable usage in the period and, per customer in its own unit of work (`billUsage`),
 * prices the usage with the rate cards usable today (BIL-RC-02), creates the invoice and issues it on
 * credit (Sent; BIL-CA-02 credit check, BIL-AT-02 ledger debit, X-07 accounting sync), and records the
 * (account, period) billing run. A refused customer gets a Failed run with the reason and is retried
 * by the next run of the job; the others are not held up.
 *
 * Exactly once: the run row is unique per (tenant, account, period) and locked while a customer is
 * billed; an Invoiced run makes `billUsage` return it without writing, however often the job runs.
 */
// `Ids` is imported as a type so declaration emit can name the kernel types commands infer.
import { Actor, Command, Errors, type Ids, Ids as KernelIds, LocalDate } from "@erpkit/kernel"
import { Cause, Clock, Effect, Exit, Option, Schema } from "effect"
import * as BillingEvent from "./BillingEvent.ts"
import * as BillingRun from "./BillingRun.ts"
import { BillingRunRepository, UsageItem, UsageSource } from "./BillingRunRepository.ts"
import { ClientAccountRepository } from "./ClientAccountRepository.ts"
import { BillingRunId } from "./Ids.ts"
import { audit, businessDate, defaultTaxRate, freshIds, today } from "./internal/command.ts"
import { insertDraft, issue } from "./internal/invoicing.ts"
import * as Invoice from "./Invoice.ts"
import { permissions } from "./Permissions.ts"
import * as Pricing from "./Pricing.ts"
import * as Quote from "./Quote.ts"
import { pricerAt } from "./RateCards.ts"
import { BatchSizeMax, defaultBatchSizeMax, Text } from "./Values.ts"

/** Days between issue and due date of a recurring invoice. */
export const paymentTermDays = 30

export const BillUsageInput = Schema.Struct({
  customerId: KernelIds.CustomerId,
  period: BillingRun.BillingPeriod,
  items: Schema.Array(UsageItem).pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(500)))
})

export const BillUsageOutput = Schema.Struct({
  run: BillingRun.BillingRun,
  /** False when the account was already invoiced for the period (nothing was written). */
  created: Schema.Boolean,
  invoice: Schema.NullOr(Invoice.Invoice)
})

/** The invoice number of a recurring invoice: "REC-<period>-<account id>", unique by construction. */
export const invoiceNumberOf = (period: string, accountId: string): string => `REC-${period}-${accountId}`

/** One customer and period: price, invoice, issue, and record the run (exactly once per account and period). */
export const billUsage = Command.make({
  name: "billing.billUsage",
  input: BillUsageInput,
  output: BillUsageOutput,
  permission: permissions.jobsRun,
  handler: Effect.fnUntraced(function*(input, context) {
    const found = yield* (yield* ClientAccountRepository).findByCustomer(context.tenant, input.customerId)
    if (Option.isNone(found)) return yield* new Errors.NotFound({ entity: "ClientAccount", id: input.customerId })
    const account = found.value
    const runs = yield* BillingRunRepository
    const previous = Option.getOrNull(yield* runs.findForUpdate(context.tenant, account.id, input.period))
    if (previous?.status === "Invoiced") return { result: { run: previous, created: false, invoice: null } }
    const date = yield* today(context)
    const pricer = yield* pricerAt(context.tenant, account.currency, date)
    const priced = yield* Effect.forEach(
      input.items,
      (item) => Effect.map(pricer(item.request), (price) => ({ item, price }))
    )
    const taxRate = yield* defaultTaxRate(context.tenant)
    const items = priced.map(({ item, price }, index) =>
      Quote.lineInput(
        item.description ?? `${input.period} #${index + 1} ${Pricing.describe(item.request)}`,
        price,
        item.taxRate ?? taxRate
      )
    )
    const draft = yield* insertDraft(context, account, {
      invoiceNumber: invoiceNumberOf(input.period, account.id),
      issueDate: date,
      dueDate: LocalDate.addDays(date, paymentTermDays),
      items,
      depositAmountMinor: null,
      notes: `Recurring services ${input.period}`
    })
    const issued = yield* issue(context, draft.result, null)
    const [id] = yield* freshIds(BillingRunId, 1)
    const key = { tenant: context.tenant, accountId: account.id, customerId: account.customerId, period: input.period }
    const run = yield* Effect.fromResult(BillingRun.invoiced(id!, previous, key, issued.result.id, context.now))
    if (previous === null) yield* runs.insert(context.tenant, run)
    else yield* Effect.orDie(runs.update(context.tenant, run))
    return {
      result: { run, created: true, invoice: issued.result },
      events: [
        ...draft.events,
        ...issued.events,
        BillingEvent.draft({
          _tag: "RecurringInvoiceIssued",
          billingRunId: run.id,
          accountId: run.accountId,
          period: run.period,
          invoiceId: issued.result.id,
          totalMinor: issued.result.totalMinor
        })
      ],
      changes: [...draft.changes, ...issued.changes, audit(BillingRun.BillingRun, previous, run)]
    }
  })
})

export const RecordFailureInput = Schema.Struct({
  customerId: KernelIds.CustomerId,
  period: BillingRun.BillingPeriod,
  error: Text(2000)
})

/** Records (or re-records) a Failed run; an Invoiced run stays as it is. */
export const recordBillingRunFailure = Command.make({
  name: "billing.recordBillingRunFailure",
  input: RecordFailureInput,
  output: Schema.NullOr(BillingRun.BillingRun),
  permission: permissions.jobsRun,
  handler: Effect.fnUntraced(function*(input, context) {
    const found = yield* (yield* ClientAccountRepository).findByCustomer(context.tenant, input.customerId)
    if (Option.isNone(found)) return { result: null }
    const runs = yield* BillingRunRepository
    const previous = Option.getOrNull(yield* runs.findForUpdate(context.tenant, found.value.id, input.period))
    if (previous?.status === "Invoiced") return { result: previous }
    const [id] = yield* freshIds(BillingRunId, 1)
    const key = {
      tenant: context.tenant,
      accountId: found.value.id,
      customerId: found.value.customerId,
      period: input.period
    }
    const run = yield* Effect.fromResult(BillingRun.failed(id!, previous, key, input.error, context.now))
    if (previous === null) yield* runs.insert(context.tenant, run)
    else yield* Effect.orDie(runs.update(context.tenant, run))
    return {
      result: run,
      events: [
        BillingEvent.draft({
          _tag: "BillingRunFailed",
          billingRunId: run.id,
          accountId: run.accountId,
          period: run.period,
          error: input.error
        })
      ],
      changes: [audit(BillingRun.BillingRun, previous, run)]
    }
  })
})

export const RunRecurringBillingInput = Schema.Struct({
  /** Default: the month before today (tenant's zone). */
  period: Schema.optionalKey(BillingRun.BillingPeriod),
  /**
   * New invoices one run issues at most: 1 … 10 000, default 1 000 (the scheduler runs it again while a run fills it).
   */
  batchSizeMax: Schema.optionalKey(BatchSizeMax)
})

export interface RecurringOutcome {
  readonly customerId: string
  readonly outcome: "Invoiced" | "AlreadyInvoiced" | "Failed"
  readonly invoiceId: string | null
  readonly error: string | null
}

/** Usage pages asked from the source. */
export const usagePageSize = 100
/** Clients one run looks at, at most (already invoiced ones included). */
export const usageScanMax = 100_000

const errorText = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.findErrorOption(cause)
  if (error._tag === "None") return Cause.pretty(cause).slice(0, 2000)
  const e = error.value as { readonly _tag?: string; readonly message?: string }
  return `${e._tag ?? "Error"}: ${e.message ?? ""}`.slice(0, 2000)
}

/** One customer's usage: bill it; on a typed refusal record the Failed run. Defects propagate. */
const billOne = (actor: Actor.Actor, period: string, raw: unknown) =>
  Effect.gen(function*() {
    // The command decodes the usage itself: malformed usage is its ValidationError, this client's failure.
    const fields = typeof raw === "object" && raw !== null
      ? (raw as { readonly customerId?: unknown; readonly items?: unknown })
      : {}
    const customerId = typeof fields.customerId === "string" ? fields.customerId : ""
    const billed = yield* Effect.exit(
      Command.untyped(billUsage)(actor, { customerId: fields.customerId, period, items: fields.items })
    )
    if (Exit.isSuccess(billed)) {
      const { created, invoice, run } = billed.value
      return {
        customerId,
        outcome: created ? "Invoiced" : "AlreadyInvoiced",
        invoiceId: invoice?.id ?? run.invoiceId,
        error: null
      } as RecurringOutcome
    }
    if (Cause.hasDies(billed.cause) || Cause.hasInterrupts(billed.cause)) return yield* Effect.failCause(billed.cause)
    const error = errorText(billed.cause)
    const id = Schema.decodeUnknownOption(KernelIds.CustomerId)(customerId)
    if (Option.isSome(id)) yield* Effect.ignore(recordBillingRunFailure(actor, { customerId: id.value, period, error }))
    return { customerId, outcome: "Failed", invoiceId: null, error } as RecurringOutcome
  })

/**
 * X-06, the monthly job: bills every customer the `UsageSource` reports for `period` (at most
 * `batchSizeMax` new invoices per run, paged by customer id). Running it twice invoices nobody twice.
 */
export const runRecurringBilling = (rawActor: unknown, rawInput: unknown) =>
  Effect.gen(function*() {
    const actor = yield* Command.decode(Actor.Actor, rawActor, ["actor"])
    const input = yield* Command.decode(RunRecurringBillingInput, rawInput)
    yield* Actor.authorize(actor, permissions.jobsRun)
    const period = input.period ??
      BillingRun.previousPeriod(yield* businessDate(actor.tenant, yield* Clock.currentTimeMillis))
    const window = { period, from: BillingRun.firstDay(period), to: BillingRun.lastDay(period) }
    const source = yield* UsageSource
    const budget = input.batchSizeMax ?? defaultBatchSizeMax
    const outcomes: Array<RecurringOutcome> = []
    // Only new invoices count against the batch: already invoiced and refused clients are passed over,
    // so neither can starve the clients behind them; `usageScanMax` bounds the walk.
    let invoiced = 0
    let scanned = 0
    let after: Ids.CustomerId | null = null
    while (invoiced < budget && scanned < usageScanMax) {
      const page = yield* source.usage(actor.tenant, window, { after, limit: usagePageSize })
      for (const raw of page.slice(0, usagePageSize)) {
        if (invoiced >= budget) break
        const outcome = yield* billOne(actor, period, raw)
        outcomes.push(outcome)
        scanned++
        if (outcome.outcome === "Invoiced") invoiced++
      }
      const last = outcomes.at(-1)?.customerId
      if (page.length < usagePageSize || last === undefined || last === after) break
      after = last as Ids.CustomerId
    }
    return { period, outcomes }
  }).pipe(Effect.withSpan("billing.runRecurringBilling"))

export const listBillingRuns = Command.query({
  name: "billing.listBillingRuns",
  input: Schema.Struct({
    period: Schema.optionalKey(BillingRun.BillingPeriod),
    status: Schema.optionalKey(BillingRun.BillingRunStatus),
    limit: Schema.optionalKey(Schema.Int.pipe(Schema.check(Schema.isBetween({ minimum: 1, maximum: 1000 }))))
  }),
  permission: permissions.invoiceRead,
  handler: (input, context) => BillingRunRepository.use((runs) => runs.list(context.tenant, input))
})
