/**
 * The departments port. Reads see the tenant's workspace (TEN-01); codes are unique among the
 * organization's live departments (TEN-04, TEN-06; Postgres: partial unique index
 * `(organization_id, code) WHERE deleted_at IS NULL` → `DepartmentCodeTaken`). `parents` gives the cycle
 * check its input in one query (Postgres can also guard with a recursive CTE in the same transaction).
 */
import { Context, Effect, Layer, Option } from "effect"
import { Errors, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Department, type DepartmentId } from "./Department.ts"
import { DepartmentCodeTaken } from "./IdentityError.ts"
import { checkNext } from "./Versioned.ts"

export class DepartmentRepository extends Context.Service<DepartmentRepository, {
  /** `DepartmentCodeTaken` when a live department of the organization has the code (a reused id is `Conflict`). */
  readonly insert: (tenant: Tenant.Tenant, d: Department) => Effect.Effect<void, DepartmentCodeTaken | Errors.Conflict>
  readonly findById: (tenant: Tenant.Tenant, id: DepartmentId) => Effect.Effect<Option.Option<Department>>
  readonly list: (tenant: Tenant.Tenant) => Effect.Effect<ReadonlyArray<Department>>
  /** id → parent id of every live department of the tenant's workspace. */
  readonly parents: (tenant: Tenant.Tenant) => Effect.Effect<ReadonlyMap<string, string | null>>
  /** Writes `d` one version after the stored row (`StaleVersion` when stale, `DepartmentCodeTaken` on a code clash). */
  readonly update: (
    tenant: Tenant.Tenant,
    d: Department
  ) => Effect.Effect<void, DepartmentCodeTaken | Errors.StaleVersion | Errors.NotFound>
}>()("@erpkit/identity/DepartmentRepository") {
  static readonly layerMemory = Layer.effect(
    DepartmentRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = store.table<Department>("identity.departments")
      const inOrg = (tenant: Tenant.Tenant) => (d: Department) =>
        d.deletedAt === null && d.tenant.organizationId === tenant.organizationId
      const visible = (tenant: Tenant.Tenant) => (d: Department) =>
        inOrg(tenant)(d) && d.tenant.workspaceId === tenant.workspaceId
      const findById = (tenant: Tenant.Tenant, id: string) => Effect.map(rows.get(id), Option.filter(visible(tenant)))
      const write = (tenant: Tenant.Tenant, d: Department) =>
        Effect.gen(function*() {
          if (d.deletedAt === null && d.code !== null) {
            const code = d.code
            const taken = yield* rows.find((o) => inOrg(tenant)(o) && o.id !== d.id && o.code === code)
            if (taken.length > 0) return yield* new DepartmentCodeTaken({ code })
          }
          yield* rows.put(d.id, new Department({ ...d, tenant }))
        })
      return {
        insert: (tenant, d) =>
          store.transaction(Effect.gen(function*() {
            if (Option.isSome(yield* rows.get(d.id))) {
              return yield* new Errors.Conflict({ entity: "Department", reason: "id exists" })
            }
            yield* write(tenant, d)
          })),
        findById,
        list: (tenant) => Effect.map(rows.find(visible(tenant)), MemoryStore.inCreationOrder),
        parents: (tenant) =>
          Effect.map(rows.find(visible(tenant)), (found) => new Map(found.map((d) => [d.id, d.parentId] as const))),
        update: (tenant, d) =>
          store.transaction(Effect.gen(function*() {
            const stored = yield* findById(tenant, d.id)
            if (Option.isNone(stored)) return yield* new Errors.NotFound({ entity: "Department", id: d.id })
            yield* checkNext("Department", stored.value, d)
            yield* write(tenant, d)
          }))
      }
    })
  )
}
