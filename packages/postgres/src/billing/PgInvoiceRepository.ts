/**
 * `InvoiceRepository` on `billing.invoices`, `billing.invoice_items` and the append-only
 * `billing.invoice_events`.
 *
 * - An invoice is read with its lines in ONE statement (the lines as a `json_agg` sub-select), and
 *   inserted with its lines in ONE statement (a CTE). Lines never change after insert (every domain
 *   transition keeps them; the table is append-only), so `update` writes the invoice row only.
 * - `getForUpdate` is `SELECT … FOR NO KEY UPDATE` on the invoice row (the first lock of every command).
 * - Reads see live invoices only (`deleted_at IS NULL`); the invoice number is unique among them
 *   (partial unique index `invoices_number_live_key` → `InvoiceNumberTaken`).
 * - `markOverdue` and `claimReminders` are ONE statement each: an UPDATE over a `FOR NO KEY UPDATE SKIP
 *   LOCKED` sub-select holding the pure predicate (`Invoice.isOverdue`, `Invoice.reminderDue` as a CASE),
 *   earliest due first, at most `limit`, returning the changed invoices in that order.
 */
import { Effect, Layer, Option, Result } from "effect"
import { type Ids, type LocalDate, Quantity as Q, type Quantity, type Tenant } from "@erpkit/kernel"
import { BillingError, Invoice, InvoiceEvent, InvoiceRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { accountColumnsAs, accountLockKey, toAccountAs } from "./ClientAccounts.ts"
import {
  assertTenant, clampLimit, duplicateAs, instant, instantOrNull, jsonRows, rate, sameTenant, single, type TenantColumns, tenantOf,
  timestamp, timestampOrNull, touched
} from "./internal.ts"

interface LineJson {
  readonly description: string
  readonly unit: string
  readonly productId: string | null
  readonly quantity: string
  readonly unitPrice: string
  readonly discountKind: "Amount" | "Percent" | null
  readonly discountGiven: string | null
  readonly discountRateNumerator: string | null
  readonly discountRateDenominator: string | null
  readonly taxRateNumerator: string
  readonly taxRateDenominator: string
  readonly priceIncludesVat: boolean
  readonly amount: string
  readonly discount: string
  readonly tax: string
  readonly total: string
}

interface InvoiceRow extends TenantColumns {
  readonly id: string
  readonly accountId: string
  readonly customerId: string
  readonly invoiceNumber: string
  readonly status: Invoice.InvoiceStatus
  readonly currency: string
  readonly issueDate: string
  readonly dueDate: string
  readonly lines: ReadonlyArray<LineJson>
  readonly subtotal: bigint
  readonly discount: bigint
  readonly tax: bigint
  readonly totalAmount: bigint
  readonly amountPaid: bigint
  readonly amountCredited: bigint
  readonly depositAmount: bigint | null
  readonly depositPaidAt: Date | null
  readonly creditHoldId: string | null
  readonly remindersSent: ReadonlyArray<Invoice.ReminderKind>
  readonly notes: string | null
  readonly voidReason: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly sentAt: Date | null
  readonly viewedAt: Date | null
  readonly paidAt: Date | null
  readonly voidedAt: Date | null
  readonly deletedAt: Date | null
}

/** The select list of an invoice with its lines; `a` is the alias of the invoices row. */
export const invoiceColumns = (a: string) => `${a}.id, ${a}.organization_id AS "organizationId", ${a}.workspace_id AS "workspaceId",
  ${a}.account_id AS "accountId", ${a}.customer_id AS "customerId", ${a}.invoice_number AS "invoiceNumber", ${a}.status, ${a}.currency,
  ${a}.issue_date AS "issueDate", ${a}.due_date AS "dueDate", ${a}.subtotal, ${a}.discount, ${a}.tax, ${a}.total_amount AS "totalAmount",
  ${a}.amount_paid AS "amountPaid", ${a}.amount_credited AS "amountCredited", ${a}.deposit_amount AS "depositAmount",
  ${a}.deposit_paid_at AS "depositPaidAt", ${a}.credit_hold_id AS "creditHoldId", ${a}.reminders_sent AS "remindersSent",
  ${a}.notes, ${a}.void_reason AS "voidReason", ${a}.created_at AS "createdAt", ${a}.updated_at AS "updatedAt", ${a}.sent_at AS "sentAt",
  ${a}.viewed_at AS "viewedAt", ${a}.paid_at AS "paidAt", ${a}.voided_at AS "voidedAt", ${a}.deleted_at AS "deletedAt",
  (SELECT coalesce(json_agg(json_build_object(
      'description', it.description, 'unit', it.unit, 'productId', it.product_id, 'quantity', it.quantity::text,
      'unitPrice', it.unit_price::text, 'discountKind', it.discount_kind, 'discountGiven', it.discount_given::text,
      'discountRateNumerator', it.discount_rate_numerator::text, 'discountRateDenominator', it.discount_rate_denominator::text,
      'taxRateNumerator', it.tax_rate_numerator::text, 'taxRateDenominator', it.tax_rate_denominator::text,
      'priceIncludesVat', it.price_includes_vat, 'amount', it.amount::text, 'discount', it.discount_amount::text,
      'tax', it.tax_amount::text, 'total', it.line_total::text) ORDER BY it.line_no), '[]'::json)
    FROM billing.invoice_items it
    WHERE it.invoice_id = ${a}.id AND it.organization_id = ${a}.organization_id AND it.workspace_id = ${a}.workspace_id) AS lines`

const toDiscount = (l: LineJson): Invoice.Discount | null =>
  l.discountKind === "Amount"
    ? { _tag: "Amount", amountMinor: BigInt(l.discountGiven!) }
    : l.discountKind === "Percent"
    ? { _tag: "Percent", rate: rate(l.discountRateNumerator!, l.discountRateDenominator!) }
    : null

const toLine = (l: LineJson): Invoice.InvoiceLine =>
  new Invoice.InvoiceLine({
    description: l.description,
    unit: l.unit,
    productId: l.productId as Ids.ProductId | null,
    quantity: Result.getOrThrow(Q.parse(l.quantity)),
    unitPriceMinor: BigInt(l.unitPrice),
    discount: toDiscount(l),
    taxRate: rate(l.taxRateNumerator, l.taxRateDenominator),
    priceIncludesVat: l.priceIncludesVat,
    amountMinor: BigInt(l.amount),
    discountMinor: BigInt(l.discount),
    taxMinor: BigInt(l.tax),
    totalMinor: BigInt(l.total)
  })

export const toInvoice = (row: InvoiceRow): Invoice.Invoice =>
  new Invoice.Invoice({
    id: row.id as Invoice.Invoice["id"],
    tenant: tenantOf(row),
    accountId: row.accountId as Invoice.Invoice["accountId"],
    customerId: row.customerId as Ids.CustomerId,
    invoiceNumber: row.invoiceNumber,
    status: row.status,
    currency: row.currency as Invoice.Invoice["currency"],
    issueDate: row.issueDate as LocalDate.LocalDate,
    dueDate: row.dueDate as LocalDate.LocalDate,
    lines: row.lines.map(toLine),
    subtotalMinor: row.subtotal,
    discountMinor: row.discount,
    taxMinor: row.tax,
    totalMinor: row.totalAmount,
    amountPaidMinor: row.amountPaid,
    amountCreditedMinor: row.amountCredited,
    depositAmountMinor: row.depositAmount,
    depositPaidAt: instantOrNull(row.depositPaidAt),
    creditHoldId: row.creditHoldId as Invoice.Invoice["creditHoldId"],
    remindersSent: row.remindersSent,
    notes: row.notes,
    voidReason: row.voidReason,
    createdAt: instant(row.createdAt),
    updatedAt: instant(row.updatedAt),
    sentAt: instantOrNull(row.sentAt),
    viewedAt: instantOrNull(row.viewedAt),
    paidAt: instantOrNull(row.paidAt),
    voidedAt: instantOrNull(row.voidedAt),
    deletedAt: instantOrNull(row.deletedAt)
  })

const lineRecord = (l: Invoice.InvoiceLine, index: number) => ({
  line_no: index + 1,
  description: l.description,
  unit: l.unit,
  product_id: l.productId,
  quantity: Q.format(l.quantity as Quantity.Quantity),
  unit_price: l.unitPriceMinor,
  discount_kind: l.discount?._tag ?? null,
  discount_given: l.discount?._tag === "Amount" ? l.discount.amountMinor : null,
  discount_rate_numerator: l.discount?._tag === "Percent" ? l.discount.rate.numerator : null,
  discount_rate_denominator: l.discount?._tag === "Percent" ? l.discount.rate.denominator : null,
  tax_rate_numerator: l.taxRate.numerator,
  tax_rate_denominator: l.taxRate.denominator,
  price_includes_vat: l.priceIncludesVat,
  amount: l.amountMinor,
  discount_amount: l.discountMinor,
  tax_amount: l.taxMinor,
  line_total: l.totalMinor
})

/** The texts a row carries, checked for NUL before any SQL (ports without an error channel die). */
const texts = (i: Invoice.Invoice) => [i.invoiceNumber, i.notes, i.voidReason, i.lines.map((l) => [l.description, l.unit])]

/** The row-lock key of an invoice (`PgDatabase.lock`). */
const lockKey = (id: string) => `billing.invoices/${id}`

const reminders = (kinds: ReadonlyArray<Invoice.ReminderKind>): string => kinds.join(",")

export const layer = Layer.effect(
  Port.InvoiceRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const columns = sql.literal(invoiceColumns("i"))
    const live = (tenant: Tenant.Tenant) =>
      sql`i.organization_id = ${tenant.organizationId} AND i.workspace_id = ${tenant.workspaceId} AND i.deleted_at IS NULL`

    const select = (tenant: Tenant.Tenant, id: string, lock: boolean) =>
      db.inTenant(tenant)(Effect.flatMap(
        SqlState.orDie(sql<InvoiceRow>`SELECT ${columns} FROM billing.invoices i WHERE ${live(tenant)} AND i.id = ${id}
          ${lock ? sql`FOR NO KEY UPDATE OF i` : sql``}`),
        (rows) => Effect.map(single<InvoiceRow>("Invoice", id)(rows), toInvoice).pipe(Effect.tap(() => (lock ? db.lock(lockKey(id)) : Effect.void)))
      ))

    /** The invoice and its account, locked in that order by ONE statement (`getForUpdateWithAccount`). */
    const withAccountColumns = sql.literal(`${invoiceColumns("i")}, ${accountColumnsAs("a", "account.")}`)
    const getForUpdateWithAccount: Port.InvoiceRepository["Service"]["getForUpdateWithAccount"] = (tenant, id) =>
      db.inTenant(tenant)(Effect.flatMap(
        SqlState.orDie(sql<InvoiceRow>`SELECT ${withAccountColumns} FROM billing.invoices i
          JOIN billing.client_accounts a ON a.organization_id = i.organization_id AND a.workspace_id = i.workspace_id AND a.id = i.account_id
          WHERE ${live(tenant)} AND i.id = ${id}
          FOR NO KEY UPDATE OF i, a`),
        (rows) => Effect.flatMap(single<InvoiceRow>("Invoice", id)(rows), (row) => {
          const invoice = toInvoice(row)
          return Effect.as(
            Effect.andThen(db.lock(lockKey(invoice.id)), db.lock(accountLockKey(invoice.accountId))),
            { invoice, account: toAccountAs(row as unknown as Record<string, unknown>, "account.") }
          )
        })
      ))

    const insert = (tenant: Tenant.Tenant, i: Invoice.Invoice) =>
      db.inTenant(tenant)(Effect.gen(function*() {
        yield* assertTenant("Invoice", i.id, tenant, i.tenant)
        yield* Storable.checkOrDie(texts(i), ["invoice"])
        yield* duplicateAs("invoices_number_live_key", () => new BillingError.InvoiceNumberTaken({ invoiceNumber: i.invoiceNumber }))(sql`
          WITH invoice AS (
            INSERT INTO billing.invoices (id, organization_id, workspace_id, account_id, customer_id, invoice_number, status, currency,
              issue_date, due_date, subtotal, discount, tax, total_amount, amount_paid, amount_credited, deposit_amount, deposit_paid_at,
              credit_hold_id, reminders_sent, notes, void_reason, created_at, updated_at, sent_at, viewed_at, paid_at, voided_at, deleted_at)
            VALUES (${i.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${i.accountId}, ${i.customerId}, ${i.invoiceNumber}, ${i.status},
              ${i.currency}, ${i.issueDate}::date, ${i.dueDate}::date, ${i.subtotalMinor}, ${i.discountMinor}, ${i.taxMinor}, ${i.totalMinor},
              ${i.amountPaidMinor}, ${i.amountCreditedMinor}, ${i.depositAmountMinor}::bigint, ${timestampOrNull(i.depositPaidAt)}::timestamptz,
              ${i.creditHoldId}::uuid, string_to_array(${reminders(i.remindersSent)}, ','), ${i.notes}::text, ${i.voidReason}::text,
              ${timestamp(i.createdAt)}, ${timestamp(i.updatedAt)}, ${timestampOrNull(i.sentAt)}::timestamptz,
              ${timestampOrNull(i.viewedAt)}::timestamptz, ${timestampOrNull(i.paidAt)}::timestamptz,
              ${timestampOrNull(i.voidedAt)}::timestamptz, ${timestampOrNull(i.deletedAt)}::timestamptz)
            RETURNING id
          )
          INSERT INTO billing.invoice_items (invoice_id, line_no, organization_id, workspace_id, description, unit, product_id, quantity,
            unit_price, discount_kind, discount_given, discount_rate_numerator, discount_rate_denominator, tax_rate_numerator,
            tax_rate_denominator, price_includes_vat, amount, discount_amount, tax_amount, line_total)
          SELECT (SELECT id FROM invoice), x.line_no, ${tenant.organizationId}, ${tenant.workspaceId}, x.description, x.unit, x.product_id,
            x.quantity, x.unit_price, x.discount_kind, x.discount_given, x.discount_rate_numerator, x.discount_rate_denominator,
            x.tax_rate_numerator, x.tax_rate_denominator, x.price_includes_vat, x.amount, x.discount_amount, x.tax_amount, x.line_total
          FROM jsonb_to_recordset(${jsonRows(i.lines.map(lineRecord))}::jsonb) AS x(line_no integer, description text, unit text,
            product_id uuid, quantity numeric, unit_price bigint, discount_kind text, discount_given bigint, discount_rate_numerator numeric,
            discount_rate_denominator numeric, tax_rate_numerator numeric, tax_rate_denominator numeric, price_includes_vat boolean,
            amount bigint, discount_amount bigint, tax_amount bigint, line_total bigint)`)
      }))

    const updateStatement = (tenant: Tenant.Tenant, i: Invoice.Invoice) => sql`
          UPDATE billing.invoices i SET status = ${i.status}, issue_date = ${i.issueDate}::date, due_date = ${i.dueDate}::date,
            amount_paid = ${i.amountPaidMinor}, amount_credited = ${i.amountCreditedMinor}, deposit_amount = ${i.depositAmountMinor}::bigint,
            deposit_paid_at = ${timestampOrNull(i.depositPaidAt)}::timestamptz, credit_hold_id = ${i.creditHoldId}::uuid,
            reminders_sent = string_to_array(${reminders(i.remindersSent)}, ','), notes = ${i.notes}::text,
            void_reason = ${i.voidReason}::text, updated_at = ${timestamp(i.updatedAt)}, sent_at = ${timestampOrNull(i.sentAt)}::timestamptz,
            viewed_at = ${timestampOrNull(i.viewedAt)}::timestamptz, paid_at = ${timestampOrNull(i.paidAt)}::timestamptz,
            voided_at = ${timestampOrNull(i.voidedAt)}::timestamptz, deleted_at = ${timestampOrNull(i.deletedAt)}::timestamptz
          WHERE ${live(tenant)} AND i.id = ${i.id}
          RETURNING i.id`

    /**
     * A live invoice this transaction has locked (`getForUpdate`) certainly exists, so its update is
     * deferred and travels with the command's next statement (`PgDatabase.write`); otherwise it runs
     * at once and tells `NotFound`.
     */
    const update = (tenant: Tenant.Tenant, i: Invoice.Invoice) =>
      !sameTenant(tenant, i.tenant) ? touched("Invoice", i.id)([]) : Effect.gen(function*() {
        yield* Storable.checkOrDie([i.notes, i.voidReason], ["invoice"])
        if (i.deletedAt === null && (yield* db.holds(lockKey(i.id))) && (yield* db.defers(tenant))) {
          return yield* db.write(tenant, {
            tables: ["billing.invoices"],
            statement: updateStatement(tenant, i),
            expect: { rows: 1, error: () => new Error(`locked invoice ${i.id} vanished before its update`) }
          })
        }
        yield* db.inTenant(tenant)(Effect.flatMap(SqlState.orDie(updateStatement(tenant, i)), touched("Invoice", i.id)))
      })

    const markOverdue: Port.InvoiceRepository["Service"]["markOverdue"] = (tenant, today, now, limit) =>
      db.inTenant(tenant)(Effect.map(
        SqlState.orDie(sql<InvoiceRow>`
          WITH due AS MATERIALIZED (
            SELECT i.id FROM billing.invoices i WHERE ${live(tenant)} AND i.status = 'Sent' AND i.due_date < ${today}::date
            ORDER BY i.due_date, i.id LIMIT ${Math.max(0, Math.floor(limit))}
            FOR NO KEY UPDATE SKIP LOCKED
          ), changed AS (
            UPDATE billing.invoices i SET status = 'Overdue', updated_at = ${timestamp(now)}
            FROM due d
            WHERE ${live(tenant)} AND i.id = d.id AND i.status = 'Sent'
            RETURNING i.*
          )
          SELECT ${sql.literal(invoiceColumns("c"))} FROM changed c ORDER BY c.due_date, c.id`),
        (rows) => rows.map(toInvoice)
      ))

    // Invoice.reminderDue as SQL: which reminder (if any) is due for the row `i` on ${today}.
    const reminderDue = (today: LocalDate.LocalDate) => sql`CASE
        WHEN i.status = 'Sent' AND ${today}::date < i.due_date THEN
          CASE WHEN i.due_date - 7 <= ${today}::date AND i.issue_date <= i.due_date - 7
                AND NOT ('reminder_7day' = ANY (i.reminders_sent)) THEN 'reminder_7day' END
        WHEN i.status = 'Sent' AND ${today}::date = i.due_date THEN
          CASE WHEN NOT ('reminder_due' = ANY (i.reminders_sent)) THEN 'reminder_due' END
        WHEN i.status IN ('Sent', 'Overdue') AND ${today}::date > i.due_date THEN
          CASE WHEN NOT ('reminder_overdue' = ANY (i.reminders_sent)) THEN 'reminder_overdue' END
      END`

    const claimReminders: Port.InvoiceRepository["Service"]["claimReminders"] = (tenant, today, now, limit) =>
      db.inTenant(tenant)(Effect.map(
        SqlState.orDie(sql<InvoiceRow & { readonly reminder: Invoice.ReminderKind }>`
          WITH picked AS MATERIALIZED (
            SELECT i.id, ${reminderDue(today)} AS reminder FROM billing.invoices i
            WHERE ${live(tenant)} AND i.status IN ('Sent', 'Overdue') AND ${reminderDue(today)} IS NOT NULL
            ORDER BY i.due_date, i.id LIMIT ${Math.max(0, Math.floor(limit))}
            FOR NO KEY UPDATE SKIP LOCKED
          ), changed AS (
            UPDATE billing.invoices i SET reminders_sent = i.reminders_sent || p.reminder, updated_at = ${timestamp(now)}
            FROM picked p
            WHERE ${live(tenant)} AND i.id = p.id
            RETURNING i.*, p.reminder
          )
          SELECT ${sql.literal(invoiceColumns("c"))}, c.reminder FROM changed c ORDER BY c.due_date, c.id`),
        (rows) => rows.map((row) => ({ invoice: toInvoice(row), reminder: row.reminder }))
      ))

    const appendEvents = (tenant: Tenant.Tenant, events: ReadonlyArray<InvoiceEvent.InvoiceEvent>): Effect.Effect<void> => {
      if (events.length === 0) return Effect.void
      const foreign = events.find((e) => !sameTenant(e.tenant, tenant))
      if (foreign !== undefined) return Effect.die(new Error(`InvoiceEvent ${foreign.id} belongs to another tenant than the one given`))
      return Effect.andThen(
        Storable.checkOrDie(events.map((e) => [e.data, e.triggeredBySystem]), ["events"]),
        db.write(tenant, { tables: ["billing.invoice_events"], statement: sql`
          INSERT INTO billing.invoice_events (id, organization_id, workspace_id, invoice_id, event_type, event_data, triggered_by,
            triggered_by_system, created_at)
          SELECT x.id, ${tenant.organizationId}, ${tenant.workspaceId}, x.invoice_id, x.event_type, x.event_data, x.triggered_by,
            x.triggered_by_system, timestamptz 'epoch' + x.at * interval '1 millisecond'
          FROM jsonb_to_recordset(${jsonRows(events.map((e, ord) => ({
            ord, id: e.id, invoice_id: e.invoiceId, event_type: e.type, event_data: e.data, triggered_by: e.triggeredBy,
            triggered_by_system: e.triggeredBySystem, at: e.at
          })))}::jsonb) AS x(ord integer, id uuid, invoice_id uuid, event_type text, event_data jsonb, triggered_by uuid,
            triggered_by_system text, at bigint)
          ORDER BY x.ord` })
      )
    }

    const service: Port.InvoiceRepository["Service"] = {
      insert,
      getForUpdateWithAccount,
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      findByNumber: (tenant, invoiceNumber) =>
        db.inTenant(tenant)(Effect.gen(function*() {
          yield* Storable.checkOrDie(invoiceNumber, ["invoiceNumber"])
          const rows = yield* SqlState.orDie(sql<InvoiceRow>`
            SELECT ${columns} FROM billing.invoices i WHERE ${live(tenant)} AND i.invoice_number = ${invoiceNumber}`)
          return Option.map(Option.fromNullishOr(rows[0]), toInvoice)
        })),
      list: (tenant, query = {}) =>
        db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<InvoiceRow>`
            SELECT ${columns} FROM billing.invoices i WHERE ${live(tenant)}
              ${query.accountId === undefined ? sql`` : sql`AND i.account_id = ${query.accountId}`}
              ${query.status === undefined ? sql`` : sql`AND i.status = ${query.status}`}
            ORDER BY i.created_at, i.id LIMIT ${clampLimit(query.limit)}`),
          (rows) => rows.map(toInvoice)
        )),
      update,
      markOverdue,
      claimReminders,
      appendEvents,
      events: (tenant, invoiceId) =>
        db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<TenantColumns & {
            readonly id: string; readonly invoiceId: string; readonly type: InvoiceEvent.InvoiceEventType; readonly data: unknown
            readonly triggeredBy: string | null; readonly triggeredBySystem: string | null; readonly at: Date
          }>`
            SELECT id, organization_id AS "organizationId", workspace_id AS "workspaceId", invoice_id AS "invoiceId", event_type AS type,
              event_data AS data, triggered_by AS "triggeredBy", triggered_by_system AS "triggeredBySystem", created_at AS at
            FROM billing.invoice_events
            WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND invoice_id = ${invoiceId}
            ORDER BY seq LIMIT 10000`),
          (rows) => rows.map((r) => new InvoiceEvent.InvoiceEvent({
            id: r.id as InvoiceEvent.InvoiceEvent["id"],
            tenant: tenantOf(r),
            invoiceId: r.invoiceId as InvoiceEvent.InvoiceEvent["invoiceId"],
            type: r.type,
            data: r.data as InvoiceEvent.InvoiceEvent["data"],
            triggeredBy: r.triggeredBy as Ids.UserId | null,
            triggeredBySystem: r.triggeredBySystem,
            at: instant(r.at)
          }))
        ))
    }
    return service
  })
)
