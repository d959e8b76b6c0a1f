/**
 * The organizations port. An organization is the tenant root, so it is addressed by its own id;
 * commands only ever pass the actor's `tenant.organizationId` (TEN-01). Soft-deleted organizations
 * are invisible (TEN-06) and the BIN is unique among live ones (TEN-02; Postgres: partial unique
 * index `(bin) WHERE deleted_at IS NULL` → `BinTaken`).
 */
import { Context, Effect, Layer, Option } from "effect"
import { Errors, type Ids, MemoryStore } from "@erpkit/kernel"
import { isLive, type Organization } from "./Organization.ts"
import { checkNext } from "./Versioned.ts"

import { BinTaken } from "./IdentityError.ts"

export class OrganizationRepository extends Context.Service<OrganizationRepository, {
  /** `BinTaken` when a live organization has the BIN (a reused id is `Conflict`). */
  readonly insert: (org: Organization) => Effect.Effect<void, BinTaken | Errors.Conflict>
  /** The live organization. */
  readonly findById: (id: Ids.OrganizationId) => Effect.Effect<Option.Option<Organization>>
  /**
   * Writes a live organization one version later (also how it is soft-deleted); `StaleVersion` on a stale
   * version, `BinTaken` on a live BIN clash.
   */
  readonly update: (org: Organization) => Effect.Effect<void, BinTaken | Errors.StaleVersion | Errors.NotFound>
}>()("@erpkit/identity/OrganizationRepository") {
  static readonly layerMemory = Layer.effect(
    OrganizationRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = store.table<Organization>("identity.organizations")
      const clash = (org: Organization) =>
        Effect.map(
          rows.find((o) => isLive(o) && o.bin === org.bin && o.id !== org.id),
          (f) => isLive(org) && f.length > 0
        )
      const live = (id: string) => Effect.map(rows.get(id), Option.filter(isLive))
      return {
        insert: (org) =>
          store.transaction(Effect.gen(function*() {
            if (Option.isSome(yield* rows.get(org.id))) {
              return yield* new Errors.Conflict({ entity: "Organization", reason: "id exists" })
            }
            if (yield* clash(org)) return yield* new BinTaken({ bin: org.bin })
            yield* rows.put(org.id, org)
          })),
        findById: live,
        update: (org) =>
          store.transaction(Effect.gen(function*() {
            const stored = yield* live(org.id)
            if (Option.isNone(stored)) return yield* new Errors.NotFound({ entity: "Organization", id: org.id })
            yield* checkNext("Organization", stored.value, org)
            if (yield* clash(org)) return yield* new BinTaken({ bin: org.bin })
            yield* rows.put(org.id, org)
          }))
      }
    })
  )
}
