/**
 * Port: quotes (with their priced lines and snapshots). Lock order: a quote is the first row
 * `acceptQuote` locks, before the invoice it creates and the client account.
 */
import { type Errors, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer, Option, Result } from "effect"
import { QuoteNumberTaken } from "./BillingError.ts"
import type { QuoteId } from "./Ids.ts"
import { defaultListLimit, sortBy, tables, tenantTable } from "./internal/memory.ts"
import * as Quote from "./Quote.ts"
import type { Changed } from "./Values.ts"

export interface QuoteQuery {
  readonly accountId?: string
  readonly status?: Quote.QuoteStatus
  /** At most this many, oldest first (createdAt, then id); default 1000. */
  readonly limit?: number
}

export class QuoteRepository extends Context.Service<QuoteRepository, {
  /**
   * Adds a quote; another quote of the tenant with the same number is `QuoteNumberTaken` (unique (tenant,
   * quote_number)).
   */
  readonly insert: (tenant: Tenant.Tenant, quote: Quote.Quote) => Effect.Effect<void, QuoteNumberTaken>
  readonly get: (tenant: Tenant.Tenant, id: QuoteId) => Effect.Effect<Quote.Quote, Errors.NotFound>
  /** Like `get`, and locks the row until the unit of work ends (Postgres `FOR UPDATE`); memory: plain get. */
  readonly getForUpdate: (tenant: Tenant.Tenant, id: QuoteId) => Effect.Effect<Quote.Quote, Errors.NotFound>
  readonly update: (tenant: Tenant.Tenant, quote: Quote.Quote) => Effect.Effect<void, Errors.NotFound>
  readonly list: (tenant: Tenant.Tenant, query?: QuoteQuery) => Effect.Effect<ReadonlyArray<Quote.Quote>>
  /**
   * The `expireQuotes` job (BIL-QUO-02) as ONE set-based operation: every quote with
   * `Quote.isExpired(quote, now)` (Draft or Sent, expiresAt ≤ now), at most `limit`, earliest expiry
   * first, becomes Expired (`expiredAt = updatedAt = now`); returns the changed quotes, before and after. Postgres:
   * `UPDATE quotes SET status = 'Expired', … WHERE id IN (SELECT id … WHERE status IN ('Draft','Sent')
   * AND expires_at <= $now ORDER BY expires_at, id LIMIT $limit FOR UPDATE SKIP LOCKED) RETURNING *`.
   */
  readonly expire: (
    tenant: Tenant.Tenant,
    now: number,
    limit: number
  ) => Effect.Effect<ReadonlyArray<Changed<Quote.Quote>>>
}>()("@erpkit/billing/QuoteRepository") {
  static readonly layerMemory = Layer.effect(
    QuoteRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = tenantTable<Quote.Quote>(store, tables.quotes, "Quote")
      return {
        insert: (tenant, quote) =>
          rows.transaction(
            Effect.flatMap(
              rows.find(tenant, (q) => q.quoteNumber === quote.quoteNumber),
              (existing) =>
                Option.isSome(Option.fromNullishOr(existing[0]))
                  ? Effect.fail(new QuoteNumberTaken({ quoteNumber: quote.quoteNumber }))
                  : rows.insert(tenant, quote)
            )
          ),
        get: rows.get,
        getForUpdate: rows.get,
        update: rows.update,
        list: (tenant, query = {}) =>
          Effect.map(
            rows.find(
              tenant,
              (q) =>
                (query.accountId === undefined || q.accountId === query.accountId) &&
                (query.status === undefined || q.status === query.status)
            ),
            (found) => sortBy(found, (q) => q.createdAt).slice(0, query.limit ?? defaultListLimit)
          ),
        expire: (tenant, now, limit) =>
          store.transaction(Effect.gen(function*() {
            const due = sortBy(yield* rows.find(tenant, (q) => Quote.isExpired(q, now)), (q) => q.expiresAt).slice(
              0,
              Math.max(0, limit)
            )
            const expired = due.map((before) => ({ before, after: Result.getOrThrow(Quote.expire(before, now)) }))
            yield* Effect.forEach(expired, (q) => Effect.orDie(rows.update(tenant, q.after)), { discard: true })
            return expired
          }))
      }
    })
  )
}
