/**
 * The rows of an invoice: `billing.invoices` (one mapping, `invoices`, from which its select list,
 * INSERT, UPDATE and decoding come) with its lines in `billing.invoice_items` (read as a `json_agg`
 * sub-select, written once with the invoice by ONE statement; lines never change after insert).
 * Reads see live invoices only (`deleted_at IS NULL`).
 */
import { Result } from "effect"
import { type Ids, type LocalDate, Quantity as Q, type Quantity, type Tenant } from "@erpkit/kernel"
import { Invoice } from "@erpkit/billing"
import type { PgDatabase } from "../Database.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import { jsonRows, rate, type TenantColumns, tenantOf } from "./shared.ts"

interface LineJson {
  readonly description: string
  readonly unit: string
  readonly productId: string | null
  readonly quantity: string
  readonly unitPriceMinor: string
  readonly discountKind: "Amount" | "Percent" | null
  readonly discountAmountMinor: string | null
  readonly discountRateNumerator: string | null
  readonly discountRateDenominator: string | null
  readonly taxRateNumerator: string
  readonly taxRateDenominator: string
  readonly priceIncludesVat: boolean
  readonly amountMinor: string
  readonly discountMinor: string
  readonly taxMinor: string
  readonly totalMinor: string
}

export interface InvoiceRow extends TenantColumns {
  readonly id: string
  readonly accountId: string
  readonly customerId: string
  readonly invoiceNumber: string
  readonly status: Invoice.InvoiceStatus
  readonly currency: string
  readonly issueDate: string
  readonly dueDate: string
  readonly lines: ReadonlyArray<LineJson>
  readonly subtotalMinor: bigint
  readonly discountMinor: bigint
  readonly taxMinor: bigint
  readonly totalMinor: bigint
  readonly amountPaidMinor: bigint
  readonly amountCreditedMinor: bigint
  readonly depositAmountMinor: bigint | null
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

type I = Invoice.Invoice

const reminders = (kinds: ReadonlyArray<Invoice.ReminderKind>): string => kinds.join(",")
const instantColumn = (name: string, value: (i: I) => number | null) =>
  column<I>(name, (i) => toTimestamptzOrNull(value(i)), { cast: "timestamptz" })

/** `billing.invoices` (alias `i`, live rows only). */
export const invoices = TenantTable.make<I, InvoiceRow>({
  table: "billing.invoices",
  alias: "i",
  entity: "Invoice",
  live: "i.deleted_at IS NULL",
  columns: [
    column("id", (i) => i.id, { fixed: true }),
    column("account_id", (i) => i.accountId, { fixed: true }),
    column("customer_id", (i) => i.customerId, { fixed: true }),
    column("invoice_number", (i) => i.invoiceNumber, { fixed: true }),
    column("status", (i) => i.status),
    column("currency", (i) => i.currency, { fixed: true }),
    column("issue_date", (i) => i.issueDate, { cast: "date" }),
    column("due_date", (i) => i.dueDate, { cast: "date" }),
    column("subtotal_minor", (i) => i.subtotalMinor, { fixed: true }),
    column("discount_minor", (i) => i.discountMinor, { fixed: true }),
    column("tax_minor", (i) => i.taxMinor, { fixed: true }),
    column("total_minor", (i) => i.totalMinor, { fixed: true }),
    column("amount_paid_minor", (i) => i.amountPaidMinor),
    column("amount_credited_minor", (i) => i.amountCreditedMinor),
    column("deposit_amount_minor", (i) => i.depositAmountMinor, { cast: "bigint" }),
    instantColumn("deposit_paid_at", (i) => i.depositPaidAt),
    column("credit_hold_id", (i) => i.creditHoldId, { cast: "uuid" }),
    column("reminders_sent", (i) => reminders(i.remindersSent), { wrap: ["string_to_array(", ", ',')"] }),
    column("notes", (i) => i.notes, { cast: "text" }),
    column("void_reason", (i) => i.voidReason, { cast: "text" }),
    column("created_at", (i) => toTimestamptz(i.createdAt), { fixed: true }),
    column("updated_at", (i) => toTimestamptz(i.updatedAt)),
    instantColumn("sent_at", (i) => i.sentAt),
    instantColumn("viewed_at", (i) => i.viewedAt),
    instantColumn("paid_at", (i) => i.paidAt),
    instantColumn("voided_at", (i) => i.voidedAt),
    instantColumn("deleted_at", (i) => i.deletedAt)
  ],
  decode: (row) => toInvoice(row)
})

/** The select list of an invoice with its lines; `a` is the alias of the invoices row. */
export const invoiceColumns = (a: string) => `${invoices.selectList(a)},
  (SELECT coalesce(json_agg(json_build_object(
      'description', it.description, 'unit', it.unit, 'productId', it.product_id, 'quantity', it.quantity::text,
      'unitPriceMinor', it.unit_price_minor::text, 'discountKind', it.discount_kind, 'discountAmountMinor',
        it.discount_amount_minor::text,
      'discountRateNumerator', it.discount_rate_numerator::text, 'discountRateDenominator',
        it.discount_rate_denominator::text,
      'taxRateNumerator', it.tax_rate_numerator::text, 'taxRateDenominator', it.tax_rate_denominator::text,
      'priceIncludesVat', it.price_includes_vat, 'amountMinor', it.amount_minor::text, 'discountMinor',
        it.discount_minor::text,
      'taxMinor', it.tax_minor::text, 'totalMinor', it.total_minor::text) ORDER BY it.line_no), '[]'::json)
    FROM billing.invoice_items it
    WHERE it.invoice_id = ${a}.id AND it.organization_id = ${a}.organization_id
      AND it.workspace_id = ${a}.workspace_id) AS lines`

const toDiscount = (l: LineJson): Invoice.Discount | null =>
  l.discountKind === "Amount"
    ? { _tag: "Amount", amountMinor: BigInt(l.discountAmountMinor!) }
    : l.discountKind === "Percent"
    ? { _tag: "Percent", rate: rate(l.discountRateNumerator!, l.discountRateDenominator!) }
    : null

const toLine = (l: LineJson): Invoice.InvoiceLine =>
  new Invoice.InvoiceLine({
    description: l.description,
    unit: l.unit,
    productId: l.productId as Ids.ProductId | null,
    quantity: Result.getOrThrow(Q.parse(l.quantity)),
    unitPriceMinor: BigInt(l.unitPriceMinor),
    discount: toDiscount(l),
    taxRate: rate(l.taxRateNumerator, l.taxRateDenominator),
    priceIncludesVat: l.priceIncludesVat,
    amountMinor: BigInt(l.amountMinor),
    discountMinor: BigInt(l.discountMinor),
    taxMinor: BigInt(l.taxMinor),
    totalMinor: BigInt(l.totalMinor)
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
    subtotalMinor: row.subtotalMinor,
    discountMinor: row.discountMinor,
    taxMinor: row.taxMinor,
    totalMinor: row.totalMinor,
    amountPaidMinor: row.amountPaidMinor,
    amountCreditedMinor: row.amountCreditedMinor,
    depositAmountMinor: row.depositAmountMinor,
    depositPaidAt: fromTimestamptzOrNull(row.depositPaidAt),
    creditHoldId: row.creditHoldId as Invoice.Invoice["creditHoldId"],
    remindersSent: row.remindersSent,
    notes: row.notes,
    voidReason: row.voidReason,
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt),
    sentAt: fromTimestamptzOrNull(row.sentAt),
    viewedAt: fromTimestamptzOrNull(row.viewedAt),
    paidAt: fromTimestamptzOrNull(row.paidAt),
    voidedAt: fromTimestamptzOrNull(row.voidedAt),
    deletedAt: fromTimestamptzOrNull(row.deletedAt)
  })

const lineRecord = (l: Invoice.InvoiceLine, index: number) => ({
  line_no: index + 1,
  description: l.description,
  unit: l.unit,
  product_id: l.productId,
  quantity: Q.format(l.quantity as Quantity.Quantity),
  unit_price_minor: l.unitPriceMinor,
  discount_kind: l.discount?._tag ?? null,
  discount_amount_minor: l.discount?._tag === "Amount" ? l.discount.amountMinor : null,
  discount_rate_numerator: l.discount?._tag === "Percent" ? l.discount.rate.numerator : null,
  discount_rate_denominator: l.discount?._tag === "Percent" ? l.discount.rate.denominator : null,
  tax_rate_numerator: l.taxRate.numerator,
  tax_rate_denominator: l.taxRate.denominator,
  price_includes_vat: l.priceIncludesVat,
  amount_minor: l.amountMinor,
  discount_minor: l.discountMinor,
  tax_minor: l.taxMinor,
  total_minor: l.totalMinor
})

/** The invoice and its lines, inserted by ONE statement (the lines from `jsonb_to_recordset`). */
export const insertInvoice = (sql: PgDatabase["Service"]["sql"], tenant: Tenant.Tenant, i: I) => sql`
  WITH invoice AS (${invoices.insert(sql, tenant, i)} RETURNING id)
  INSERT INTO billing.invoice_items (invoice_id, line_no, organization_id, workspace_id, description, unit, product_id,
    quantity, unit_price_minor, discount_kind, discount_amount_minor, discount_rate_numerator,
    discount_rate_denominator, tax_rate_numerator, tax_rate_denominator, price_includes_vat, amount_minor,
    discount_minor, tax_minor, total_minor)
  SELECT (SELECT id FROM invoice), x.line_no, ${tenant.organizationId}, ${tenant.workspaceId}, x.description, x.unit,
    x.product_id, x.quantity, x.unit_price_minor, x.discount_kind, x.discount_amount_minor, x.discount_rate_numerator,
    x.discount_rate_denominator, x.tax_rate_numerator, x.tax_rate_denominator, x.price_includes_vat, x.amount_minor,
    x.discount_minor, x.tax_minor, x.total_minor
  FROM jsonb_to_recordset(${
    jsonRows(i.lines.map(lineRecord))
  }::jsonb) AS x(line_no integer, description text, unit text,
    product_id uuid, quantity numeric, unit_price_minor bigint, discount_kind text, discount_amount_minor bigint,
      discount_rate_numerator numeric,
    discount_rate_denominator numeric, tax_rate_numerator numeric, tax_rate_denominator numeric,
      price_includes_vat boolean,
    amount_minor bigint, discount_minor bigint, tax_minor bigint, total_minor bigint)`
