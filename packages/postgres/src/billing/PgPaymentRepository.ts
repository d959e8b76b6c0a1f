/**
 * `PaymentRepository` on `billing.payments`. The exchange rate is kept exactly as a fraction
 * (`exchange_rate_numerator` / `_denominator`, with `exchange_rate` as a generated decimal column).
 * `getForUpdate` is `SELECT … FOR NO KEY UPDATE` (a payment is locked after its invoice).
 */
import { Effect, Layer } from "effect"
import { type Ids, type LocalDate, type Tenant } from "@erpkit/kernel"
import { Payment, PaymentRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { assertTenant, defaultListLimit, rate, sameTenant, single, type TenantColumns, tenantOf, touched } from "./shared.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"

interface PaymentRow extends TenantColumns {
  readonly id: string
  readonly invoiceId: string
  readonly accountId: string
  readonly customerId: string
  readonly amount: bigint
  readonly currency: string
  readonly rateNumerator: string
  readonly rateDenominator: string
  readonly baseAmount: bigint
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

const paymentColumns = `id, organization_id AS "organizationId", workspace_id AS "workspaceId", invoice_id AS "invoiceId",
  account_id AS "accountId", customer_id AS "customerId", amount, currency, exchange_rate_numerator::text AS "rateNumerator",
  exchange_rate_denominator::text AS "rateDenominator", base_amount AS "baseAmount", base_currency AS "baseCurrency",
  payment_method AS method, status, from_wallet AS "fromWallet", payment_date AS "paymentDate", reference_number AS reference,
  created_at AS "createdAt", updated_at AS "updatedAt", completed_at AS "completedAt"`

export const toPayment = (row: PaymentRow): Payment.Payment =>
  new Payment.Payment({
    id: row.id as Payment.Payment["id"],
    tenant: tenantOf(row),
    invoiceId: row.invoiceId as Payment.Payment["invoiceId"],
    accountId: row.accountId as Payment.Payment["accountId"],
    customerId: row.customerId as Ids.CustomerId,
    amountMinor: row.amount,
    currency: row.currency as Payment.Payment["currency"],
    exchangeRate: rate(row.rateNumerator, row.rateDenominator),
    baseAmountMinor: row.baseAmount,
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

export const layer = Layer.effect(
  Port.PaymentRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const columns = sql.literal(paymentColumns)
    const select = (tenant: Tenant.Tenant, id: string, lock: boolean) =>
      db.inTenant(tenant)(Effect.flatMap(
        SqlState.orDie(sql<PaymentRow>`SELECT ${columns} FROM billing.payments
          WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND id = ${id}
          ${lock ? sql`FOR NO KEY UPDATE` : sql``}`),
        (rows) => Effect.map(single<PaymentRow>("Payment", id)(rows), toPayment)
      ))

    const service: Port.PaymentRepository["Service"] = {
      insert: (tenant, p) =>
        Effect.gen(function*() {
          yield* assertTenant("Payment", p.id, tenant, p.tenant)
          yield* Storable.checkOrDie(p.reference, ["reference"])
          yield* db.write(tenant, { tables: ["billing.payments"], statement: sql`
            INSERT INTO billing.payments (id, organization_id, workspace_id, invoice_id, account_id, customer_id, amount, currency,
              exchange_rate_numerator, exchange_rate_denominator, base_amount, base_currency, payment_method, status, from_wallet,
              payment_date, reference_number, created_at, updated_at, completed_at)
            VALUES (${p.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${p.invoiceId}, ${p.accountId}, ${p.customerId}, ${p.amountMinor},
              ${p.currency}, ${p.exchangeRate.numerator.toString()}::numeric, ${p.exchangeRate.denominator.toString()}::numeric,
              ${p.baseAmountMinor}, ${p.baseCurrency}, ${p.method}, ${p.status}, ${p.fromWallet}, ${p.paymentDate}::date,
              ${p.reference}::text, ${toTimestamptz(p.createdAt)}, ${toTimestamptz(p.updatedAt)}, ${toTimestamptzOrNull(p.completedAt)}::timestamptz)` })
        }),
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      update: (tenant, p) =>
        !sameTenant(tenant, p.tenant) ? touched("Payment", p.id)([]) : db.inTenant(tenant)(Effect.gen(function*() {
          yield* Storable.checkOrDie(p.reference, ["reference"])
          const rows = yield* SqlState.orDie(sql`
            UPDATE billing.payments SET amount = ${p.amountMinor}, currency = ${p.currency},
              exchange_rate_numerator = ${p.exchangeRate.numerator.toString()}::numeric,
              exchange_rate_denominator = ${p.exchangeRate.denominator.toString()}::numeric, base_amount = ${p.baseAmountMinor},
              base_currency = ${p.baseCurrency}, payment_method = ${p.method}, status = ${p.status}, from_wallet = ${p.fromWallet},
              payment_date = ${p.paymentDate}::date, reference_number = ${p.reference}::text, updated_at = ${toTimestamptz(p.updatedAt)},
              completed_at = ${toTimestamptzOrNull(p.completedAt)}::timestamptz
            WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND id = ${p.id}
            RETURNING id`)
          yield* touched("Payment", p.id)(rows)
        })),
      listByInvoice: (tenant, invoiceId) =>
        db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<PaymentRow>`SELECT ${columns} FROM billing.payments
            WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND invoice_id = ${invoiceId}
            ORDER BY created_at, id LIMIT ${defaultListLimit}`),
          (rows) => rows.map(toPayment)
        ))
    }
    return service
  })
)
