/**
 * Who runs a command: a user with roles inside a tenant, or the system actor for jobs and processes.
 * Permission checks go through the `Authorization` service so a host (or `@erpkit/identity`) can
 * configure which role holds which permission per tenant.
 */
import { Context, Effect, Layer, Schema } from "effect"
import { Forbidden } from "./Errors.ts"
import { UserId } from "./Ids.ts"
import { Tenant } from "./Tenant.ts"

/** Every role the seeds name; contexts grant permissions to these names. */
export const roles = [
  // seed 002 (logistics back office)
  "Admin", "Pricing Analyst", "Accounts Manager", "Finance Manager", "Sales Manager", "Sales Rep",
  "Transport Manager", "Dispatcher",
  // seed 001 (Prometric organization roles)
  "owner", "admin", "manager", "employee",
  // seed 003 (Stone Forest)
  "staff", "customer",
  // jobs and cross-context processes
  "system"
] as const
export const Role = Schema.Literals(roles)
export type Role = typeof Role.Type

/** A permission name, `<context>.<resource>.<action>` (e.g. `billing.invoice.void`). */
export const Permission = Schema.String.pipe(Schema.brand("Permission"))
export type Permission = typeof Permission.Type
export const permission = (name: string): Permission => name as Permission

export const Actor = Schema.Struct({
  userId: UserId,
  roles: Schema.Array(Role),
  tenant: Tenant
})
export type Actor = typeof Actor.Type

/** The nil UUID stands for the system: jobs and processes act as it, never a signed-in user. */
export const systemUserId = "00000000-0000-0000-0000-000000000000" as UserId

export const system = (tenant: Tenant): Actor => ({ userId: systemUserId, roles: ["system"], tenant })
export const isSystem = (actor: Actor): boolean => actor.roles.includes("system")

/** Which permissions each role holds. Contexts export theirs; hosts merge and override them. */
export type Grants = Readonly<Partial<Record<Role, ReadonlyArray<Permission>>>>

export const mergeGrants = (...all: ReadonlyArray<Grants>): Grants => {
  const merged: Partial<Record<Role, Array<Permission>>> = {}
  for (const grants of all) {
    for (const [role, perms] of Object.entries(grants) as Array<[Role, ReadonlyArray<Permission>]>) {
      merged[role] = [...new Set([...(merged[role] ?? []), ...perms])]
    }
  }
  return merged
}

export class Authorization extends Context.Service<Authorization, {
  /** Succeeds when one of the actor's roles holds `permission` in the actor's tenant. */
  readonly check: (actor: Actor, permission: Permission) => Effect.Effect<void, Forbidden>
}>()("@erpkit/kernel/Authorization") {
  /**
   * A fixed role → permission table, the same for every tenant. The system actor holds every
   * permission: it is what trusted jobs and processes run as, never handed to end users.
   */
  static readonly layerStatic = (grants: Grants) => {
    const table = new Map<Role, ReadonlySet<Permission>>(
      (Object.entries(grants) as Array<[Role, ReadonlyArray<Permission>]>).map(([r, ps]) => [r, new Set(ps)])
    )
    return Layer.succeed(Authorization, {
      check: (actor, wanted) =>
        isSystem(actor) || actor.roles.some((r) => table.get(r)?.has(wanted))
          ? Effect.void
          : Effect.fail(new Forbidden({ permission: wanted, actorId: actor.userId, roles: [...actor.roles] }))
    })
  }
}

/** Fails with `Forbidden` unless the actor holds `permission`. */
export const authorize = (actor: Actor, wanted: Permission): Effect.Effect<void, Forbidden, Authorization> =>
  Authorization.use((a) => a.check(actor, wanted))
