/** Shared test helpers: opening tenants, registering users, reading outcomes and store snapshots. */
import { Effect, Exit } from "effect"
import { Actor, type Command, type Errors, MemoryStore, type Tenant } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { Access, Organizations, type User, Users } from "@erpkit/identity"
import { Arbitraries } from "@erpkit/identity/testing"
import * as fc from "fast-check"

let counter = 0
/** A fresh e-mail address per call. */
export const freshEmail = (label = "user") => `${label}${++counter}@example.kz`

/** A valid, unused BIN per call (valid check digit, so it passes with the option on as well). */
const bins = fc.sample(Arbitraries.validBin, { numRuns: 500, seed: 42 })
export const freshBin = (): string => bins[counter++ % bins.length]!

/** The error tag of a failed effect, or "Success". */
export const outcome = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<string, never, R> =>
  Effect.map(Effect.exit(effect), (exit) =>
    Exit.isSuccess(exit)
      ? "Success"
      : exit.cause.reasons.map((r) => (r._tag === "Fail" ? String((r.error as { _tag?: unknown })._tag) : `${r._tag}:${String((r as { defect?: unknown }).defect)}`)).join(","))

/** Opens an organization (as the system actor) and returns its tenant. */
export const openTenant = (kind: "internal" | "customer" = "internal") =>
  Effect.map(
    Organizations.createOrganization(Actor.system(tenantA), { name: "Org", bin: freshBin(), kind }),
    (o): Tenant.Tenant => ({ organizationId: o.organization.id, workspaceId: o.workspace.id })
  )

/** Registers a user in `tenant` (public command). */
export const register = (tenant: Tenant.Tenant, email = freshEmail(), name = "Ana") =>
  Users.register(Access.anonymous(tenant), { email, name })

/** The actor a signed-in user is. */
export const actorOf = (user: User.User, tenant: Tenant.Tenant): Actor.Actor => ({ userId: user.id, roles: [user.role], tenant })

/** A registered user with `role` (assigned by the system actor). */
export const userWithRole = (tenant: Tenant.Tenant, role: Actor.Role) =>
  Effect.gen(function*() {
    const { user } = yield* register(tenant)
    const withRole = yield* Users.assignRole(Actor.system(tenant), { userId: user.id, role, ...(role === "customer" ? { customerId: "0e000000-0000-7000-8000-000000000001" } : {}) })
    return { user: withRole, actor: actorOf(withRole, tenant) }
  })

const tables = [
  "auth.users", "auth.sessions", "auth.accounts", "auth.email_verifications", "identity.organizations", "identity.workspaces",
  "identity.employees", "identity.departments", "identity.settings", "identity.role_permissions", "platform.outbox",
  "platform.audit_log", "platform.idempotency_keys"
]

/** Every identity and platform table, as sorted JSON: equal snapshots mean nothing was written. */
export const snapshot = Effect.gen(function*() {
  const store = yield* MemoryStore.MemoryStore
  const parts = yield* Effect.forEach(tables, (t) => Effect.map(store.table<unknown>(t).all, (rows) => rows.map((r) => JSON.stringify(r)).sort()))
  return JSON.stringify(parts)
})
