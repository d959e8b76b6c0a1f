/**
 * `InvoiceRepository` on `billing.invoices`, `billing.invoice_items` and the append-only
 * `billing.invoice_events` (rows: `InvoiceRows.ts`; jobs: `InvoiceSweeps.ts`; event log: `InvoiceEvents.ts`).
 *
 * - An invoice is read with its lines in ONE statement (the lines as a `json_agg` sub-select), and
 *   inserted with its lines in ONE statement (a CTE). Lines never change after insert (every domain
 *   transition keeps them; the table is append-only), so `update` writes the invoice row only.
 * - `getForUpdate` is `SELECT … FOR NO KEY UPDATE` on the invoice row (the first lock of every command).
 * - Reads see live invoices only (`deleted_at IS NULL`); the invoice number is unique among them
 *   (partial unique index `invoices_number_live_key` → `InvoiceNumberTaken`).
 */
import { Effect, Layer, Option } from "effect"
import type { Tenant } from "@erpkit/kernel"
import { BillingError, type Invoice, InvoiceRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import * as InvoiceEvents from "./InvoiceEvents.ts"
import { insertInvoice, invoiceColumns, type InvoiceRow, invoices, toInvoice } from "./InvoiceRows.ts"
import * as InvoiceSweeps from "./InvoiceSweeps.ts"
import { accountColumnsAs, accountLockKey, toAccountAs } from "./PgClientAccountRepository.ts"
import { assertTenant, clampLimit, duplicateAs, sameTenant, single, touched } from "./shared.ts"

export { invoiceColumns, toInvoice } from "./InvoiceRows.ts"

/** The texts a row carries, checked for NUL before any SQL (ports without an error channel die). */
const texts = (
  i: Invoice.Invoice
) => [i.invoiceNumber, i.notes, i.voidReason, i.lines.map((l) => [l.description, l.unit])]

type Service = Port.InvoiceRepository["Service"]

/** The invoice and its account, locked in that order by ONE statement (`getForUpdateWithAccount`). */
const getForUpdateWithAccount = (db: PgDatabase["Service"]): Service["getForUpdateWithAccount"] => {
  const sql = db.sql
  const columns = sql.literal(`${invoiceColumns("i")}, ${accountColumnsAs("a", "account.")}`)
  return (tenant, id) =>
    db.inTenant(tenant)(Effect.flatMap(
      SqlState.orDie(sql<InvoiceRow>`SELECT ${columns} FROM billing.invoices i
        JOIN billing.client_accounts a ON a.organization_id = i.organization_id AND a.workspace_id = i.workspace_id
          AND a.id = i.account_id
        WHERE ${invoices.scope(sql, tenant)} AND i.id = ${id}
        FOR NO KEY UPDATE OF i, a`),
      (rows) => Effect.flatMap(single<InvoiceRow>("Invoice", id)(rows), (row) => {
        const invoice = toInvoice(row)
        return Effect.as(
          Effect.andThen(db.lock(invoices.lockKey(invoice.id)), db.lock(accountLockKey(invoice.accountId))),
          { invoice, account: toAccountAs(row as unknown as Record<string, unknown>, "account.") }
        )
      })
    ))
}

/**
 * A live invoice this transaction has locked (`getForUpdate`) certainly exists, so its update is
 * deferred and travels with the command's next statement (`TenantTable.updateLocked`); otherwise, and
 * for a soft delete, it runs at once and tells `NotFound`.
 */
const update = (db: PgDatabase["Service"]): Service["update"] => (tenant, i) =>
  !sameTenant(tenant, i.tenant)
    ? touched("Invoice", i.id)([])
    : Effect.andThen(
      Storable.checkOrDie([i.notes, i.voidReason], ["invoice"]),
      TenantTable.updateLocked(
        db,
        invoices,
        tenant,
        i.id,
        invoices.update(db.sql, tenant, i.id, i),
        i.deletedAt === null
      )
    )

const insert = (db: PgDatabase["Service"]): Service["insert"] => (tenant, i) =>
  db.inTenant(tenant)(Effect.gen(function*() {
    yield* assertTenant("Invoice", i.id, tenant, i.tenant)
    yield* Storable.checkOrDie(texts(i), ["invoice"])
    yield* duplicateAs(
      "invoices_number_live_key",
      () => new BillingError.InvoiceNumberTaken({ invoiceNumber: i.invoiceNumber })
    )(insertInvoice(db.sql, tenant, i))
  }))

/** Live invoices of an account and/or status, in creation order, at most `limit`. */
const list = (db: PgDatabase["Service"]): Service["list"] => {
  const sql = db.sql
  const columns = sql.literal(invoiceColumns("i"))
  return (tenant: Tenant.Tenant, query = {}) =>
    db.inTenant(tenant)(Effect.map(
      SqlState.orDie(sql<InvoiceRow>`
        SELECT ${columns} FROM billing.invoices i WHERE ${invoices.scope(sql, tenant)}
          ${query.accountId === undefined ? sql`` : sql`AND i.account_id = ${query.accountId}`}
          ${query.status === undefined ? sql`` : sql`AND i.status = ${query.status}`}
        ORDER BY i.created_at, i.id LIMIT ${clampLimit(query.limit)}`),
      (rows) => rows.map(toInvoice)
    ))
}

const findByNumber = (db: PgDatabase["Service"]): Service["findByNumber"] => {
  const sql = db.sql
  const columns = sql.literal(invoiceColumns("i"))
  return (tenant, invoiceNumber) =>
    db.inTenant(tenant)(Effect.gen(function*() {
      yield* Storable.checkOrDie(invoiceNumber, ["invoiceNumber"])
      const rows = yield* SqlState.orDie(sql<InvoiceRow>`
        SELECT ${columns} FROM billing.invoices i WHERE ${
          invoices.scope(sql, tenant)
        } AND i.invoice_number = ${invoiceNumber}`)
      return Option.map(Option.fromNullishOr(rows[0]), toInvoice)
    }))
}

export const layer = Layer.effect(
  Port.InvoiceRepository,
  Effect.map(PgDatabase, (db): Service => {
    const select = TenantTable.get(db, { ...invoices, selectList: (alias = invoices.alias) => invoiceColumns(alias) })
    return {
      insert: insert(db),
      getForUpdateWithAccount: getForUpdateWithAccount(db),
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      findByNumber: findByNumber(db),
      list: list(db),
      update: update(db),
      markOverdue: InvoiceSweeps.markOverdue(db),
      claimReminders: InvoiceSweeps.claimReminders(db),
      appendEvents: InvoiceEvents.appendEvents(db),
      events: InvoiceEvents.events(db)
    }
  })
)
