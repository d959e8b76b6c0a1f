/**
 * Port: invoices (with their lines) and the append-only invoice event log. Reads return live invoices
 * only: a soft-deleted draft is `NotFound` and its number is free again. Lock order: the invoice is
 * the first row a command locks.
 */
import { type Errors, type LocalDate, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer, Option, Result } from "effect"
import { InvoiceNumberTaken } from "./BillingError.ts"
import type { InvoiceId } from "./Ids.ts"
import { defaultListLimit, sortBy, tables, tenantTable } from "./internal/memory.ts"
import * as Invoice from "./Invoice.ts"
import type { InvoiceEvent } from "./InvoiceEvent.ts"
import type { ClientAccount } from "./ClientAccount.ts"
import { ClientAccountRepository } from "./ClientAccountRepository.ts"
import type { Changed } from "./Values.ts"

export interface InvoiceQuery {
  readonly accountId?: string
  readonly status?: Invoice.InvoiceStatus
  /** At most this many, oldest first (by createdAt, then id); default 1000. */
  readonly limit?: number
}

export interface InvoiceWithAccount {
  readonly invoice: Invoice.Invoice
  readonly account: ClientAccount
}

export interface ClaimedReminder {
  /** The invoice before the reminder was recorded (its audit entry's old values). */
  readonly before: Invoice.Invoice
  /** The invoice after the reminder was recorded in `remindersSent`. */
  readonly invoice: Invoice.Invoice
  readonly reminder: Invoice.ReminderKind
}

/** The invoices table of the memory adapter; a soft-deleted invoice reads as absent, so its number is free again. */
const memoryInvoices = (store: MemoryStore.MemoryStore["Service"]) =>
  tenantTable<Invoice.Invoice>(store, tables.invoices, "Invoice", (i) => i.deletedAt === null)

/**
 * The two invoice jobs in memory. Both are the same sweep, the memory twin of Postgres' set-based
 * `UPDATE … WHERE <predicate> RETURNING`: the invoices found and their updates commit in one transaction.
 */
const memoryInvoiceJobs = (
  store: MemoryStore.MemoryStore["Service"],
  rows: ReturnType<typeof memoryInvoices>
): Pick<InvoiceRepository["Service"], "markOverdue" | "claimReminders"> => {
  // `pick` is both the job's predicate (undefined: not due) and what it found (e.g. the reminder to claim), which
  // `apply` records and the job reports. Earliest due first, at most `limit`.
  const sweep = <A>(
    tenant: Tenant.Tenant,
    limit: number,
    pick: (invoice: Invoice.Invoice) => A | undefined,
    apply: (invoice: Invoice.Invoice, picked: A) => Invoice.Invoice
  ) =>
    store.transaction(Effect.gen(function*() {
      const candidates = sortBy(yield* rows.find(tenant, (i) => pick(i) !== undefined), (i) => i.dueDate)
      const changed = candidates.slice(0, Math.max(0, limit)).map((i) => ({
        before: i,
        next: apply(i, pick(i)!),
        picked: pick(i)!
      }))
      yield* Effect.forEach(changed, ({ next }) => Effect.orDie(rows.update(tenant, next)), { discard: true })
      return changed
    }))
  return {
    markOverdue: (tenant, today, now, limit) =>
      Effect.map(
        sweep(
          tenant,
          limit,
          (i) => (Invoice.isOverdue(i, today) ? true : undefined),
          (i) => Result.getOrThrow(Invoice.markOverdue(i, now)).invoice
        ),
        (changed) => changed.map((c) => ({ before: c.before, after: c.next }))
      ),
    claimReminders: (tenant, today, now, limit) =>
      Effect.map(
        sweep(
          tenant,
          limit,
          (i) => Invoice.reminderDue(i, today),
          (i, kind) => Invoice.recordReminder(i, kind, now).invoice
        ),
        (changed) => changed.map((c) => ({ before: c.before, invoice: c.next, reminder: c.picked }))
      )
  }
}

/** The append-only invoice event log in memory (BIL-INV-13). */
const memoryInvoiceEventLog = (
  store: MemoryStore.MemoryStore["Service"]
): Pick<InvoiceRepository["Service"], "appendEvents" | "events"> => {
  const log = tenantTable<
    { readonly id: string; readonly tenant: Tenant.Tenant; readonly seq: number; readonly event: InvoiceEvent }
  >(store, tables.invoiceEvents, "InvoiceEvent")
  // Events are read back in the order appended; ids and timestamps do not give that order, a counter does.
  let seq = 0
  return {
    appendEvents: (tenant, events) =>
      store.transaction(
        Effect.forEach(
          events,
          (event) => log.insert(tenant, { id: event.id, tenant: event.tenant, seq: ++seq, event }),
          { discard: true }
        )
      ),
    events: (tenant, invoiceId) =>
      Effect.map(
        log.find(tenant, (row) => row.event.invoiceId === invoiceId),
        (found) => sortBy(found, (row) => row.seq).map((row) => row.event)
      )
  }
}

export class InvoiceRepository extends Context.Service<InvoiceRepository, {
  /**
   * Adds an invoice; a live invoice of the tenant with the same number is `InvoiceNumberTaken` (partial unique index).
   */
  readonly insert: (tenant: Tenant.Tenant, invoice: Invoice.Invoice) => Effect.Effect<void, InvoiceNumberTaken>
  readonly get: (tenant: Tenant.Tenant, id: InvoiceId) => Effect.Effect<Invoice.Invoice, Errors.NotFound>
  /** Like `get`, and locks the row until the unit of work ends (Postgres `FOR UPDATE`); memory: plain get. */
  readonly getForUpdate: (tenant: Tenant.Tenant, id: InvoiceId) => Effect.Effect<Invoice.Invoice, Errors.NotFound>
  /**
   * `getForUpdate` of the invoice and then of its client account (the lock order of every command that
   * changes both, e.g. a payment), as one step: Postgres reads and locks both in ONE statement
   * (`FOR NO KEY UPDATE OF i, a`) instead of two round trips. The account always exists (foreign key).
   */
  readonly getForUpdateWithAccount: (
    tenant: Tenant.Tenant,
    id: InvoiceId
  ) => Effect.Effect<InvoiceWithAccount, Errors.NotFound>
  readonly findByNumber: (tenant: Tenant.Tenant, invoiceNumber: string) => Effect.Effect<Option.Option<Invoice.Invoice>>
  readonly list: (tenant: Tenant.Tenant, query?: InvoiceQuery) => Effect.Effect<ReadonlyArray<Invoice.Invoice>>
  /** Replaces a live invoice (the number never changes); setting `deletedAt` soft-deletes it. */
  readonly update: (tenant: Tenant.Tenant, invoice: Invoice.Invoice) => Effect.Effect<void, Errors.NotFound>
  /**
   * The `markOverdueInvoices` job as one set-based operation: every invoice with
   * `Invoice.isOverdue(invoice, today)` (Sent, due date before `today`), at most `limit`, earliest due
   * first, becomes Overdue with `updatedAt = now`. Returns the changed invoices, before and after.
   * Postgres: `UPDATE … WHERE status = 'Sent' AND due_date < $today … RETURNING`.
   */
  readonly markOverdue: (
    tenant: Tenant.Tenant,
    today: LocalDate.LocalDate,
    now: number,
    limit: number
  ) => Effect.Effect<ReadonlyArray<Changed<Invoice.Invoice>>>
  /**
   * The `sendInvoiceReminders` job as one set-based operation: for every invoice where
   * `Invoice.reminderDue(invoice, today)` names a reminder, at most `limit`, earliest due first,
   * appends it to `remindersSent` (`updatedAt = now`) and returns it: a reminder is claimed exactly
   * once, however often the job runs. Postgres: `UPDATE … SET reminders_sent = reminders_sent || …
   * WHERE <the same predicate> RETURNING`.
   */
  readonly claimReminders: (
    tenant: Tenant.Tenant,
    today: LocalDate.LocalDate,
    now: number,
    limit: number
  ) => Effect.Effect<ReadonlyArray<ClaimedReminder>>
  /** Appends to the invoice event log (BIL-INV-13); there is no update or delete. */
  readonly appendEvents: (tenant: Tenant.Tenant, events: ReadonlyArray<InvoiceEvent>) => Effect.Effect<void>
  /** An invoice's log, in the order appended. */
  readonly events: (tenant: Tenant.Tenant, invoiceId: InvoiceId) => Effect.Effect<ReadonlyArray<InvoiceEvent>>
}>()("@erpkit/billing/InvoiceRepository") {
  /**
   * Invoices in the `MemoryStore`. The account half of `getForUpdateWithAccount` goes through the
   * `ClientAccountRepository` port (never the accounts table), so a host may replace that port alone.
   */
  static readonly layerMemory = Layer.effect(
    InvoiceRepository,
    Effect.gen(function*() {
      const store = yield* MemoryStore.MemoryStore
      const accounts = yield* ClientAccountRepository
      const rows = memoryInvoices(store)
      const findByNumber = (tenant: Tenant.Tenant, invoiceNumber: string) =>
        Effect.map(
          rows.find(tenant, (i) => i.invoiceNumber === invoiceNumber),
          (found) => Option.fromNullishOr(found[0])
        )
      return {
        insert: (tenant, invoice) =>
          rows.transaction(
            Effect.flatMap(findByNumber(tenant, invoice.invoiceNumber), (existing) =>
              Option.isSome(existing)
                ? Effect.fail(new InvoiceNumberTaken({ invoiceNumber: invoice.invoiceNumber }))
                : rows.insert(tenant, invoice))
          ),
        get: rows.get,
        getForUpdate: rows.get,
        // The lock order of every command: the invoice, then its account (which exists: foreign key).
        getForUpdateWithAccount: (tenant, id) =>
          Effect.flatMap(
            rows.get(tenant, id),
            (invoice) =>
              Effect.map(Effect.orDie(accounts.getForUpdate(tenant, invoice.accountId)), (account) => ({
                invoice,
                account
              }))
          ),
        findByNumber,
        list: (tenant, query = {}) =>
          Effect.map(
            rows.find(
              tenant,
              (i) =>
                (query.accountId === undefined || i.accountId === query.accountId) &&
                (query.status === undefined || i.status === query.status)
            ),
            (found) => sortBy(found, (i) => i.createdAt).slice(0, query.limit ?? defaultListLimit)
          ),
        update: rows.update,
        ...memoryInvoiceJobs(store, rows),
        ...memoryInvoiceEventLog(store)
      }
    })
  )
}
