/**
 * The per-tenant role → permission overrides. A role without an override holds the host's default
 * grants; an override replaces them for the tenant's organization. Postgres: one row per
 * (organization_id, role) with a `text[]` of permissions.
 */
import { Context, Effect, Layer, Option } from "effect"
import { type Actor, MemoryStore, type Tenant } from "@erpkit/kernel"

export interface RoleOverride {
  readonly role: Actor.Role
  readonly permissions: ReadonlyArray<Actor.Permission>
}

export class RolePermissionRepository extends Context.Service<RolePermissionRepository, {
  readonly find: (
    tenant: Tenant.Tenant,
    role: Actor.Role
  ) => Effect.Effect<Option.Option<ReadonlyArray<Actor.Permission>>>
  readonly list: (tenant: Tenant.Tenant) => Effect.Effect<ReadonlyArray<RoleOverride>>
  readonly set: (
    tenant: Tenant.Tenant,
    role: Actor.Role,
    permissions: ReadonlyArray<Actor.Permission>
  ) => Effect.Effect<void>
  /** Back to the defaults; whether there was an override. */
  readonly remove: (tenant: Tenant.Tenant, role: Actor.Role) => Effect.Effect<boolean>
}>()("@erpkit/identity/RolePermissionRepository") {
  static readonly layerMemory = Layer.effect(
    RolePermissionRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = store.table<RoleOverride & { readonly organizationId: string }>("identity.role_permissions")
      const id = (tenant: Tenant.Tenant, role: string) => `${tenant.organizationId}/${role}`
      return {
        find: (tenant, role) => Effect.map(rows.get(id(tenant, role)), Option.map((r) => r.permissions)),
        list: (tenant) =>
          Effect.map(
            rows.find((r) => r.organizationId === tenant.organizationId),
            (found) =>
              found.map(({ role, permissions }) => ({ role, permissions })).sort((a, b) => (a.role < b.role ? -1 : 1))
          ),
        set: (tenant, role, permissions) =>
          rows.put(id(tenant, role), {
            organizationId: tenant.organizationId,
            role,
            permissions: [...new Set(permissions)].sort()
          }),
        remove: (tenant, role) =>
          store.transaction(Effect.gen(function*() {
            const found = Option.isSome(yield* rows.get(id(tenant, role)))
            if (found) yield* rows.remove(id(tenant, role))
            return found
          }))
      }
    })
  )
}
