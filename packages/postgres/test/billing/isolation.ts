/**
 * Tenant isolation with row-level security as the only barrier: raw `SELECT … FROM <table>` with no
 * tenant filter at all, run as the app role (`SET LOCAL ROLE erpkit_app`) in a transaction bound to
 * one tenant, exactly as the adapter binds its own transactions. Whatever the query sees of another
 * tenant is a leak, whatever the repositories' WHERE clauses would have filtered.
 */
import { Effect, Exit } from "effect"
import type { Tenant } from "@erpkit/kernel"
import type { SqlClient } from "effect/sql"
import * as SqlState from "../../src/SqlState.ts"

/** Every table of the billing and platform schemas with an organization_id column (found, not listed by hand). */
export const tenantTables = (admin: SqlClient.SqlClient) =>
  Effect.orDie(
    admin<{ readonly name: string; readonly rls: boolean; readonly forced: boolean; readonly workspaced: boolean }>`
    SELECT n.nspname || '.' || c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced,
      EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'workspace_id'
        AND NOT a.attisdropped) AS workspaced
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'p') AND n.nspname IN ('billing', 'platform')
      AND EXISTS (SELECT 1 FROM pg_attribute a WHERE a.attrelid = c.oid AND a.attname = 'organization_id'
        AND NOT a.attisdropped)
    ORDER BY 1`
  )

export interface Seen {
  readonly table: string
  /** rows visible to the viewer, by "organization/workspace" */
  readonly byTenant: Readonly<Record<string, number>>
  /** the app role may not read the table at all (42501) */
  readonly denied: boolean
}

export const tenantLabel = (t: Tenant.Tenant) => `${t.organizationId}/${t.workspaceId}`

/** Binds the transaction to `viewer` as the app role does: role, then the two tenant settings. */
const asApp = (admin: SqlClient.SqlClient, viewer: Tenant.Tenant) =>
  Effect.orDie(admin`SELECT set_config('role', 'erpkit_app', true),
    set_config('erpkit.organization_id', ${viewer.organizationId}, true),
    set_config('erpkit.workspace_id', ${viewer.workspaceId}, true)`)

/** What `viewer` sees of `table` with no WHERE clause, grouped by tenant. */
export const rawView = (admin: SqlClient.SqlClient, table: string, viewer: Tenant.Tenant, workspaced: boolean) =>
  Effect.gen(function*() {
    yield* asApp(admin, viewer)
    const ws = workspaced ? admin.literal("workspace_id::text") : admin.literal("''")
    return yield* admin<{ readonly tenant: string; readonly n: number }>`
      SELECT organization_id::text || '/' || ${ws} AS tenant, count(*)::int AS n FROM ${
        admin.literal(table)
      } GROUP BY 1`
  })

/** `rawView` in a transaction of its own that is rolled back; `prepare` runs first in it (e.g. a sabotage). */
export const seenBy = (
  admin: SqlClient.SqlClient,
  table: string,
  viewer: Tenant.Tenant,
  workspaced: boolean,
  prepare: Effect.Effect<unknown, unknown> = Effect.void
) =>
  Effect.gen(function*() {
    const rollback = new Error("rollback")
    let rows: ReadonlyArray<{ readonly tenant: string; readonly n: number }> = []
    const exit = yield* Effect.exit(admin.withTransaction(Effect.gen(function*() {
      yield* Effect.orDie(prepare)
      rows = yield* rawView(admin, table, viewer, workspaced)
      return yield* Effect.die(rollback) // nothing a check does may stay, sabotage included
    })))
    const errors = Exit.isFailure(exit) ? SqlState.findSqlErrors(exit.cause) : []
    const denied = errors.some((e) => SqlState.sqlState(e) === "42501")
    if (!denied && errors.length > 0) return yield* Effect.die(errors[0])
    return { table, denied, byTenant: Object.fromEntries(rows.map((r) => [r.tenant, r.n])) } satisfies Seen
  })

/** The tenants other than `viewer` whose rows `viewer` saw. */
export const leaks = (seen: Seen, viewer: Tenant.Tenant, workspaced: boolean): ReadonlyArray<string> => {
  const own = workspaced ? tenantLabel(viewer) : `${viewer.organizationId}/`
  return Object.entries(seen.byTenant).filter(([t, n]) => t !== own && n > 0).map(([t, n]) =>
    `${seen.table}: ${n} row(s) of ${t}`
  )
}

/** Rows per tenant as the admin login (a superuser: RLS does not apply), for the positive control. */
export const rowsOf = (admin: SqlClient.SqlClient, table: string, tenant: Tenant.Tenant) =>
  Effect.map(
    Effect.orDie(admin<{ readonly n: number }>`
    SELECT count(*)::int AS n FROM ${admin.literal(table)} WHERE organization_id = ${tenant.organizationId}
      AND workspace_id = ${tenant.workspaceId}`),
    (r) => r[0]!.n
  )
