/**
 * The users port. Users live in the global `auth` schema (seed 002): e-mail is unique across all
 * users (AUTH-03), so methods take no tenant; commands scope through `organizationId` (the home
 * organization) instead. Uniqueness is the repository's job and surfaces as `Conflict`: the memory
 * layer checks, Postgres has a unique index on `email_key` and maps 23505 to `Conflict`.
 */
import { Context, Effect, Layer, Option } from "effect"
import { Errors, type Ids, MemoryStore } from "@erpkit/kernel"
import { EmailTaken } from "./IdentityError.ts"
import type { User } from "./User.ts"
import { checkNext } from "./Versioned.ts"

export const emailTaken = () => new EmailTaken()

export class UserRepository extends Context.Service<UserRepository, {
  readonly findById: (id: Ids.UserId) => Effect.Effect<Option.Option<User>>
  readonly findByEmailKey: (emailKey: string) => Effect.Effect<Option.Option<User>>
  readonly listByOrganization: (organizationId: Ids.OrganizationId) => Effect.Effect<ReadonlyArray<User>>
  /** `EmailTaken` when another user has the e-mail key (a reused id is `Conflict`). */
  readonly insert: (user: User) => Effect.Effect<void, EmailTaken | Errors.Conflict>
  /**
   * Writes `user`, which must be one version after the stored row (`Versioned`); `StaleVersion` on a stale
   * version or when the e-mail key belongs to another user.
   */
  readonly update: (user: User) => Effect.Effect<void, EmailTaken | Errors.StaleVersion | Errors.NotFound>
  /** Hard delete (the auth schema has no soft delete); whether a row was removed. */
  readonly remove: (id: Ids.UserId) => Effect.Effect<boolean>
}>()("@erpkit/identity/UserRepository") {
  static readonly layerMemory = Layer.effect(
    UserRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = store.table<User>("auth.users")
      const holder = (emailKey: string) => Effect.map(rows.find((u) => u.emailKey === emailKey), (found) => found[0])
      return {
        findById: (id) => rows.get(id),
        findByEmailKey: (key) => Effect.map(holder(key), Option.fromNullishOr),
        listByOrganization: (organizationId) =>
          Effect.map(rows.find((u) => u.organizationId === organizationId), MemoryStore.inCreationOrder),
        insert: (user) =>
          store.transaction(Effect.gen(function*() {
            if (Option.isSome(yield* rows.get(user.id))) {
              return yield* new Errors.Conflict({ entity: "User", reason: "id exists" })
            }
            if ((yield* holder(user.emailKey)) !== undefined) return yield* emailTaken()
            yield* rows.put(user.id, user)
          })),
        update: (user) =>
          store.transaction(Effect.gen(function*() {
            const stored = yield* rows.get(user.id)
            if (Option.isNone(stored)) return yield* new Errors.NotFound({ entity: "User", id: user.id })
            yield* checkNext("User", stored.value, user)
            const other = yield* holder(user.emailKey)
            if (other !== undefined && other.id !== user.id) return yield* emailTaken()
            yield* rows.put(user.id, user)
          })),
        remove: (id) =>
          store.transaction(Effect.gen(function*() {
            const found = Option.isSome(yield* rows.get(id))
            if (found) yield* rows.remove(id)
            return found
          }))
      }
    })
  )
}
