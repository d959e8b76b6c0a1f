/**
 * The provider accounts port (global `auth.account`). `(providerId, accountId)` is unique
 * (AUTH-17; Postgres: unique index → `Conflict`).
 */
import { Context, Effect, Layer, Option } from "effect"
import { Errors, type Ids, MemoryStore } from "@erpkit/kernel"
import { type Account, type AccountId, providerKey } from "./Account.ts"

export class AccountRepository extends Context.Service<AccountRepository, {
  readonly insert: (account: Account) => Effect.Effect<void, Errors.Conflict>
  readonly findById: (id: AccountId) => Effect.Effect<Option.Option<Account>>
  readonly findByProvider: (providerId: string, accountId: string) => Effect.Effect<Option.Option<Account>>
  readonly listByUser: (userId: Ids.UserId) => Effect.Effect<ReadonlyArray<Account>>
  readonly remove: (id: AccountId) => Effect.Effect<Option.Option<Account>>
  readonly removeByUser: (userId: Ids.UserId) => Effect.Effect<ReadonlyArray<Account>>
}>()("@erpkit/identity/AccountRepository") {
  static readonly layerMemory = Layer.effect(
    AccountRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = store.table<Account>("auth.accounts")
      const byProvider = (providerId: string, accountId: string) =>
        Effect.map(rows.find((a) => providerKey(a) === providerKey({ providerId, accountId })), (f) => Option.fromNullishOr(f[0]))
      return {
        insert: (account) =>
          store.transaction(Effect.gen(function*() {
            const clash = yield* byProvider(account.providerId, account.accountId)
            if (Option.isSome(clash) || Option.isSome(yield* rows.get(account.id))) {
              return yield* new Errors.Conflict({ entity: "Account", reason: "this provider account is already linked" })
            }
            yield* rows.put(account.id, account)
          })),
        findById: (id) => rows.get(id),
        findByProvider: byProvider,
        listByUser: (userId) => rows.find((a) => a.userId === userId),
        remove: (id) => store.transaction(Effect.tap(rows.get(id), (f) => (Option.isSome(f) ? rows.remove(id) : Effect.void))),
        removeByUser: (userId) =>
          store.transaction(Effect.flatMap(rows.find((a) => a.userId === userId), (found) =>
            Effect.as(Effect.forEach(found, (a) => rows.remove(a.id), { discard: true }), found)))
      }
    })
  )
}
