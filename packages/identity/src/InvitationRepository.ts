/**
 * The invitations port: an organization's invitations to join it. Every method is scoped to one
 * organization (Postgres: `identity.invitations` under RLS on `organization_id`); the invitee answers
 * from inside the inviting organization's tenant (`Access.invitee`), so no read crosses tenants.
 */
import { Context, Effect, Layer, Option } from "effect"
import { Errors, type Ids, MemoryStore } from "@erpkit/kernel"
import type { Invitation, InvitationId } from "./Invitation.ts"
import { checkNext } from "./Versioned.ts"

export class InvitationRepository extends Context.Service<InvitationRepository, {
  readonly findById: (organizationId: Ids.OrganizationId, id: InvitationId) => Effect.Effect<Option.Option<Invitation>>
  /** The organization's invitations, newest first, at most `limit`. */
  readonly listByOrganization: (
    organizationId: Ids.OrganizationId,
    limit: number
  ) => Effect.Effect<ReadonlyArray<Invitation>>
  readonly insert: (i: Invitation) => Effect.Effect<void, Errors.Conflict>
  /** Writes `i` one version after the stored row: of two concurrent answers, one wins (single use). */
  readonly update: (i: Invitation) => Effect.Effect<void, Errors.Conflict | Errors.StaleVersion | Errors.NotFound>
}>()("@erpkit/identity/InvitationRepository") {
  static readonly layerMemory = Layer.effect(
    InvitationRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = store.table<Invitation>("identity.invitations")
      const inOrganization = (organizationId: string) => (i: Invitation) => i.tenant.organizationId === organizationId
      const newestFirst = (a: Invitation, b: Invitation) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1)
      return {
        findById: (organizationId, id) => Effect.map(rows.get(id), Option.filter(inOrganization(organizationId))),
        listByOrganization: (organizationId, limit) =>
          Effect.map(
            rows.find(inOrganization(organizationId)),
            (found) => [...found].sort(newestFirst).slice(0, limit)
          ),
        insert: (i) =>
          store.transaction(Effect.gen(function*() {
            if (Option.isSome(yield* rows.get(i.id))) {
              return yield* new Errors.Conflict({ entity: "Invitation", reason: "id exists" })
            }
            yield* rows.put(i.id, i)
          })),
        update: (i) =>
          store.transaction(Effect.gen(function*() {
            const stored = Option.filter(yield* rows.get(i.id), inOrganization(i.tenant.organizationId))
            if (Option.isNone(stored)) return yield* new Errors.NotFound({ entity: "Invitation", id: i.id })
            yield* checkNext("Invitation", stored.value, i)
            yield* rows.put(i.id, i)
          }))
      }
    })
  )
}
