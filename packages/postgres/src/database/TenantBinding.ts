/**
 * Binding a unit of work to its role and tenant: `SET LOCAL ROLE` and the `erpkit.organization_id` /
 * `erpkit.workspace_id` settings the RLS policies read, all `set_config(…, true)` (transaction-local).
 * One transaction serves one tenant, except a job's (opened without one), which switches per step.
 */
import { Effect } from "effect"
import { Tenant } from "@erpkit/kernel"
import type { SqlClient } from "effect/sql"
import * as SqlState from "../SqlState.ts"
import { CrossTenantTransaction, type OpenTransaction } from "./Transaction.ts"

/** The role every unit of work runs as (created by the platform migration). */
export const appRole = "erpkit_app"
/** The role the outbox relay runs as: it sees every tenant's outbox rows and nothing else. */
export const relayRole = "erpkit_relay"

export interface TenantBinding {
  /** Binds `role` and `tenant` (none: empty settings, which RLS matches to no row). */
  readonly bindAs: (role: string, tenant: Tenant.Tenant | undefined) => Effect.Effect<void>
  /** The opening statement of a unit of work: role, tenant and (when set) lock_timeout in ONE round trip. */
  readonly open: (tenant: Tenant.Tenant | undefined, lockTimeoutMillis: number | undefined) => Effect.Effect<void>
  /** Binds `tenant` if the transaction has none yet; another tenant than the bound one is a defect. */
  readonly bind: (open: OpenTransaction, tenant: Tenant.Tenant) => Effect.Effect<void>
  /** Runs `effect` with `tenant` bound in a job's transaction, then restores the job's binding. */
  readonly switchTenant: <A, E, R>(
    open: OpenTransaction,
    tenant: Tenant.Tenant,
    effect: Effect.Effect<A, E, R>
  ) => Effect.Effect<A, E, R>
}

export const make = (sql: SqlClient.SqlClient): TenantBinding => {
  const bindAs = (role: string, tenant: Tenant.Tenant | undefined) =>
    Effect.asVoid(
      SqlState.orDie(
        sql`SELECT set_config('role', ${role}, true), set_config('erpkit.organization_id', ${
          tenant?.organizationId ?? ""
        }, true), set_config('erpkit.workspace_id', ${tenant?.workspaceId ?? ""}, true)`
      )
    )

  const open = (tenant: Tenant.Tenant | undefined, lockTimeout: number | undefined) =>
    lockTimeout === undefined
      ? bindAs(appRole, tenant)
      : Effect.asVoid(
        SqlState.orDie(
          sql`SELECT set_config('role', ${appRole}, true), set_config('erpkit.organization_id', ${
            tenant?.organizationId ?? ""
          }, true), set_config('erpkit.workspace_id', ${
            tenant?.workspaceId ?? ""
          }, true), set_config('lock_timeout', ${`${Math.max(1, Math.round(lockTimeout))}ms`}, true)`
        )
      )

  const bind = (open: OpenTransaction, tenant: Tenant.Tenant): Effect.Effect<void> => {
    if (open.tenant === undefined) {
      open.tenant = tenant
      return bindAs(appRole, tenant)
    }
    return Tenant.sameTenant(open.tenant, tenant)
      ? Effect.void
      : Effect.die(new CrossTenantTransaction({ bound: Tenant.key(open.tenant), requested: Tenant.key(tenant) }))
  }

  const switchTenant = <A, E, R>(open: OpenTransaction, tenant: Tenant.Tenant, effect: Effect.Effect<A, E, R>) => {
    const previous = open.tenant
    if (previous !== undefined && Tenant.sameTenant(previous, tenant)) return effect
    return Effect.suspend(() => {
      open.tenant = tenant
      return bindAs(appRole, tenant).pipe(
        Effect.andThen(effect),
        Effect.tap(() => Effect.andThen(Effect.sync(() => void (open.tenant = previous)), bindAs(appRole, previous))),
        // the binding in the database is unknown after a failure: the next use binds again
        Effect.onError(() => Effect.sync(() => void (open.tenant = undefined)))
      )
    })
  }

  return { bindAs, open, bind, switchTenant }
}
