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
import type { Ids } from "@erpkit/kernel"
import { BillingError, Quote, QuoteRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import {
  assertTenant,
  clampLimit,
  duplicateAs,
  jsonRows,
  sameTenant,
  type TenantColumns,
  tenantOf,
  touched
} from "./shared.ts"

interface QuoteRow extends TenantColumns {
  readonly id: string
  readonly accountId: string
  readonly customerId: string
  readonly quoteNumber: string
  readonly status: Quote.QuoteStatus
  readonly currency: string
  readonly subtotalMinor: bigint
  readonly taxMinor: bigint
  readonly totalMinor: bigint
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

/** Lookups by a free-form id string: anything but a UUID matches nothing (and never reaches a uuid cast). */
export const isUuid = (value: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value)

const QuoteLines = Schema.Array(Quote.QuoteLine)
// decoded synchronously: a stored line that does not decode throws inside the read's map, a defect
const decodeLines = Schema.decodeUnknownSync(Schema.toCodecJson(QuoteLines))
const encodeLine = Schema.encodeSync(Schema.toCodecJson(Quote.QuoteLine)) as (line: Quote.QuoteLine) => unknown

const toQuote = (row: QuoteRow): Quote.Quote =>
  new Quote.Quote({
    id: row.id as Quote.Quote["id"],
    tenant: tenantOf(row),
    accountId: row.accountId as Quote.Quote["accountId"],
    customerId: row.customerId as Ids.CustomerId,
    quoteNumber: row.quoteNumber,
    status: row.status,
    currency: row.currency as Quote.Quote["currency"],
    lines: decodeLines(row.lines),
    subtotalMinor: row.subtotalMinor,
    taxMinor: row.taxMinor,
    totalMinor: row.totalMinor,
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

type Q = Quote.Quote
const instantColumn = (name: string, value: (q: Q) => number | null) =>
  column<Q>(name, (q) => toTimestamptzOrNull(value(q)), { cast: "timestamptz" })

/** `billing.quotes` (alias `q`). */
export const quotes = TenantTable.make<Q, QuoteRow>({
  table: "billing.quotes",
  alias: "q",
  entity: "Quote",
  columns: [
    column("id", (q) => q.id, { fixed: true }),
    column("account_id", (q) => q.accountId, { fixed: true }),
    column("customer_id", (q) => q.customerId, { fixed: true }),
    column("quote_number", (q) => q.quoteNumber),
    column("status", (q) => q.status),
    column("currency", (q) => q.currency, { fixed: true }),
    column("subtotal_minor", (q) => q.subtotalMinor, { fixed: true }),
    column("tax_minor", (q) => q.taxMinor, { fixed: true }),
    column("total_minor", (q) => q.totalMinor, { fixed: true }),
    column("expires_at", (q) => toTimestamptz(q.expiresAt)),
    column("notes", (q) => q.notes, { cast: "text" }),
    column("invoice_id", (q) => q.invoiceId, { cast: "uuid" }),
    column("paid_upfront", (q) => q.paidUpfront),
    column("created_at", (q) => toTimestamptz(q.createdAt), { fixed: true }),
    column("updated_at", (q) => toTimestamptz(q.updatedAt)),
    instantColumn("sent_at", (q) => q.sentAt),
    instantColumn("accepted_at", (q) => q.acceptedAt),
    instantColumn("expired_at", (q) => q.expiredAt)
  ],
  decode: (row) => toQuote(row)
})

/** The quote's columns (`p` its alias) and its lines, in line order, as one JSON array. */
const quoteColumns = (p: string) => `${quotes.selectList(p)},
  (SELECT coalesce(json_agg(json_build_object('request', l.request, 'price', l.price, 'line', l.line)
   ORDER BY l.line_no), '[]'::json) FROM billing.quote_lines l
   WHERE l.organization_id = ${p}.organization_id AND l.workspace_id = ${p}.workspace_id
     AND l.quote_id = ${p}.id) AS lines`

type Db = PgDatabase["Service"]
type Service = Port.QuoteRepository["Service"]

/** The quote and its lines, inserted by ONE statement (a CTE over `jsonb_to_recordset`). */
const insert = (db: Db): Service["insert"] => (tenant, q) =>
  db.inTenant(tenant)(Effect.gen(function*() {
    yield* assertTenant("Quote", q.id, tenant, q.tenant)
    yield* Storable.checkOrDie([q.quoteNumber, q.notes, q.lines], ["quote"])
    const lines = jsonRows(
      q.lines.map((line, i) => ({ line_no: i + 1, ...(encodeLine(line) as Record<string, unknown>) }))
    )
    yield* duplicateAs("quotes_number_key", () => new BillingError.QuoteNumberTaken({ quoteNumber: q.quoteNumber }))(
      db.sql`
      WITH quote AS (${quotes.insert(db.sql, tenant, q)} RETURNING id, organization_id, workspace_id)
      INSERT INTO billing.quote_lines (quote_id, line_no, organization_id, workspace_id, request, price, line)
      SELECT quote.id, x.line_no, quote.organization_id, quote.workspace_id, x.request, x.price, x.line
      FROM quote, jsonb_to_recordset(${lines}::jsonb) AS x(line_no integer, request jsonb, price jsonb, line jsonb)
      ORDER BY x.line_no`
    )
  }))

/**
 * BIL-QUO-02: Draft/Sent quotes past `expires_at` become Expired (at most `limit`, earliest first), each before and
 * after.
 */
const expire = (db: Db): Service["expire"] => (tenant, now, limit) => {
  const sql = db.sql
  return db.inTenant(tenant)(Effect.map(
    SqlState.orDie(
      sql<
        QuoteRow & {
          readonly oldStatus: QuoteRow["status"]
          readonly oldUpdatedAt: Date
          readonly oldExpiredAt: Date | null
        }
      >`
      WITH due AS MATERIALIZED (
        SELECT q.id, q.status AS old_status, q.updated_at AS old_updated_at, q.expired_at AS old_expired_at
          FROM billing.quotes q
        WHERE ${quotes.scope(sql, tenant)} AND q.status IN ('Draft', 'Sent') AND q.expires_at <= ${toTimestamptz(now)}
        ORDER BY q.expires_at, q.id LIMIT ${Math.max(0, Math.floor(limit))}
        FOR NO KEY UPDATE SKIP LOCKED
      ), expired AS (
        UPDATE billing.quotes q SET status = 'Expired', expired_at = ${toTimestamptz(now)}, updated_at = ${
          toTimestamptz(now)
        }
        FROM due d
        WHERE q.id = d.id AND ${quotes.scope(sql, tenant)} AND q.status IN ('Draft', 'Sent')
        RETURNING q.*, d.old_status, d.old_updated_at, d.old_expired_at
      )
      SELECT ${
        sql.literal(quoteColumns("q"))
      }, q.old_status AS "oldStatus", q.old_updated_at AS "oldUpdatedAt", q.old_expired_at AS "oldExpiredAt"
      FROM expired q ORDER BY q.expires_at, q.id`
    ),
    // the UPDATE sets only these columns: the quote before is the one after with their old values
    (rows) =>
      rows.map((row) => ({
        before: toQuote({ ...row, status: row.oldStatus, updatedAt: row.oldUpdatedAt, expiredAt: row.oldExpiredAt }),
        after: toQuote(row)
      }))
  ))
}

const list = (db: Db): Service["list"] => (tenant, query = {}) => {
  const sql = db.sql
  return query.accountId !== undefined && !isUuid(query.accountId) ?
    Effect.succeed([]) :
    db.inTenant(tenant)(
      Effect.map(
        SqlState.orDie(
          sql<QuoteRow>`SELECT ${sql.literal(quoteColumns("q"))} FROM billing.quotes q WHERE ${
            quotes.scope(sql, tenant)
          }
      ${
        query.accountId ===
          undefined
          ? sql``
          : sql`AND q.account_id = ${query.accountId}`
      }
      ${
        query.status ===
          undefined
          ? sql``
          : sql`AND q.status = ${query.status}`
      }
      ORDER BY q.created_at, q.id LIMIT ${clampLimit(query.limit)}`
        ),
        (rows) => rows.map(toQuote)
      )
    )
}

export const layer = Layer.effect(
  Port.QuoteRepository,
  Effect.map(PgDatabase, (db): Service => {
    const select = TenantTable.get(db, { ...quotes, selectList: (alias = quotes.alias) => quoteColumns(alias) })
    return {
      insert: insert(db),
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      update: (tenant, q) =>
        sameTenant(tenant, q.tenant)
          ? Effect.andThen(
            Storable.checkOrDie([q.quoteNumber, q.notes], ["quote"]),
            TenantTable.updateLocked(db, quotes, tenant, q.id, quotes.update(db.sql, tenant, q.id, q), false)
          )
          : touched("Quote", q.id)([]),
      list: list(db),
      expire: expire(db)
    }
  })
)
