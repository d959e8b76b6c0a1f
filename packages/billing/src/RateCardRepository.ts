/**
 * Ports: rate cards and surcharges. Reads hide soft-deleted rows (`NotFound`, never listed). Lock
 * order: rate cards and surcharges are locked only by their own commands (nothing else locks them);
 * pricing reads them without locks (a concurrent change is seen or not, as of the read).
 */
import { type Currency, type Errors, type LocalDate, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer } from "effect"
import type { RateCardId, SurchargeId } from "./Ids.ts"
import { defaultListLimit, sortBy, tables, tenantTable } from "./internal/memory.ts"
import { isExpired, isUsableOn, type Validity } from "./internal/validity.ts"
import * as RateCard from "./RateCard.ts"
import * as Surcharge from "./Surcharge.ts"
import type { Changed } from "./Values.ts"

export interface RateQuery {
  readonly currency?: Currency.Currency
  /** Only rows usable on this date (BIL-RC-02): active, not deleted, validFrom ≤ date ≤ validTo. */
  readonly usableOn?: LocalDate.LocalDate
  /** At most this many, oldest first (createdAt, then id); default 1000. */
  readonly limit?: number
}

/** The operations both ports offer, over their own row type. */
export interface RatePort<A, Id> {
  readonly insert: (tenant: Tenant.Tenant, row: A) => Effect.Effect<void>
  readonly get: (tenant: Tenant.Tenant, id: Id) => Effect.Effect<A, Errors.NotFound>
  /** Like `get`, and locks the row until the unit of work ends (Postgres `FOR UPDATE`); memory: plain get. */
  readonly getForUpdate: (tenant: Tenant.Tenant, id: Id) => Effect.Effect<A, Errors.NotFound>
  /** Replaces a live row; setting `deletedAt` soft-deletes it. */
  readonly update: (tenant: Tenant.Tenant, row: A) => Effect.Effect<void, Errors.NotFound>
  readonly list: (tenant: Tenant.Tenant, query?: RateQuery) => Effect.Effect<ReadonlyArray<A>>
  /**
   * The `deactivateExpiredRates` job (BIL-RC-03) as ONE set-based operation: every row with
   * `isExpired(row, today)` (active, not deleted, validTo < today), at most `limit`, earliest validTo
   * first, gets `isActive = false, updatedAt = now`; returns the changed rows, before and after. Postgres:
   * `UPDATE … SET is_active = false, updated_at = $now WHERE id IN (SELECT id … WHERE is_active AND
   * deleted_at IS NULL AND valid_to < $today ORDER BY valid_to, id LIMIT $limit FOR UPDATE SKIP LOCKED) RETURNING *`.
   */
  readonly deactivateExpired: (
    tenant: Tenant.Tenant,
    today: LocalDate.LocalDate,
    now: number,
    limit: number
  ) => Effect.Effect<ReadonlyArray<Changed<A>>>
}

interface RateRow extends Validity {
  readonly id: string
  readonly tenant: Tenant.Tenant
  readonly currency: Currency.Currency
  readonly createdAt: number
}

const memoryPort = <A extends RateRow, Id extends string>(
  store: MemoryStore.MemoryStore["Service"],
  table: string,
  entity: string,
  deactivate: (row: A, now: number) => A
): RatePort<A, Id> => {
  const rows = tenantTable<A>(store, table, entity, (r) => r.deletedAt === null)
  return {
    insert: rows.insert,
    get: rows.get,
    getForUpdate: rows.get,
    update: rows.update,
    list: (tenant, query = {}) =>
      Effect.map(
        rows.find(
          tenant,
          (r) =>
            (query.currency === undefined || r.currency === query.currency) &&
            (query.usableOn === undefined || isUsableOn(r, query.usableOn))
        ),
        (found) => sortBy(found, (r) => r.createdAt).slice(0, query.limit ?? defaultListLimit)
      ),
    deactivateExpired: (tenant, today, now, limit) =>
      store.transaction(Effect.gen(function*() {
        const due = sortBy(yield* rows.find(tenant, (r) => isExpired(r, today)), (r) => r.validTo).slice(
          0,
          Math.max(0, limit)
        )
        const changed = due.map((before) => ({ before, after: deactivate(before, now) }))
        yield* Effect.forEach(changed, (r) => Effect.orDie(rows.update(tenant, r.after)), { discard: true })
        return changed
      }))
  }
}

export class RateCardRepository extends Context.Service<RateCardRepository, RatePort<RateCard.RateCard, RateCardId>>()(
  "@erpkit/billing/RateCardRepository"
) {
  static readonly layerMemory = Layer.effect(
    RateCardRepository,
    Effect.map(
      MemoryStore.MemoryStore,
      (store) => memoryPort<RateCard.RateCard, RateCardId>(store, tables.rateCards, "RateCard", RateCard.deactivate)
    )
  )
}

export class SurchargeRepository
  extends Context.Service<SurchargeRepository, RatePort<Surcharge.Surcharge, SurchargeId>>()(
    "@erpkit/billing/SurchargeRepository"
  )
{
  static readonly layerMemory = Layer.effect(
    SurchargeRepository,
    Effect.map(
      MemoryStore.MemoryStore,
      (store) =>
        memoryPort<Surcharge.Surcharge, SurchargeId>(store, tables.surcharges, "Surcharge", Surcharge.deactivate)
    )
  )
}
