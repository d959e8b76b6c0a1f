/**
 * `PaymentRepository` on `billing.payments`. The exchange rate is kept exactly as a fraction
 * (`exchange_rate_numerator` / `_denominator`, with `exchange_rate` as a generated decimal column).
 * `getForUpdate` is `SELECT … FOR NO KEY UPDATE` (a payment is locked after its invoice).
 */
import { Effect, Layer } from "effect"
import type { Ids, LocalDate } from "@erpkit/kernel"
import { Payment, PaymentRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import { assertTenant, defaultListLimit, rate, sameTenant, type TenantColumns, tenantOf, touched } from "./shared.ts"

interface PaymentRow extends TenantColumns {
  readonly id: string
  readonly invoiceId: string
  readonly accountId: string
  readonly customerId: string
  readonly amountMinor: bigint
  readonly currency: string
  readonly rateNumerator: string
  readonly rateDenominator: string
  readonly baseAmountMinor: bigint
  readonly baseCurrency: string
  readonly method: Payment.PaymentMethod
  readonly status: Payment.PaymentStatus
  readonly fromWallet: boolean
  readonly paymentDate: string
  readonly reference: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly completedAt: Date | null
}

export const toPayment = (row: PaymentRow): Payment.Payment =>
  new Payment.Payment({
    id: row.id as Payment.Payment["id"],
    tenant: tenantOf(row),
    invoiceId: row.invoiceId as Payment.Payment["invoiceId"],
    accountId: row.accountId as Payment.Payment["accountId"],
    customerId: row.customerId as Ids.CustomerId,
    amountMinor: row.amountMinor,
    currency: row.currency as Payment.Payment["currency"],
    exchangeRate: rate(row.rateNumerator, row.rateDenominator),
    baseAmountMinor: row.baseAmountMinor,
    baseCurrency: row.baseCurrency as Payment.Payment["baseCurrency"],
    method: row.method,
    status: row.status,
    fromWallet: row.fromWallet,
    paymentDate: row.paymentDate as LocalDate.LocalDate,
    reference: row.reference,
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt),
    completedAt: fromTimestamptzOrNull(row.completedAt)
  })

type P = Payment.Payment

/** `billing.payments` (alias `p`). */
export const payments = TenantTable.make<P, PaymentRow>({
  table: "billing.payments",
  alias: "p",
  entity: "Payment",
  columns: [
    column("id", (p) => p.id, { fixed: true }),
    column("invoice_id", (p) => p.invoiceId, { fixed: true }),
    column("account_id", (p) => p.accountId, { fixed: true }),
    column("customer_id", (p) => p.customerId, { fixed: true }),
    column("amount_minor", (p) => p.amountMinor),
    column("currency", (p) => p.currency),
    column("exchange_rate_numerator", (p) => p.exchangeRate.numerator.toString(), {
      cast: "numeric",
      readAs: "text",
      field: "rateNumerator"
    }),
    column("exchange_rate_denominator", (p) => p.exchangeRate.denominator.toString(), {
      cast: "numeric",
      readAs: "text",
      field: "rateDenominator"
    }),
    column("base_amount_minor", (p) => p.baseAmountMinor),
    column("base_currency", (p) => p.baseCurrency),
    column("method", (p) => p.method),
    column("status", (p) => p.status),
    column("from_wallet", (p) => p.fromWallet),
    column("payment_date", (p) => p.paymentDate, { cast: "date" }),
    column("reference", (p) => p.reference, { cast: "text" }),
    column("created_at", (p) => toTimestamptz(p.createdAt), { fixed: true }),
    column("updated_at", (p) => toTimestamptz(p.updatedAt)),
    column("completed_at", (p) => toTimestamptzOrNull(p.completedAt), { cast: "timestamptz" })
  ],
  decode: (row) => toPayment(row)
})

type Service = Port.PaymentRepository["Service"]

export const layer = Layer.effect(
  Port.PaymentRepository,
  Effect.map(PgDatabase, (db): Service => {
    const sql = db.sql
    const select = TenantTable.get(db, payments)
    return {
      // a new payment: nobody waits for its INSERT, which is deferred (PgDatabase.write)
      insert: (tenant, p) =>
        Effect.gen(function*() {
          yield* assertTenant("Payment", p.id, tenant, p.tenant)
          yield* Storable.checkOrDie(p.reference, ["reference"])
          yield* db.write(tenant, { tables: ["billing.payments"], statement: payments.insert(sql, tenant, p) })
        }),
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      update: (tenant, p) =>
        !sameTenant(tenant, p.tenant) ?
          touched("Payment", p.id)([]) :
          Effect.andThen(
            Storable.checkOrDie(p.reference, ["reference"]),
            TenantTable.updateLocked(db, payments, tenant, p.id, payments.update(sql, tenant, p.id, p), false)
          ),
      listByInvoice: (tenant, invoiceId) =>
        db.inTenant(tenant)(
          Effect.map(
            SqlState.orDie(sql<PaymentRow>`SELECT ${sql.literal(payments.selectList())} FROM billing.payments p
            WHERE ${payments.scope(sql, tenant)} AND p.invoice_id = ${invoiceId}
            ORDER BY p.created_at, p.id LIMIT ${defaultListLimit}`),
            (rows) => rows.map(toPayment)
          )
        )
    }
  })
)
