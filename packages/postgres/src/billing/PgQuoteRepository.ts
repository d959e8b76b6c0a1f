/**
 * `QuoteRepository` on `billing.quotes` and the append-only `billing.quote_lines` (per line: the
 * request, the engine's price when the quote was created, i.e. the snapshot, and the invoice line it
 * becomes, each in the domain's JSON encoding, so they round-trip exactly).
 *
 * - A quote is read with its lines in one statement (a `json_agg` sub-select) and inserted with them in
 *   one statement (a CTE over `jsonb_to_recordset`). Lines never change, so `update` writes the quote row.
 * - `insert` maps `quotes_number_key` (23505) to `QuoteNumberTaken`.
 * - `expire` (BIL-QUO-02) is ONE statement: a `MATERIALIZED` CTE picks Draft/Sent quotes with
 *   `expires_at <= $now`, earliest first, at most `limit`, `FOR NO KEY UPDATE SKIP LOCKED`, and the
 *   UPDATE returns them in that order.
 */
import { Effect, Layer, Schema } from "effect"
import { type Ids, type Tenant } from "@erpkit/kernel"
import { BillingError, Quote, QuoteRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { assertTenant, clampLimit, duplicateAs, jsonRows, sameTenant, single, type TenantColumns, tenantOf, touched } from "./shared.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import { decodeJson } from "./PgRateCardRepository.ts"

interface QuoteRow extends TenantColumns {
  readonly id: string
  readonly accountId: string
  readonly customerId: string
  readonly quoteNumber: string
  readonly status: Quote.QuoteStatus
  readonly currency: string
  readonly subtotal: bigint
  readonly tax: bigint
  readonly totalAmount: bigint
  readonly expiresAt: Date
  readonly notes: string | null
  readonly invoiceId: string | null
  readonly paidUpfront: boolean
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly sentAt: Date | null
  readonly acceptedAt: Date | null
  readonly expiredAt: Date | null
  readonly lines: unknown
}

/** The quote's columns (`p` its alias) and its lines, in line order, as one JSON array. */
const quoteColumns = (p: string) => `${p}.id, ${p}.organization_id AS "organizationId", ${p}.workspace_id AS "workspaceId",
  ${p}.account_id AS "accountId", ${p}.customer_id AS "customerId", ${p}.quote_number AS "quoteNumber", ${p}.status, ${p}.currency,
  ${p}.subtotal, ${p}.tax, ${p}.total_amount AS "totalAmount", ${p}.expires_at AS "expiresAt", ${p}.notes, ${p}.invoice_id AS "invoiceId",
  ${p}.paid_upfront AS "paidUpfront", ${p}.created_at AS "createdAt", ${p}.updated_at AS "updatedAt", ${p}.sent_at AS "sentAt",
  ${p}.accepted_at AS "acceptedAt", ${p}.expired_at AS "expiredAt",
  (SELECT coalesce(json_agg(json_build_object('request', l.request, 'price', l.price, 'line', l.line) ORDER BY l.line_no), '[]'::json)
   FROM billing.quote_lines l
   WHERE l.organization_id = ${p}.organization_id AND l.workspace_id = ${p}.workspace_id AND l.quote_id = ${p}.id) AS lines`

/** Lookups by a free-form id string: anything but a UUID matches nothing (and never reaches a uuid cast). */
export const isUuid = (value: string): boolean => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)

const QuoteLines = Schema.Array(Quote.QuoteLine)
const decodeLines = decodeJson(QuoteLines)
const encodeLine = Schema.encodeSync(Schema.toCodecJson(Quote.QuoteLine)) as (line: Quote.QuoteLine) => unknown

const toQuote = (row: QuoteRow): Effect.Effect<Quote.Quote> =>
  Effect.flatMap(decodeLines(row.lines), (lines) =>
    Effect.sync(() =>
      new Quote.Quote({
        id: row.id as Quote.Quote["id"],
        tenant: tenantOf(row),
        accountId: row.accountId as Quote.Quote["accountId"],
        customerId: row.customerId as Ids.CustomerId,
        quoteNumber: row.quoteNumber,
        status: row.status,
        currency: row.currency as Quote.Quote["currency"],
        lines,
        subtotalMinor: row.subtotal,
        taxMinor: row.tax,
        totalMinor: row.totalAmount,
        expiresAt: fromTimestamptz(row.expiresAt),
        notes: row.notes,
        invoiceId: row.invoiceId as Quote.Quote["invoiceId"],
        paidUpfront: row.paidUpfront,
        createdAt: fromTimestamptz(row.createdAt),
        updatedAt: fromTimestamptz(row.updatedAt),
        sentAt: fromTimestamptzOrNull(row.sentAt),
        acceptedAt: fromTimestamptzOrNull(row.acceptedAt),
        expiredAt: fromTimestamptzOrNull(row.expiredAt)
      })
    ))

export const layer = Layer.effect(
  Port.QuoteRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const columns = sql.literal(quoteColumns("q"))
    const scope = (tenant: Tenant.Tenant) => sql`q.organization_id = ${tenant.organizationId} AND q.workspace_id = ${tenant.workspaceId}`
    const many = (rows: ReadonlyArray<QuoteRow>) => Effect.forEach(rows, toQuote)
    const select = (tenant: Tenant.Tenant, id: string, lock: boolean) =>
      db.inTenant(tenant)(Effect.flatMap(
        SqlState.orDie(sql<QuoteRow>`SELECT ${columns} FROM billing.quotes q WHERE ${scope(tenant)} AND q.id = ${id}
          ${lock ? sql`FOR NO KEY UPDATE OF q` : sql``}`),
        (rows) => Effect.flatMap(single<QuoteRow>("Quote", id)(rows), toQuote)
      ))

    const service: Port.QuoteRepository["Service"] = {
      insert: (tenant, q) =>
        db.inTenant(tenant)(Effect.gen(function*() {
          yield* assertTenant("Quote", q.id, tenant, q.tenant)
          yield* Storable.checkOrDie([q.quoteNumber, q.notes, q.lines], ["quote"])
          const lines = jsonRows(q.lines.map((line, i) => ({ line_no: i + 1, ...(encodeLine(line) as Record<string, unknown>) })))
          yield* duplicateAs("quotes_number_key", () => new BillingError.QuoteNumberTaken({ quoteNumber: q.quoteNumber }))(sql`
            WITH quote AS (
              INSERT INTO billing.quotes (id, organization_id, workspace_id, account_id, customer_id, quote_number, status, currency, subtotal,
                tax, total_amount, expires_at, notes, invoice_id, paid_upfront, created_at, updated_at, sent_at, accepted_at, expired_at)
              VALUES (${q.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${q.accountId}, ${q.customerId}, ${q.quoteNumber}, ${q.status},
                ${q.currency}, ${q.subtotalMinor}, ${q.taxMinor}, ${q.totalMinor}, ${toTimestamptz(q.expiresAt)}, ${q.notes}::text,
                ${q.invoiceId}::uuid, ${q.paidUpfront}, ${toTimestamptz(q.createdAt)}, ${toTimestamptz(q.updatedAt)},
                ${toTimestamptzOrNull(q.sentAt)}::timestamptz, ${toTimestamptzOrNull(q.acceptedAt)}::timestamptz, ${toTimestamptzOrNull(q.expiredAt)}::timestamptz)
              RETURNING id, organization_id, workspace_id
            )
            INSERT INTO billing.quote_lines (quote_id, line_no, organization_id, workspace_id, request, price, line)
            SELECT quote.id, x.line_no, quote.organization_id, quote.workspace_id, x.request, x.price, x.line
            FROM quote, jsonb_to_recordset(${lines}::jsonb) AS x(line_no integer, request jsonb, price jsonb, line jsonb)
            ORDER BY x.line_no`)
        })),
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      update: (tenant, q) =>
        sameTenant(tenant, q.tenant)
          ? db.inTenant(tenant)(Effect.gen(function*() {
            yield* Storable.checkOrDie([q.quoteNumber, q.notes], ["quote"])
            const rows = yield* SqlState.orDie(sql`
              UPDATE billing.quotes SET quote_number = ${q.quoteNumber}, status = ${q.status}, expires_at = ${toTimestamptz(q.expiresAt)},
                notes = ${q.notes}::text, invoice_id = ${q.invoiceId}::uuid, paid_upfront = ${q.paidUpfront}, updated_at = ${toTimestamptz(q.updatedAt)},
                sent_at = ${toTimestamptzOrNull(q.sentAt)}::timestamptz, accepted_at = ${toTimestamptzOrNull(q.acceptedAt)}::timestamptz,
                expired_at = ${toTimestamptzOrNull(q.expiredAt)}::timestamptz
              WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND id = ${q.id}
              RETURNING id`)
            yield* touched("Quote", q.id)(rows)
          }))
          : touched("Quote", q.id)([]),
      list: (tenant, query = {}) =>
        query.accountId !== undefined && !isUuid(query.accountId) ? Effect.succeed([]) : db.inTenant(tenant)(Effect.flatMap(
          SqlState.orDie(sql<QuoteRow>`SELECT ${columns} FROM billing.quotes q WHERE ${scope(tenant)}
            ${query.accountId === undefined ? sql`` : sql`AND q.account_id = ${query.accountId}`}
            ${query.status === undefined ? sql`` : sql`AND q.status = ${query.status}`}
            ORDER BY q.created_at, q.id LIMIT ${clampLimit(query.limit)}`),
          many
        )),
      expire: (tenant, now, limit) =>
        db.inTenant(tenant)(Effect.flatMap(
          SqlState.orDie(sql<QuoteRow>`
            WITH due AS MATERIALIZED (
              SELECT id FROM billing.quotes
              WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId}
                AND status IN ('Draft', 'Sent') AND expires_at <= ${toTimestamptz(now)}
              ORDER BY expires_at, id LIMIT ${Math.max(0, Math.floor(limit))}
              FOR NO KEY UPDATE SKIP LOCKED
            ), expired AS (
              UPDATE billing.quotes x SET status = 'Expired', expired_at = ${toTimestamptz(now)}, updated_at = ${toTimestamptz(now)}
              FROM due d
              WHERE x.id = d.id AND x.organization_id = ${tenant.organizationId} AND x.workspace_id = ${tenant.workspaceId}
                AND x.status IN ('Draft', 'Sent')
              RETURNING x.*
            )
            SELECT ${columns} FROM expired q ORDER BY q.expires_at, q.id`),
          many
        ))
    }
    return service
  })
)
