/**
 * The workspaces port: every method takes the tenant and sees only its organization's live
 * workspaces (TEN-01, TEN-06). Postgres: RLS on `organization_id`.
 */
import { Context, Effect, Layer, Option } from "effect"
import { Errors, type Ids, MemoryStore, type Tenant } from "@erpkit/kernel"
import { checkNext } from "./Versioned.ts"
import { Workspace } from "./Workspace.ts"

export class WorkspaceRepository extends Context.Service<WorkspaceRepository, {
  readonly insert: (tenant: Tenant.Tenant, ws: Workspace) => Effect.Effect<void, Errors.Conflict>
  readonly findById: (tenant: Tenant.Tenant, id: Ids.WorkspaceId) => Effect.Effect<Option.Option<Workspace>>
  readonly list: (tenant: Tenant.Tenant) => Effect.Effect<ReadonlyArray<Workspace>>
  /** Writes `ws` one version after the stored row (`StaleVersion` when stale). */
  readonly update: (
    tenant: Tenant.Tenant,
    ws: Workspace
  ) => Effect.Effect<void, Errors.Conflict | Errors.StaleVersion | Errors.NotFound>
}>()("@erpkit/identity/WorkspaceRepository") {
  static readonly layerMemory = Layer.effect(
    WorkspaceRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = store.table<Workspace>("identity.workspaces")
      const visible = (tenant: Tenant.Tenant) => (w: Workspace) =>
        w.organizationId === tenant.organizationId && w.deletedAt === null
      const findById = (tenant: Tenant.Tenant, id: string) => Effect.map(rows.get(id), Option.filter(visible(tenant)))
      return {
        insert: (tenant, ws) =>
          store.transaction(Effect.gen(function*() {
            if (Option.isSome(yield* rows.get(ws.id))) {
              return yield* new Errors.Conflict({ entity: "Workspace", reason: "id exists" })
            }
            yield* rows.put(ws.id, new Workspace({ ...ws, organizationId: tenant.organizationId }))
          })),
        findById,
        list: (tenant) => Effect.map(rows.find(visible(tenant)), MemoryStore.inCreationOrder),
        update: (tenant, ws) =>
          store.transaction(Effect.gen(function*() {
            const stored = yield* findById(tenant, ws.id)
            if (Option.isNone(stored)) return yield* new Errors.NotFound({ entity: "Workspace", id: ws.id })
            yield* checkNext("Workspace", stored.value, ws)
            yield* rows.put(ws.id, new Workspace({ ...ws, organizationId: tenant.organizationId }))
          }))
      }
    })
  )
}
