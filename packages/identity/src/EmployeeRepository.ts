/**
 * The employees port. Reads see the tenant's workspace (TEN-01); uniqueness spans the whole
 * organization: one live employee per (user, organization) (TEN-03) and one live holder of each
 * employee number. Postgres: partial unique indexes `(user_id, organization_id)` → `AlreadyEmployed` and
 * `(organization_id, employee_number)` → `EmployeeNumberTaken`, both `WHERE deleted_at IS NULL`.
 */
import { Context, Effect, Layer, Option } from "effect"
import { Errors, type Ids, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Employee, type EmployeeId } from "./Employee.ts"
import { AlreadyEmployed, EmployeeNumberTaken } from "./IdentityError.ts"
import { checkNext } from "./Versioned.ts"

export class EmployeeRepository extends Context.Service<EmployeeRepository, {
  /** `AlreadyEmployed` / `EmployeeNumberTaken` on a clash with a live employee (a reused id is `Conflict`). */
  readonly insert: (
    tenant: Tenant.Tenant,
    e: Employee
  ) => Effect.Effect<void, AlreadyEmployed | EmployeeNumberTaken | Errors.Conflict>
  readonly findById: (tenant: Tenant.Tenant, id: EmployeeId) => Effect.Effect<Option.Option<Employee>>
  readonly list: (tenant: Tenant.Tenant) => Effect.Effect<ReadonlyArray<Employee>>
  /** The user's live employment in the tenant's organization (any workspace). */
  readonly findByUser: (tenant: Tenant.Tenant, userId: Ids.UserId) => Effect.Effect<Option.Option<Employee>>
  /** Writes `e` one version after the stored row (`StaleVersion` when stale; uniqueness clashes as `insert`). */
  readonly update: (
    tenant: Tenant.Tenant,
    e: Employee
  ) => Effect.Effect<void, AlreadyEmployed | EmployeeNumberTaken | Errors.StaleVersion | Errors.NotFound>
}>()("@erpkit/identity/EmployeeRepository") {
  static readonly layerMemory = Layer.effect(
    EmployeeRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = store.table<Employee>("identity.employees")
      const live = (e: Employee) => e.deletedAt === null
      const inOrg = (tenant: Tenant.Tenant) => (e: Employee) =>
        live(e) && e.tenant.organizationId === tenant.organizationId
      const visible = (tenant: Tenant.Tenant) => (e: Employee) =>
        inOrg(tenant)(e) && e.tenant.workspaceId === tenant.workspaceId
      const findById = (tenant: Tenant.Tenant, id: string) => Effect.map(rows.get(id), Option.filter(visible(tenant)))
      const clash = (tenant: Tenant.Tenant, e: Employee) =>
        Effect.gen(function*() {
          if (!live(e)) return undefined
          const others = yield* rows.find((o) => inOrg(tenant)(o) && o.id !== e.id)
          if (others.some((o) => o.userId === e.userId)) return new AlreadyEmployed({ userId: e.userId })
          const employeeNumber = e.employeeNumber
          if (employeeNumber !== null && others.some((o) => o.employeeNumber === employeeNumber)) {
            return new EmployeeNumberTaken({ employeeNumber })
          }
          return undefined
        })
      const write = (tenant: Tenant.Tenant, e: Employee) =>
        Effect.gen(function*() {
          const taken = yield* clash(tenant, e)
          if (taken !== undefined) return yield* taken
          yield* rows.put(e.id, new Employee({ ...e, tenant }))
        })
      return {
        insert: (tenant, e) =>
          store.transaction(Effect.gen(function*() {
            if (Option.isSome(yield* rows.get(e.id))) {
              return yield* new Errors.Conflict({ entity: "Employee", reason: "id exists" })
            }
            yield* write(tenant, e)
          })),
        findById,
        list: (tenant) => Effect.map(rows.find(visible(tenant)), MemoryStore.inCreationOrder),
        findByUser: (tenant, userId) =>
          Effect.map(rows.find((e) => inOrg(tenant)(e) && e.userId === userId), (f) => Option.fromNullishOr(f[0])),
        update: (tenant, e) =>
          store.transaction(Effect.gen(function*() {
            const stored = yield* findById(tenant, e.id)
            if (Option.isNone(stored)) return yield* new Errors.NotFound({ entity: "Employee", id: e.id })
            yield* checkNext("Employee", stored.value, e)
            yield* write(tenant, e)
          }))
      }
    })
  )
}
