/**
 * Billing's `ClientAccountRepository` port over the host's `MapStore`: what a host writes to keep
 * client accounts in a store of its own while every other billing port stays in memory.
 */
import { BillingError, type ClientAccount, ClientAccountRepository } from "@erpkit/billing"
import { Errors, type Ids, Tenant } from "@erpkit/kernel"
import { Effect, Layer, Option } from "effect"
import { MapStore } from "./MapStore.ts"

/** Keys carry the tenant, so another tenant's row is simply not found. */
const keyOf = (tenant: Tenant.Tenant, id: string) => `${Tenant.key(tenant)}/${id}`

/** The port on the `MapStore` of the context. */
export const layer: Layer.Layer<ClientAccountRepository.ClientAccountRepository, never, MapStore> = Layer.effect(
  ClientAccountRepository.ClientAccountRepository,
  Effect.map(MapStore, (store) => {
    const rows = store.table<ClientAccount.ClientAccount>("client_accounts")
    const get = (tenant: Tenant.Tenant, id: string) =>
      Effect.flatMap(
        rows.get(keyOf(tenant, id)),
        (found) =>
          Option.match(found, {
            onNone: () => Effect.fail(new Errors.NotFound({ entity: "ClientAccount", id })),
            onSome: Effect.succeed
          })
      )
    const findByCustomer = (tenant: Tenant.Tenant, customerId: Ids.CustomerId) =>
      Effect.map(
        rows.values,
        (all) =>
          Option.fromNullishOr(all.find((a) => Tenant.sameTenant(a.tenant, tenant) && a.customerId === customerId))
      )
    return {
      // check and insert in one transaction of the store: no other writer can slip in between
      insert: (tenant, account) =>
        store.transaction(Effect.gen(function*() {
          if (!Tenant.sameTenant(account.tenant, tenant)) {
            return yield* Effect.die(new Error("the account belongs to another tenant"))
          }
          if (Option.isSome(yield* findByCustomer(tenant, account.customerId))) {
            return yield* new BillingError.AccountAlreadyExists({ customerId: account.customerId })
          }
          if (Option.isSome(yield* rows.get(keyOf(tenant, account.id)))) {
            return yield* Effect.die(new Error(`account ${account.id} exists`))
          }
          yield* rows.put(keyOf(tenant, account.id), account)
        })),
      get,
      // the store serializes writers, and a unit of work holds its permit to the end: a plain get locks enough
      getForUpdate: get,
      findByCustomer,
      update: (tenant, account) =>
        Tenant.sameTenant(account.tenant, tenant)
          ? store.transaction(Effect.andThen(get(tenant, account.id), rows.put(keyOf(tenant, account.id), account)))
          : Effect.fail(new Errors.NotFound({ entity: "ClientAccount", id: account.id }))
    }
  })
)
