/** Helpers for the identity command tests on Postgres: opening tenants, users, outcomes, snapshots. */
import { Effect, Exit, type Layer } from "effect"
import { Actor, type Tenant } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { Access, Organizations, type User, Users } from "@erpkit/identity"
import { Arbitraries } from "@erpkit/identity/testing"
import { SqlClient } from "effect/sql"
import * as fc from "fast-check"
import { snapshotTables, type stackLayer } from "./harness.ts"

let counter = 0
const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`

/** A fresh e-mail address per call (unique across files sharing a server). */
export const freshEmail = (label = "user") => `${label}${++counter}.${run}@example.kz`

const bins = fc.sample(Arbitraries.validBin, { numRuns: 2_000, seed: Date.now() % 100_000 })
/** A well-formed BIN, distinct per call within the file (each file has a database of its own). */
export const freshBin = (): string => bins[counter++ % bins.length]!

/** The error tag of a failed effect (defects as `Die:<message>`), or "Success". */
export const outcome = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<string, never, R> =>
  Effect.map(Effect.exit(effect), (exit) =>
    Exit.isSuccess(exit)
      ? "Success"
      : exit.cause.reasons.map((r) => (r._tag === "Fail" ? String((r.error as { _tag?: unknown })._tag) : `${r._tag}:${String((r as { defect?: unknown }).defect)}`)).join(","))

/** What the helpers need and how they fail (annotated so declarations stay portable). */
type Stack = Layer.Success<ReturnType<typeof stackLayer>>
type Failure = { readonly _tag: string }

/** Opens an organization as the system actor of the kernel's test tenant (like a host's onboarding). */
export const openTenant = (kind: "internal" | "customer" = "internal"): Effect.Effect<Tenant.Tenant, Failure, Stack> =>
  Effect.map(
    Organizations.createOrganization(Actor.system(tenantA), { name: "Org", bin: freshBin(), kind }),
    (o): Tenant.Tenant => ({ organizationId: o.organization.id, workspaceId: o.workspace.id })
  )

export const register = (
  tenant: Tenant.Tenant,
  email = freshEmail(),
  name = "Ana"
): Effect.Effect<typeof Users.Registered.Type, Failure, Stack> => Users.register(Access.anonymous(tenant), { email, name })

export const actorOf = (user: User.User, tenant: Tenant.Tenant): Actor.Actor => ({ userId: user.id, roles: [user.role], tenant })

/** A registered user with `role`, assigned by the system actor. */
export const userWithRole = (
  tenant: Tenant.Tenant,
  role: Actor.Role
): Effect.Effect<{ readonly user: User.User; readonly actor: Actor.Actor }, Failure, Stack> =>
  Effect.gen(function*() {
    const { user } = yield* register(tenant)
    const withRole = yield* Users.assignRole(Actor.system(tenant), { userId: user.id, role })
    return { user: withRole, actor: actorOf(withRole, tenant) }
  })

/**
 * Every row of every identity, auth and platform table, read by the login outside any unit of work
 * (a superuser on both targets, so RLS does not filter): equal snapshots mean nothing was written.
 */
export const snapshot = Effect.gen(function*() {
  const sql = yield* SqlClient.SqlClient
  const parts = yield* Effect.forEach(snapshotTables, (table) =>
    Effect.map(
      Effect.orDie(sql<{ rows: string }>`SELECT coalesce(string_agg(to_jsonb(t)::text, ',' ORDER BY to_jsonb(t)::text), '') AS rows FROM ${sql.literal(table)} t`),
      (r) => `${table}:${r[0]!.rows}`
    ))
  return parts.join("\n")
})
