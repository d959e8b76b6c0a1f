/**
 * Port: client accounts. Every method is scoped by the tenant; a row of another tenant is `NotFound`.
 *
 * Lock order (every command): invoice → payment → credit hold → client account, each at most once,
 * so the Postgres adapter cannot deadlock. Loads that precede a write use `getForUpdate`.
 */
import { type Errors, type Ids, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer, Option } from "effect"
import { AccountAlreadyExists } from "./BillingError.ts"
import type { ClientAccount } from "./ClientAccount.ts"
import type { ClientAccountId } from "./Ids.ts"
import { tables, tenantTable } from "./internal/memory.ts"

export class ClientAccountRepository extends Context.Service<ClientAccountRepository, {
  /**
   * Adds a new account; a second account for the same customer is `AccountAlreadyExists` (unique (tenant, customer)).
   */
  readonly insert: (tenant: Tenant.Tenant, account: ClientAccount) => Effect.Effect<void, AccountAlreadyExists>
  readonly get: (tenant: Tenant.Tenant, id: ClientAccountId) => Effect.Effect<ClientAccount, Errors.NotFound>
  /**
   * Like `get`, and locks the row until the unit of work ends (Postgres `SELECT … FOR UPDATE`).
   * Memory: a plain get (the store serializes writers).
   */
  readonly getForUpdate: (tenant: Tenant.Tenant, id: ClientAccountId) => Effect.Effect<ClientAccount, Errors.NotFound>
  readonly findByCustomer: (
    tenant: Tenant.Tenant,
    customerId: Ids.CustomerId
  ) => Effect.Effect<Option.Option<ClientAccount>>
  /** Replaces the row (balances, holds, credit terms, last sequence); a missing row is `NotFound`. */
  readonly update: (tenant: Tenant.Tenant, account: ClientAccount) => Effect.Effect<void, Errors.NotFound>
}>()("@erpkit/billing/ClientAccountRepository") {
  /**
   * Client accounts in the `MemoryStore`. The memory invoice and credit-hold ports use whichever
   * `ClientAccountRepository` they are given, so a host may replace this one alone (`layerMemoryWith`).
   */
  static readonly layerMemory = Layer.effect(
    ClientAccountRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = tenantTable<ClientAccount>(store, tables.clientAccounts, "ClientAccount")
      const findByCustomer = (tenant: Tenant.Tenant, customerId: Ids.CustomerId) =>
        Effect.map(rows.find(tenant, (a) => a.customerId === customerId), (found) => Option.fromNullishOr(found[0]))
      return {
        insert: (tenant, account) =>
          rows.transaction(
            Effect.flatMap(findByCustomer(tenant, account.customerId), (existing) =>
              Option.isSome(existing)
                ? Effect.fail(new AccountAlreadyExists({ customerId: account.customerId }))
                : rows.insert(tenant, account))
          ),
        get: rows.get,
        getForUpdate: rows.get,
        findByCustomer,
        update: rows.update
      }
    })
  )
}
