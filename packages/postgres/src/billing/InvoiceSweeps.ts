/**
 * The invoice jobs' set-based statements: `markOverdue` and `claimReminders` are ONE statement each,
 * an UPDATE over a `FOR NO KEY UPDATE SKIP LOCKED` sub-select holding the pure predicate
 * (`Invoice.isOverdue`, `Invoice.reminderDue` as a CASE), earliest due first, at most `limit`,
 * returning the changed invoices in that order, each before and after (its audit entry).
 */
import { Effect } from "effect"
import type { LocalDate, Tenant } from "@erpkit/kernel"
import type { Invoice } from "@erpkit/billing"
import type { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import { toTimestamptz } from "../sql/Timestamps.ts"
import { invoiceColumns, type InvoiceRow, invoices, toInvoice } from "./InvoiceRows.ts"

type Db = PgDatabase["Service"]

const bound = (limit: number) => Math.max(0, Math.floor(limit))

/**
 * The values a sweep's UPDATE overwrites, read where its CTE locks the row: the invoice before the
 * sweep is the one after with them (nothing else changes), so its audit entry is exact.
 */
interface OldColumns {
  readonly oldStatus: InvoiceRow["status"]
  readonly oldUpdatedAt: InvoiceRow["updatedAt"]
  readonly oldRemindersSent?: InvoiceRow["remindersSent"]
}

const oldColumns = (a: string) => `${a}.old_status AS "oldStatus", ${a}.old_updated_at AS "oldUpdatedAt"`

const before = (row: InvoiceRow & OldColumns): Invoice.Invoice =>
  toInvoice({
    ...row,
    status: row.oldStatus,
    updatedAt: row.oldUpdatedAt,
    remindersSent: row.oldRemindersSent ?? row.remindersSent
  })

/** Sent invoices due before `today` become Overdue (at most `limit`, earliest due first). */
export const markOverdue =
  (db: Db) => (tenant: Tenant.Tenant, today: LocalDate.LocalDate, now: number, limit: number) => {
    const sql = db.sql
    const live = invoices.scope(sql, tenant)
    return db.inTenant(tenant)(Effect.map(
      SqlState.orDie(sql<InvoiceRow & OldColumns>`
      WITH due AS MATERIALIZED (
        SELECT i.id, i.status AS old_status, i.updated_at AS old_updated_at FROM billing.invoices i
        WHERE ${live} AND i.status = 'Sent' AND i.due_date < ${today}::date
        ORDER BY i.due_date, i.id LIMIT ${bound(limit)}
        FOR NO KEY UPDATE SKIP LOCKED
      ), changed AS (
        UPDATE billing.invoices i SET status = 'Overdue', updated_at = ${toTimestamptz(now)}
        FROM due d
        WHERE ${live} AND i.id = d.id AND i.status = 'Sent'
        RETURNING i.*, d.old_status, d.old_updated_at
      )
      SELECT ${sql.literal(invoiceColumns("c"))}, ${
        sql.literal(oldColumns("c"))
      } FROM changed c ORDER BY c.due_date, c.id`),
      (rows) => rows.map((row) => ({ before: before(row), after: toInvoice(row) }))
    ))
  }

/** `Invoice.reminderDue` as SQL: which reminder (if any) is due for the row `i` on `today`. */
const reminderDue = (sql: Db["sql"], today: LocalDate.LocalDate) => sql`CASE
    WHEN i.status = 'Sent' AND ${today}::date < i.due_date THEN
      CASE WHEN i.due_date - 7 <= ${today}::date AND i.issue_date <= i.due_date - 7
            AND NOT ('reminder_7day' = ANY (i.reminders_sent)) THEN 'reminder_7day' END
    WHEN i.status = 'Sent' AND ${today}::date = i.due_date THEN
      CASE WHEN NOT ('reminder_due' = ANY (i.reminders_sent)) THEN 'reminder_due' END
    WHEN i.status IN ('Sent', 'Overdue') AND ${today}::date > i.due_date THEN
      CASE WHEN NOT ('reminder_overdue' = ANY (i.reminders_sent)) THEN 'reminder_overdue' END
  END`

/** Records the due reminder of each invoice that has one (at most `limit`), returning them with it. */
export const claimReminders =
  (db: Db) => (tenant: Tenant.Tenant, today: LocalDate.LocalDate, now: number, limit: number) => {
    const sql = db.sql
    const live = invoices.scope(sql, tenant)
    return db.inTenant(tenant)(
      Effect.map(
        SqlState.orDie(sql<InvoiceRow & OldColumns & { readonly reminder: Invoice.ReminderKind }>`
      WITH picked AS MATERIALIZED (
        SELECT i.id, ${reminderDue(sql, today)} AS reminder, i.status AS old_status, i.updated_at AS old_updated_at,
          i.reminders_sent AS old_reminders_sent
        FROM billing.invoices i
        WHERE ${live} AND i.status IN ('Sent', 'Overdue') AND ${reminderDue(sql, today)} IS NOT NULL
        ORDER BY i.due_date, i.id LIMIT ${bound(limit)}
        FOR NO KEY UPDATE SKIP LOCKED
      ), changed AS (
        UPDATE billing.invoices i SET reminders_sent = i.reminders_sent || p.reminder, updated_at = ${
          toTimestamptz(now)
        }
        FROM picked p
        WHERE ${live} AND i.id = p.id
        RETURNING i.*, p.reminder, p.old_status, p.old_updated_at, p.old_reminders_sent
      )
      SELECT ${sql.literal(invoiceColumns("c"))}, c.reminder, ${
        sql.literal(oldColumns("c"))
      }, c.old_reminders_sent AS "oldRemindersSent"
      FROM changed c ORDER BY c.due_date, c.id`),
        (rows) => rows.map((row) => ({ before: before(row), invoice: toInvoice(row), reminder: row.reminder }))
      )
    )
  }
