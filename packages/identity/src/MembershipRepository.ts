/**
 * The memberships port: one row per (organization, user) with the role the user holds there.
 * Writes are scoped to one organization, the one the command runs in. `organizationsOf` is the only
 * cross-organization read, for the user's home organization (its delete guard); Postgres lets the
 * home organization see its users' memberships elsewhere and nothing more (RLS, migrations/identity).
 */
import { Context, Effect, Layer, Option } from "effect"
import { Errors, type Ids, MemoryStore } from "@erpkit/kernel"
import type { Membership } from "./Membership.ts"
import { AlreadyMember } from "./IdentityError.ts"
import { checkNext } from "./Versioned.ts"

export const alreadyMember = (userId: string, organizationId: string) => new AlreadyMember({ userId, organizationId })

export class MembershipRepository extends Context.Service<MembershipRepository, {
  readonly find: (organizationId: Ids.OrganizationId, userId: Ids.UserId) => Effect.Effect<Option.Option<Membership>>
  /** The organization's members, oldest first. */
  readonly listByOrganization: (organizationId: Ids.OrganizationId) => Effect.Effect<ReadonlyArray<Membership>>
  /** Every organization the user is a member of (for the home organization's delete guard). */
  readonly organizationsOf: (userId: Ids.UserId) => Effect.Effect<ReadonlyArray<Ids.OrganizationId>>
  /** `AlreadyMember` when the user is already a member of the organization. */
  readonly insert: (m: Membership) => Effect.Effect<void, AlreadyMember>
  /** Writes `m` one version after the stored row (`StaleVersion` when stale, `NotFound` when gone). */
  readonly update: (m: Membership) => Effect.Effect<void, Errors.Conflict | Errors.StaleVersion | Errors.NotFound>
  /** The removed membership, if there was one. */
  readonly remove: (organizationId: Ids.OrganizationId, userId: Ids.UserId) => Effect.Effect<Option.Option<Membership>>
}>()("@erpkit/identity/MembershipRepository") {
  static readonly layerMemory = Layer.effect(
    MembershipRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = store.table<Membership>("identity.memberships")
      const key = (organizationId: string, userId: string) => `${organizationId}/${userId}`
      const byCreation = (a: Membership, b: Membership) => a.createdAt - b.createdAt || (a.userId < b.userId ? -1 : 1)
      return {
        find: (organizationId, userId) => rows.get(key(organizationId, userId)),
        listByOrganization: (organizationId) =>
          Effect.map(rows.find((m) => m.organizationId === organizationId), (found) => [...found].sort(byCreation)),
        organizationsOf: (userId) =>
          Effect.map(rows.find((m) => m.userId === userId), (found) => found.map((m) => m.organizationId)),
        insert: (m) =>
          store.transaction(Effect.gen(function*() {
            if (Option.isSome(yield* rows.get(key(m.organizationId, m.userId)))) {
              return yield* alreadyMember(m.userId, m.organizationId)
            }
            yield* rows.put(key(m.organizationId, m.userId), m)
          })),
        update: (m) =>
          store.transaction(Effect.gen(function*() {
            const stored = yield* rows.get(key(m.organizationId, m.userId))
            if (Option.isNone(stored)) {
              return yield* new Errors.NotFound({ entity: "Membership", id: key(m.organizationId, m.userId) })
            }
            yield* checkNext("Membership", stored.value, m)
            yield* rows.put(key(m.organizationId, m.userId), m)
          })),
        remove: (organizationId, userId) =>
          store.transaction(Effect.gen(function*() {
            const found = yield* rows.get(key(organizationId, userId))
            if (Option.isSome(found)) yield* rows.remove(key(organizationId, userId))
            return found
          }))
      }
    })
  )
}
