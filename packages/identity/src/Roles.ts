/**
 * Roles and permissions: one role catalog (kernel `Actor.roles`), default grants from the host, and
 * per-tenant overrides stored through `RolePermissionRepository`. `layerAuthorization` is the kernel
 * `Authorization` service backed by them, so every context's permission checks honour a tenant's
 * configuration.
 */
import { Context, Effect, Layer, Option, Schema } from "effect"
import { Actor, Command, Errors } from "@erpkit/kernel"
import { updated } from "./Changes.ts"
import * as Permissions from "./Permissions.ts"
import { RolePermissionRepository } from "./RolePermissionRepository.ts"

/** The permissions `role` holds in the tenant: its override if any, else the defaults. */
export const effectivePermissions = (
  defaults: Actor.Grants,
  override: Option.Option<ReadonlyArray<Actor.Permission>>,
  role: Actor.Role
) => Option.getOrElse(override, () => defaults[role] ?? [])

/**
 * Whether a set of roles holds `permission`. Admin roles always keep `identity.role.configure`, so a
 * tenant cannot lock itself out of its own role table.
 */
const holds = (role: Actor.Role, permissions: ReadonlyArray<Actor.Permission>, wanted: Actor.Permission): boolean =>
  permissions.includes(wanted) || (wanted === Permissions.roleConfigure && Permissions.adminRoles.includes(role))

/** The host's default grants (every context's, merged), which tenant overrides start from. */
export class DefaultGrants
  extends Context.Service<DefaultGrants, { readonly grants: Actor.Grants }>()("@erpkit/identity/DefaultGrants")
{}

/**
 * The kernel `Authorization` over `defaults` plus each tenant's overrides, and `DefaultGrants` for
 * the role commands. Needs `RolePermissionRepository`.
 */
export const layerAuthorization = (defaults: Actor.Grants) =>
  Layer.merge(
    Layer.succeed(DefaultGrants, { grants: defaults }),
    Layer.effect(Actor.Authorization, Effect.map(RolePermissionRepository, (repo) => authorizationWith(defaults, repo)))
  )

const authorizationWith = (
  defaults: Actor.Grants,
  repo: RolePermissionRepository["Service"]
): Actor.Authorization["Service"] => ({
  check: (actor, wanted) => {
    if (Actor.isSystem(actor)) return Effect.void
    const roleHolds = (role: Actor.Role) =>
      Effect.map(repo.find(actor.tenant, role), (o) => holds(role, effectivePermissions(defaults, o, role), wanted))
    return Effect.flatMap(Effect.forEach(actor.roles, roleHolds), (answers) =>
      answers.some(Boolean)
        ? Effect.void
        : Effect.fail(new Errors.Forbidden({ permission: wanted, actorId: actor.userId, roles: [...actor.roles] })))
  }
})

/** The roles the host defined (the keys of its default grants), `system` aside: what may be given to a person. */
export const definedRoles: Effect.Effect<ReadonlyArray<Actor.Role>, never, DefaultGrants> = Effect.map(
  DefaultGrants,
  ({ grants }) => Actor.definedRoles(grants)
)

/**
 * AUTH-07: the role must be one the host defined: a seed role of the contexts' grants, or one of the
 * host's own (`Actor.mergeGrants(…, { Auditor: [...] })`). `system` is never given to a person.
 */
export const checkDefined = (
  role: Actor.Role,
  path: ReadonlyArray<string> = ["role"]
): Effect.Effect<void, Errors.ValidationError, DefaultGrants> =>
  Effect.flatMap(
    definedRoles,
    (defined) =>
      defined.includes(role) ? Effect.void : Effect.fail(Errors.ValidationError.at(path, `not a defined role: ${role}`))
  )

const PermissionName = Schema.String.pipe(
  Schema.check(
    Schema.isPattern(/^[a-z][A-Za-z0-9]*(\.[a-z][A-Za-z0-9]*){2,}$/, {
      message: "a permission is <context>.<resource>.<action>"
    })
  ),
  Schema.brand("Permission")
)

/** AUTH-02 guard: admin-only permissions can only go to admin roles; `system` is not configurable. */
export const checkGrant = (role: Actor.Role, permissions: ReadonlyArray<Actor.Permission>) => {
  if (role === "system") return Effect.fail(Errors.ValidationError.at(["role"], "the system role is not configurable"))
  const reserved = permissions.find((p) => Permissions.adminOnly.includes(p))
  if (reserved !== undefined && !Permissions.adminRoles.includes(role)) {
    return Effect.fail(Errors.ValidationError.at(["permissions"], `${reserved} is reserved for admin roles`))
  }
  return Effect.succeed(permissions)
}

export const RolePermissions = Schema.Struct({
  role: Actor.Role,
  permissions: Schema.Array(Actor.Permission),
  overridden: Schema.Boolean
})

/** Replaces what `role` may do in the actor's organization. */
export const setRolePermissions = Command.make({
  name: "identity.setRolePermissions",
  input: Schema.Struct({
    role: Actor.Role,
    permissions: Schema.Array(PermissionName).pipe(Schema.check(Schema.isMaxLength(500)))
  }),
  output: RolePermissions,
  permission: Permissions.roleConfigure,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const permissions = yield* checkGrant(input.role, input.permissions)
    yield* checkDefined(input.role)
    const repo = yield* RolePermissionRepository
    const { grants: defaults } = yield* DefaultGrants
    const before = effectivePermissions(defaults, yield* repo.find(ctx.tenant, input.role), input.role)
    yield* repo.set(ctx.tenant, input.role, permissions)
    const after = [...new Set(permissions)].sort()
    return {
      result: { role: input.role, permissions: after, overridden: true },
      changes: [
        updated(
          "RolePermissions",
          `${ctx.tenant.organizationId}/${input.role}`,
          { permissions: before },
          { permissions: after }
        )
      ]
    }
  })
})

/** Drops the tenant's override: `role` holds the defaults again. */
export const resetRolePermissions = Command.make({
  name: "identity.resetRolePermissions",
  input: Schema.Struct({ role: Actor.Role }),
  output: RolePermissions,
  permission: Permissions.roleConfigure,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const repo = yield* RolePermissionRepository
    const { grants: defaults } = yield* DefaultGrants
    const before = effectivePermissions(defaults, yield* repo.find(ctx.tenant, input.role), input.role)
    yield* repo.remove(ctx.tenant, input.role)
    const after = [...(defaults[input.role] ?? [])]
    return {
      result: { role: input.role, permissions: after, overridden: false },
      changes: [
        updated(
          "RolePermissions",
          `${ctx.tenant.organizationId}/${input.role}`,
          { permissions: before },
          { permissions: after }
        )
      ]
    }
  })
})

/** Every role the host defined (except `system`) with what it holds in the actor's organization. */
export const rolePermissions = Command.query({
  name: "identity.rolePermissions",
  input: Schema.Struct({}),
  permission: Permissions.roleRead,
  handler: Effect.fnUntraced(function*(_input, ctx) {
    const repo = yield* RolePermissionRepository
    const { grants: defaults } = yield* DefaultGrants
    return yield* Effect.forEach(
      Actor.definedRoles(defaults),
      (role) =>
        Effect.map(repo.find(ctx.tenant, role), (o) => ({
          role,
          permissions: [...effectivePermissions(defaults, o, role)],
          overridden: Option.isSome(o)
        }))
    )
  })
})
