/**
 * The tenant settings port (TEN-08). A tenant sees its organization-wide settings (workspace null)
 * and its own workspace's. `(key, organizationId, workspaceId)` is unique (Postgres: unique index
 * with `NULLS NOT DISTINCT` → `SettingKeyTaken`).
 */
import { Context, Effect, Layer, Option } from "effect"
import { Errors, type Ids, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Setting, type SettingId } from "./Setting.ts"
import { SettingKeyTaken } from "./IdentityError.ts"
import { checkNext } from "./Versioned.ts"

/** TEN-08: the key is taken at `s`'s scope. */
export const settingKeyTaken = (s: Setting) =>
  new SettingKeyTaken({ key: s.key, scope: s.workspaceId === null ? "organization" : "workspace" })

/** A list's order, as the adapter's `ORDER BY key COLLATE "C", workspace_id NULLS FIRST`: by key, then the
 * organization-wide setting before a workspace's. */
const byKeyThenScope = (rows: ReadonlyArray<Setting>): Array<Setting> =>
  [...rows].sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : (a.workspaceId ?? "") < (b.workspaceId ?? "") ? -1 : 1
  )

export class SettingRepository extends Context.Service<SettingRepository, {
  /** `SettingKeyTaken` when the key exists at the setting's scope (a reused id is `Conflict`). */
  readonly insert: (tenant: Tenant.Tenant, s: Setting) => Effect.Effect<void, SettingKeyTaken | Errors.Conflict>
  readonly findById: (tenant: Tenant.Tenant, id: SettingId) => Effect.Effect<Option.Option<Setting>>
  /** The setting at exactly this scope (`workspaceId` null: organization-wide). */
  readonly findByKey: (
    tenant: Tenant.Tenant,
    key: string,
    workspaceId: Ids.WorkspaceId | null
  ) => Effect.Effect<Option.Option<Setting>>
  readonly list: (tenant: Tenant.Tenant) => Effect.Effect<ReadonlyArray<Setting>>
  /** Writes `s` one version after the stored row (`StaleVersion` when stale); key and scope never move. */
  readonly update: (
    tenant: Tenant.Tenant,
    s: Setting
  ) => Effect.Effect<void, Errors.Conflict | Errors.StaleVersion | Errors.NotFound>
  readonly remove: (tenant: Tenant.Tenant, id: SettingId) => Effect.Effect<Option.Option<Setting>>
}>()("@erpkit/identity/SettingRepository") {
  static readonly layerMemory = Layer.effect(
    SettingRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = store.table<Setting>("identity.settings")
      const visible = (tenant: Tenant.Tenant) => (s: Setting) =>
        s.organizationId === tenant.organizationId && (s.workspaceId === null || s.workspaceId === tenant.workspaceId)
      const findById = (tenant: Tenant.Tenant, id: string) => Effect.map(rows.get(id), Option.filter(visible(tenant)))
      const findByKey = (tenant: Tenant.Tenant, key: string, workspaceId: string | null) =>
        Effect.map(
          rows.find((s) => visible(tenant)(s) && s.key === key && s.workspaceId === workspaceId),
          (f) => Option.fromNullishOr(f[0])
        )
      return {
        insert: (tenant, s) =>
          store.transaction(Effect.gen(function*() {
            const scoped = new Setting({
              ...s,
              organizationId: tenant.organizationId,
              workspaceId: s.workspaceId === null ? null : tenant.workspaceId
            })
            if (Option.isSome(yield* findByKey(tenant, s.key, scoped.workspaceId))) return yield* settingKeyTaken(s)
            if (Option.isSome(yield* rows.get(s.id))) {
              return yield* new Errors.Conflict({ entity: "Setting", reason: "id exists" })
            }
            yield* rows.put(s.id, scoped)
          })),
        findById,
        findByKey,
        list: (tenant) => Effect.map(rows.find(visible(tenant)), byKeyThenScope),
        update: (tenant, s) =>
          store.transaction(Effect.gen(function*() {
            const found = yield* findById(tenant, s.id)
            if (Option.isNone(found)) return yield* new Errors.NotFound({ entity: "Setting", id: s.id })
            yield* checkNext("Setting", found.value, s)
            // Scope and key are part of the identity: an update cannot move a setting.
            yield* rows.put(
              s.id,
              new Setting({
                ...s,
                organizationId: found.value.organizationId,
                workspaceId: found.value.workspaceId,
                key: found.value.key
              })
            )
          })),
        remove: (tenant, id) =>
          store.transaction(
            Effect.tap(findById(tenant, id), (f) => (Option.isSome(f) ? rows.remove(id) : Effect.void))
          )
      }
    })
  )
}
