/**
 * The provider accounts port (global `auth.account`). `(providerId, accountId)` is unique
 * (AUTH-17; Postgres: unique index → `AccountLinked`).
 */
import { Context, Effect, Layer, Option } from "effect"
import { Errors, type Ids, MemoryStore } from "@erpkit/kernel"
import { type Account, type AccountId, providerKey } from "./Account.ts"
import { AccountLinked } from "./IdentityError.ts"

export class AccountRepository extends Context.Service<AccountRepository, {
  /** `AccountLinked` when the provider account is linked already (a reused id is `Conflict`). */
  readonly insert: (account: Account) => Effect.Effect<void, AccountLinked | Errors.Conflict>
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
        Effect.map(
          rows.find((a) => providerKey(a) === providerKey({ providerId, accountId })),
          (f) => Option.fromNullishOr(f[0])
        )
      return {
        insert: (account) =>
          store.transaction(Effect.gen(function*() {
            if (Option.isSome(yield* byProvider(account.providerId, account.accountId))) {
              return yield* new AccountLinked({ providerId: account.providerId, accountId: account.accountId })
            }
            if (Option.isSome(yield* rows.get(account.id))) {
              return yield* new Errors.Conflict({ entity: "Account", reason: "id exists" })
            }
            yield* rows.put(account.id, account)
          })),
        findById: (id) => rows.get(id),
        findByProvider: byProvider,
        listByUser: (userId) => Effect.map(rows.find((a) => a.userId === userId), MemoryStore.inCreationOrder),
        remove: (id) =>
          store.transaction(Effect.tap(rows.get(id), (f) => (Option.isSome(f) ? rows.remove(id) : Effect.void))),
        removeByUser: (userId) =>
          store.transaction(
            Effect.flatMap(
              rows.find((a) => a.userId === userId),
              (found) => Effect.as(Effect.forEach(found, (a) => rows.remove(a.id), { discard: true }), found)
            )
          )
      }
    })
  )
}
