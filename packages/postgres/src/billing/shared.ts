/**
 * What billing's Postgres repositories share: tenant filters, column conversions (exact rates ↔
 * numerator/denominator numerics) and the error mappings of the ports. Instants follow the adapters'
 * one timestamp convention, `../sql/Timestamps.ts`; row mappings and the tenant-scoped get / locked
 * update are `../sql/TenantTable.ts`.
 */
import { Effect } from "effect"
import { Errors, type Rate, type Tenant } from "@erpkit/kernel"
import type { SqlError } from "effect/sql/SqlError"
import { isSqlError } from "effect/sql/SqlError"
import * as SqlState from "../SqlState.ts"

/** Row columns every billing table has. */
export interface TenantColumns {
  readonly organizationId: string
  readonly workspaceId: string
}

export const tenantOf = (row: TenantColumns): Tenant.Tenant =>
  ({ organizationId: row.organizationId, workspaceId: row.workspaceId }) as Tenant.Tenant

/** numeric columns come back as decimal text; exact rates are stored as two integer numerics. */
export const rate = (numerator: string | bigint, denominator: string | bigint): Rate.Rate => ({
  numerator: BigInt(numerator),
  denominator: BigInt(denominator)
})

export const notFound = (entity: string, id: string) => new Errors.NotFound({ entity, id })

/** The first row, or `NotFound`. */
export const single = <A>(entity: string, id: string) => (rows: ReadonlyArray<A>): Effect.Effect<A, Errors.NotFound> =>
  rows.length === 0 ? Effect.fail(notFound(entity, id)) : Effect.succeed(rows[0]!)

/** Fails with `NotFound` when an UPDATE … RETURNING touched no row. */
export const touched =
  (entity: string, id: string) => (rows: ReadonlyArray<unknown>): Effect.Effect<void, Errors.NotFound> =>
    rows.length === 0 ? Effect.fail(notFound(entity, id)) : Effect.void

/**
 * For inserts whose port declares one domain error for one unique constraint: a 23505 on
 * `constraint` becomes `onDuplicate()`; every other SQL error dies (retryable ones are still retried
 * by the unit of work).
 */
export const duplicateAs =
  <E>(constraint: string, onDuplicate: () => E) =>
  <A, E0, R>(effect: Effect.Effect<A, E0 | SqlError, R>): Effect.Effect<A, Exclude<E0, SqlError> | E, R> =>
    Effect.catch(effect, (error): Effect.Effect<never, Exclude<E0, SqlError> | E> => {
      if (!isSqlError(error)) return Effect.fail(error as Exclude<E0, SqlError>)
      const f = SqlState.fields(error)
      return f.code === "23505" && f.constraint === constraint ? Effect.fail(onDuplicate()) : Effect.die(error)
    })

/** A record whose tenant is not the one the call names: the memory reference treats it as a defect. */
export const assertTenant = (
  entity: string,
  id: string,
  given: Tenant.Tenant,
  record: Tenant.Tenant
): Effect.Effect<void> =>
  given.organizationId === record.organizationId && given.workspaceId === record.workspaceId
    ? Effect.void
    : Effect.die(new Error(`${entity} ${id} belongs to another tenant than the one given`))

export const sameTenant = (a: Tenant.Tenant, b: Tenant.Tenant): boolean =>
  a.organizationId === b.organizationId && a.workspaceId === b.workspaceId

/** JSON text for `jsonb_to_recordset`: bigints as decimal strings. */
export const jsonRows = (rows: ReadonlyArray<Record<string, unknown>>): string =>
  JSON.stringify(rows, (_key, value: unknown) => (typeof value === "bigint" ? value.toString() : value))

/** Bound of every list without an explicit limit (as the memory reference). */
export const defaultListLimit = 1_000
export const clampLimit = (limit: number | undefined, max = defaultListLimit): number =>
  limit === undefined ? max : Math.max(0, Math.min(10_000, Math.floor(limit)))
