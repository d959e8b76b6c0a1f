/**
 * Port: credit holds. Lock order: a hold is locked after the invoice and before the client account.
 */
import { type Errors, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer, Result } from "effect"
import * as ClientAccount from "./ClientAccount.ts"
import { ClientAccountRepository } from "./ClientAccountRepository.ts"
import { type CreditHold, expire, isExpired } from "./CreditHold.ts"
import type { ClientAccountId, CreditHoldId } from "./Ids.ts"
import { sortBy, tables, tenantTable } from "./internal/memory.ts"
import type { Changed } from "./Values.ts"

/** What `expire` changed: the holds (Pending → Expired) and their accounts (holds released). */
export interface ExpiredHolds {
  readonly holds: ReadonlyArray<Changed<CreditHold>>
  readonly accounts: ReadonlyArray<Changed<ClientAccount.ClientAccount>>
}

export class CreditHoldRepository extends Context.Service<CreditHoldRepository, {
  readonly insert: (tenant: Tenant.Tenant, hold: CreditHold) => Effect.Effect<void>
  readonly get: (tenant: Tenant.Tenant, id: CreditHoldId) => Effect.Effect<CreditHold, Errors.NotFound>
  /** Like `get`, and locks the row until the unit of work ends (Postgres `FOR UPDATE`); memory: plain get. */
  readonly getForUpdate: (tenant: Tenant.Tenant, id: CreditHoldId) => Effect.Effect<CreditHold, Errors.NotFound>
  readonly update: (tenant: Tenant.Tenant, hold: CreditHold) => Effect.Effect<void, Errors.NotFound>
  /**
   * The `expireCreditHolds` job as one set-based operation: every Pending hold of the tenant with
   * `expiresAt ≤ now` (`CreditHold.isExpired`), at most `limit`, earliest expiry first, becomes Expired
   * with `resolvedAt = now`, and each affected account's `holdsMinor` falls by the sum of its expired
   * holds (and `updatedAt = now`). Returns the expired holds and the released accounts, each before
   * and after (their audit entries). Postgres: one statement (CTE `UPDATE credit_holds … RETURNING`
   * feeding `UPDATE client_accounts`), locking holds before accounts.
   */
  readonly expire: (tenant: Tenant.Tenant, now: number, limit: number) => Effect.Effect<ExpiredHolds>
}>()("@erpkit/billing/CreditHoldRepository") {
  /**
   * Holds in the `MemoryStore`. `expire` releases the accounts' holds through the
   * `ClientAccountRepository` port (never the accounts table), so a host may replace that port alone;
   * it is atomic with the holds inside a unit of work that both stores join (the `expireCreditHolds`
   * job runs in one), and on its own when both ports share the `MemoryStore`.
   */
  static readonly layerMemory = Layer.effect(
    CreditHoldRepository,
    Effect.gen(function*() {
      const store = yield* MemoryStore.MemoryStore
      const accounts = yield* ClientAccountRepository
      const rows = tenantTable<CreditHold>(store, tables.creditHolds, "CreditHold")
      const expireAll = (tenant: Tenant.Tenant, now: number, limit: number) =>
        Effect.gen(function*() {
          const due = sortBy(yield* rows.find(tenant, (h) => isExpired(h, now)), (h) => h.expiresAt).slice(
            0,
            Math.max(0, limit)
          )
          const holds = due.map((before) => ({ before, after: Result.getOrThrow(expire(before, now)) }))
          yield* Effect.forEach(holds, (h) => Effect.orDie(rows.update(tenant, h.after)), { discard: true })
          const released = new Map<ClientAccountId, bigint>()
          for (const { after: h } of holds) released.set(h.accountId, (released.get(h.accountId) ?? 0n) + h.amountMinor)
          const changed: Array<Changed<ClientAccount.ClientAccount>> = []
          for (const [accountId, amount] of released) {
            // holds before accounts: the port's lock order
            const before = yield* Effect.orDie(accounts.getForUpdate(tenant, accountId))
            const after = ClientAccount.release(before, amount, now)
            yield* Effect.orDie(accounts.update(tenant, after))
            changed.push({ before, after })
          }
          return { holds, accounts: changed }
        })
      return {
        insert: rows.insert,
        get: rows.get,
        getForUpdate: rows.get,
        update: rows.update,
        expire: (tenant, now, limit) => store.transaction(expireAll(tenant, now, limit))
      }
    })
  )
}
