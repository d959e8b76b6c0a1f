/**
 * Scheduled sweeps. Each is a command (run it as `Actor.system(tenant)`, which holds
 * `billing.jobs.run`), reads `now` from `Clock`, turns it into the tenant's business date with kernel
 * `TenantTimeZone`, and delegates the sweep to ONE set-based port operation whose predicate is the
 * pure one exported by the domain module. Each run changes at most `batchSizeMax` rows; the scheduler
 * runs it again while a run reports a full batch. Running a job twice changes nothing the second time.
 */
// `Actor`, `Errors` and `Ids` are imported as types so declaration emit can name the kernel types commands infer.
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import { type Actor, type AuditLog, Command, type Errors, type Ids, LocalDate } from "@erpkit/kernel"
import { Effect, Schema } from "effect"
import * as BillingEvent from "./BillingEvent.ts"
import * as CreditHold from "./CreditHold.ts"
import { CreditHoldRepository } from "./CreditHoldRepository.ts"
import { audit, logEntries, today } from "./internal/command.ts"
import * as Invoice from "./Invoice.ts"
import { InvoiceRepository } from "./InvoiceRepository.ts"
import { permissions } from "./Permissions.ts"
import * as Quote from "./Quote.ts"
import { QuoteRepository } from "./QuoteRepository.ts"
import * as RateCard from "./RateCard.ts"
import { RateCardRepository, SurchargeRepository } from "./RateCardRepository.ts"
import * as Surcharge from "./Surcharge.ts"
import { BatchSizeMax, type Changed, defaultBatchSizeMax } from "./Values.ts"
import * as ClientAccount from "./ClientAccount.ts"

export const JobInput = Schema.Struct({
  /** 1 … 10 000; default 1 000. */
  batchSizeMax: Schema.optionalKey(BatchSizeMax)
})

/** Audit changes of rows a sweep changed: every field, old and new (TEN-07). */
const changesOf = <A extends { readonly id: string }>(
  schema: Schema.Codec<A, unknown>,
  rows: ReadonlyArray<Changed<A>>
): Array<AuditLog.AuditChange> => rows.map((r) => audit(schema, r.before, r.after))

export const MarkOverdueOutput = Schema.Struct({ invoices: Schema.Array(Invoice.Invoice) })

/** BIL-INV-07: Sent invoices whose due date is before today (tenant's zone) become Overdue. */
export const markOverdueInvoices = Command.make({
  name: "billing.markOverdueInvoices",
  input: JobInput,
  output: MarkOverdueOutput,
  permission: permissions.jobsRun,
  handler: Effect.fnUntraced(function*(input, context) {
    const invoices = yield* InvoiceRepository
    const day = yield* today(context)
    const swept = yield* invoices.markOverdue(
      context.tenant,
      day,
      context.now,
      input.batchSizeMax ?? defaultBatchSizeMax
    )
    const changed = swept.map((c) => c.after)
    const drafts = changed.map((i) => ({
      invoiceId: i.id,
      type: "marked_overdue" as const,
      data: { dueDate: i.dueDate, today: day }
    }))
    yield* invoices.appendEvents(context.tenant, yield* logEntries(context, drafts))
    return {
      result: { invoices: changed },
      events: changed.map((i) =>
        BillingEvent.draft({
          _tag: "InvoiceOverdue",
          invoiceId: i.id,
          customerId: i.customerId,
          dueDate: i.dueDate,
          amountOutstandingMinor: Invoice.amountOutstanding(i)
        })
      ),
      changes: changesOf(Invoice.Invoice, swept)
    }
  })
})

export const SendRemindersOutput = Schema.Struct({
  reminders: Schema.Array(Schema.Struct({ invoiceId: Schema.String, reminder: Invoice.ReminderKind }))
})

/**
 * BIL-INV-14: claims every due reminder (7 days before due, on the due date, overdue), each once per
 * invoice, logs it and raises `InvoiceReminderDue` for the host's mailer (delivered from the outbox).
 */
export const sendInvoiceReminders = Command.make({
  name: "billing.sendInvoiceReminders",
  input: JobInput,
  output: SendRemindersOutput,
  permission: permissions.jobsRun,
  handler: Effect.fnUntraced(function*(input, context) {
    const invoices = yield* InvoiceRepository
    const day = yield* today(context)
    const claimed = yield* invoices.claimReminders(
      context.tenant,
      day,
      context.now,
      input.batchSizeMax ?? defaultBatchSizeMax
    )
    const drafts = claimed.map(({ invoice, reminder }) => ({
      invoiceId: invoice.id,
      type: reminder,
      data: {
        dueDate: invoice.dueDate,
        daysUntilDue: LocalDate.daysBetween(day, invoice.dueDate),
        amountDueMinor: String(Invoice.amountOutstanding(invoice))
      }
    }))
    yield* invoices.appendEvents(context.tenant, yield* logEntries(context, drafts))
    return {
      result: { reminders: claimed.map(({ invoice, reminder }) => ({ invoiceId: invoice.id, reminder })) },
      events: claimed.map(({ invoice, reminder }) =>
        BillingEvent.draft({
          _tag: "InvoiceReminderDue",
          invoiceId: invoice.id,
          customerId: invoice.customerId,
          reminder,
          dueDate: invoice.dueDate,
          amountOutstandingMinor: Invoice.amountOutstanding(invoice)
        })
      ),
      changes: changesOf(Invoice.Invoice, claimed.map(({ before, invoice }) => ({ before, after: invoice })))
    }
  })
})

export const ExpireHoldsOutput = Schema.Struct({ holds: Schema.Array(CreditHold.CreditHold) })

/** Voids (as Expired) every Pending credit hold past its `expiresAt`, releasing its account's holds. */
export const expireCreditHolds = Command.make({
  name: "billing.expireCreditHolds",
  input: JobInput,
  output: ExpireHoldsOutput,
  permission: permissions.jobsRun,
  handler: Effect.fnUntraced(function*(input, context) {
    const { accounts, holds } = yield* (yield* CreditHoldRepository).expire(
      context.tenant,
      context.now,
      input.batchSizeMax ?? defaultBatchSizeMax
    )
    const expired = holds.map((h) => h.after)
    return {
      result: { holds: expired },
      events: expired.map((h) =>
        BillingEvent.draft({
          _tag: "CreditHoldResolved",
          holdId: h.id,
          accountId: h.accountId,
          amountMinor: h.amountMinor,
          status: h.status,
          invoiceId: null
        })
      ),
      // the holds and the accounts whose holds they released, as `voidCreditHold` records them
      changes: [...changesOf(CreditHold.CreditHold, holds), ...changesOf(ClientAccount.ClientAccount, accounts)]
    }
  })
})

export const DeactivateRatesOutput = Schema.Struct({
  rateCards: Schema.Array(RateCard.RateCard),
  surcharges: Schema.Array(Surcharge.Surcharge)
})

/**
 * BIL-RC-03, daily: rate cards and surcharges whose `validTo` is before today (tenant's zone) get
 * `isActive = false`; each kind up to `batchSizeMax`. Cards not valid yet stay active (they become
 * usable on their `validFrom`); BIL-RC-02 keeps them out of pricing until then.
 */
export const deactivateExpiredRates = Command.make({
  name: "billing.deactivateExpiredRates",
  input: JobInput,
  output: DeactivateRatesOutput,
  permission: permissions.jobsRun,
  handler: Effect.fnUntraced(function*(input, context) {
    const day = yield* today(context)
    const limit = input.batchSizeMax ?? defaultBatchSizeMax
    const cardRows = yield* (yield* RateCardRepository).deactivateExpired(context.tenant, day, context.now, limit)
    const surchargeRows = yield* (yield* SurchargeRepository).deactivateExpired(context.tenant, day, context.now, limit)
    const rateCards = cardRows.map((r) => r.after)
    const surcharges = surchargeRows.map((r) => r.after)
    return {
      result: { rateCards, surcharges },
      events: [
        ...rateCards.map((c) =>
          BillingEvent.draft({ _tag: "RateCardChanged", rateCardId: c.id, change: "Deactivated" })
        ),
        ...surcharges.map((s) =>
          BillingEvent.draft({ _tag: "SurchargeChanged", surchargeId: s.id, change: "Deactivated" })
        )
      ],
      changes: [...changesOf(RateCard.RateCard, cardRows), ...changesOf(Surcharge.Surcharge, surchargeRows)]
    }
  })
})

export const ExpireQuotesOutput = Schema.Struct({ quotes: Schema.Array(Quote.Quote) })

/** BIL-QUO-02, daily: Draft and Sent quotes whose `expiresAt` has passed become Expired. */
export const expireQuotes = Command.make({
  name: "billing.expireQuotes",
  input: JobInput,
  output: ExpireQuotesOutput,
  permission: permissions.jobsRun,
  handler: Effect.fnUntraced(function*(input, context) {
    const rows = yield* (yield* QuoteRepository).expire(
      context.tenant,
      context.now,
      input.batchSizeMax ?? defaultBatchSizeMax
    )
    const expired = rows.map((q) => q.after)
    return {
      result: { quotes: expired },
      events: expired.map((q) =>
        BillingEvent.draft({ _tag: "QuoteExpired", quoteId: q.id, customerId: q.customerId, expiresAt: q.expiresAt })
      ),
      changes: changesOf(Quote.Quote, rows)
    }
  })
})
