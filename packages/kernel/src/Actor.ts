/**
 * Who runs a command: a user with roles inside a tenant, or the system actor for jobs and processes.
 * Permission checks go through the `Authorization` service so a host (or `@erpkit/identity`) can
 * configure which role holds which permission per tenant.
 */
import { Context, Effect, Layer, Schema } from "effect"
import { Forbidden } from "./Errors.ts"
import { UserId } from "./Ids.ts"
import { Tenant } from "./Tenant.ts"

/**
 * Every role the seeds name: erpkit's default catalog, which the contexts' default grants use. A host
 * adds roles of its own simply by granting them (`Actor.mergeGrants(billing.grants, { Auditor: [...] })`):
 * the roles a host defines are the keys of its grants (`definedRoles`).
 */
export const roles = [
  // seed 002 (logistics back office)
  "Admin",
  "Pricing Analyst",
  "Accounts Manager",
  "Finance Manager",
  "Sales Manager",
  "Sales Rep",
  "Transport Manager",
  "Dispatcher",
  // seed 001 (Prometric organization roles)
  "owner",
  "admin",
  "manager",
  "employee",
  // seed 003 (Stone Forest)
  "staff",
  "customer",
  // jobs and cross-context processes
  "system"
] as const
/** A seed role name (the default catalog). */
export type SeedRole = (typeof roles)[number]

/**
 * A role name: one of the seeds' or a host's own (1–50 characters: letters, digits, space, `_ . -`,
 * starting with a letter). Whether a role is *defined* is the host's grants' business (`definedRoles`).
 */
export const Role = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[A-Za-z][A-Za-z0-9 _.-]{0,49}$/, {
      message: "a role name: a letter, then up to 49 letters, digits, spaces or _ . -"
    })
  )
)
export type Role = typeof Role.Type

/** A permission name, `<context>.<resource>.<action>` (e.g. `billing.invoice.void`). */
export const Permission = Schema.String.pipe(Schema.brand("Permission"))
export type Permission = typeof Permission.Type
export const permission = (name: string): Permission => name as Permission

export const Actor = Schema.Struct({ userId: UserId, roles: Schema.Array(Role), tenant: Tenant })
export type Actor = typeof Actor.Type

/** The nil UUID stands for the system: jobs and processes act as it, never a signed-in user. */
export const systemUserId = "00000000-0000-0000-0000-000000000000" as UserId

export const system = (tenant: Tenant): Actor => ({ userId: systemUserId, roles: ["system"], tenant })
export const isSystem = (actor: Actor): boolean => actor.roles.includes("system")

/** Which permissions each role holds. Contexts export theirs; hosts merge, extend and override them. */
export type Grants = Readonly<Record<Role, ReadonlyArray<Permission>>>

/** The roles `grants` defines (its keys), `system` aside: what may be given to a person. */
export const definedRoles = (grants: Grants): ReadonlyArray<Role> =>
  Object.keys(grants).filter((r) => r !== "system").sort()

export const mergeGrants = (...all: ReadonlyArray<Grants>): Grants => {
  const merged: Record<Role, Array<Permission>> = {}
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
