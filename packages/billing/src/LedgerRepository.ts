/**
 * Port: the ledger (account transactions). Append-only: rows are never updated or deleted.
 * `(tenant, accountId, sequence)` is unique; the account row lock taken by the command (see
 * `ClientAccountRepository.getForUpdate`) makes sequences gap-free without further locking.
 */
import { MemoryStore, Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer } from "effect"
import type { ClientAccountId } from "./Ids.ts"
import { defaultListLimit, rowKey, sortBy, tables, tenantTable } from "./internal/memory.ts"
import type { AccountTransaction } from "./Ledger.ts"

export interface LedgerQuery {
  /** Only transactions with a greater sequence (paging). */
  readonly afterSequence?: number
  /** At most this many (default 1000). */
  readonly limit?: number
}

export class LedgerRepository extends Context.Service<LedgerRepository, {
  /** Appends postings (from `Ledger.post`); a duplicate (account, sequence) is a defect. */
  readonly append: (tenant: Tenant.Tenant, transactions: ReadonlyArray<AccountTransaction>) => Effect.Effect<void>
  /** One account's transactions in sequence order. */
  readonly list: (
    tenant: Tenant.Tenant,
    accountId: ClientAccountId,
    query?: LedgerQuery
  ) => Effect.Effect<ReadonlyArray<AccountTransaction>>
}>()("@erpkit/billing/LedgerRepository") {
  static readonly layerMemory = Layer.effect(
    LedgerRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = tenantTable<AccountTransaction>(store, tables.accountTransactions, "AccountTransaction")
      // Keyed by (tenant, account, sequence): the key itself is the uniqueness constraint.
      const sequenceKey = (t: AccountTransaction) => rowKey(t.tenant, `${t.accountId}#${t.sequence}`)
      return {
        append: (tenant, transactions) =>
          store.transaction(Effect.forEach(transactions, (t) =>
            !Tenant.sameTenant(t.tenant, tenant)
              ? Effect.die(new Error(`transaction ${t.id} belongs to another tenant than the one given`))
              : Effect.flatMap(rows.table.get(sequenceKey(t)), (taken) =>
                taken._tag === "Some"
                  ? Effect.die(new Error(`account ${t.accountId}: sequence ${t.sequence} already posted`))
                  : rows.table.put(sequenceKey(t), t)), { discard: true })),
        list: (tenant, accountId, query = {}) =>
          Effect.map(
            rows.find(tenant, (t) => t.accountId === accountId && t.sequence > (query.afterSequence ?? 0)),
            (found) => sortBy(found, (t) => t.sequence).slice(0, query.limit ?? defaultListLimit)
          )
      }
    })
  )
}
