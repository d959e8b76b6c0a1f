/**
 * The invoice jobs' set-based statements: `markOverdue` and `claimReminders` are ONE statement each,
 * an UPDATE over a `FOR NO KEY UPDATE SKIP LOCKED` sub-select holding the pure predicate
 * (`Invoice.isOverdue`, `Invoice.reminderDue` as a CASE), earliest due first, at most `limit`,
 * returning the changed invoices in that order.
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

/** Sent invoices due before `today` become Overdue (at most `limit`, earliest due first). */
export const markOverdue = (db: Db) => (tenant: Tenant.Tenant, today: LocalDate.LocalDate, now: number, limit: number) => {
  const sql = db.sql
  const live = invoices.scope(sql, tenant)
  return db.inTenant(tenant)(Effect.map(
    SqlState.orDie(sql<InvoiceRow>`
      WITH due AS MATERIALIZED (
        SELECT i.id FROM billing.invoices i WHERE ${live} AND i.status = 'Sent' AND i.due_date < ${today}::date
        ORDER BY i.due_date, i.id LIMIT ${bound(limit)}
        FOR NO KEY UPDATE SKIP LOCKED
      ), changed AS (
        UPDATE billing.invoices i SET status = 'Overdue', updated_at = ${toTimestamptz(now)}
        FROM due d
        WHERE ${live} AND i.id = d.id AND i.status = 'Sent'
        RETURNING i.*
      )
      SELECT ${sql.literal(invoiceColumns("c"))} FROM changed c ORDER BY c.due_date, c.id`),
    (rows) => rows.map(toInvoice)
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
export const claimReminders = (db: Db) => (tenant: Tenant.Tenant, today: LocalDate.LocalDate, now: number, limit: number) => {
  const sql = db.sql
  const live = invoices.scope(sql, tenant)
  return db.inTenant(tenant)(Effect.map(
    SqlState.orDie(sql<InvoiceRow & { readonly reminder: Invoice.ReminderKind }>`
      WITH picked AS MATERIALIZED (
        SELECT i.id, ${reminderDue(sql, today)} AS reminder FROM billing.invoices i
        WHERE ${live} AND i.status IN ('Sent', 'Overdue') AND ${reminderDue(sql, today)} IS NOT NULL
        ORDER BY i.due_date, i.id LIMIT ${bound(limit)}
        FOR NO KEY UPDATE SKIP LOCKED
      ), changed AS (
        UPDATE billing.invoices i SET reminders_sent = i.reminders_sent || p.reminder, updated_at = ${toTimestamptz(now)}
        FROM picked p
        WHERE ${live} AND i.id = p.id
        RETURNING i.*, p.reminder
      )
      SELECT ${sql.literal(invoiceColumns("c"))}, c.reminder FROM changed c ORDER BY c.due_date, c.id`),
    (rows) => rows.map((row) => ({ invoice: toInvoice(row), reminder: row.reminder }))
  ))
}
