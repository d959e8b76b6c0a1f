/**
 * What every identity repository shares: how it joins the unit of work for its kind of table and the
 * mapping of write errors to the ports' types. Timestamps follow every adapter's one convention
 * (`../sql/Timestamps.ts`: `Date` parameters and `Date` columns, converted from and to epoch milliseconds).
 *
 * Three kinds of tables (see migrations/identity and docs/postgres.md, "Identity"):
 *
 * - global (`auth.*`): the ports take no tenant, so the repository joins the current unit of work
 *   (`db.transaction`) without binding one;
 * - organization-wide (`identity.workspaces`, `employees`, `role_permissions`): the policy compares the
 *   organization only, so a call for another workspace of the transaction's organization joins the
 *   transaction as it is (identity writes an employee "in its own scope" from another workspace);
 * - workspace rows (`departments`, `settings`): `db.inTenant(tenant)`, strictly one tenant.
 */
import { Effect } from "effect"
import { Errors, type Ids, Tenant } from "@erpkit/kernel"
import { isSqlError, type SqlError } from "effect/sql/SqlError"
import type { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import type * as TenantTable from "../sql/TenantTable.ts"
import * as Storable from "../Storable.ts"

type Db = PgDatabase["Service"]

/** Global tables: join (or open) the unit of work, whatever tenant it serves. */
export const global = (db: Db) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  db.transaction(effect)

/**
 * Organization-wide tables: bind `tenant`, except when the current command's tenant is another
 * workspace of the same organization (then its transaction already shows these rows).
 */
export const inOrganization =
  (db: Db, tenant: Tenant.Tenant) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.flatMap(
      Tenant.CurrentTenant,
      (current) =>
        current !== undefined && current.organizationId === tenant.organizationId &&
          current.workspaceId !== tenant.workspaceId
          ? db.transaction(effect)
          : db.inTenant(tenant)(effect)
    )

/** Workspace tables: exactly this tenant (another one in the same transaction is a defect). */
export const inWorkspace = (db: Db, tenant: Tenant.Tenant) => db.inTenant(tenant)

/** Strings Postgres cannot store (U+0000): the ports have no error channel for it, so it is a defect. */
export const checkStorable = (value: unknown, path: ReadonlyArray<string>): Effect.Effect<void> =>
  Storable.checkOrDie(value, path)

/** The typed errors of a `taken` map (constraint → error). */
type Taken<M> = ReturnOf<M[keyof M]>
type ReturnOf<F> = F extends () => infer T ? T : never

/**
 * Write errors as the ports declare them: a unique violation of a constraint in `taken` is that typed
 * error (`BinTaken`, `DepartmentCodeTaken`, …, with its figures), of any other constraint `Conflict` for
 * `entity`, with the reason the memory layer gives for that constraint; any other integrity violation
 * breaks a second line the commands should have kept, so it dies (as `ConstraintViolation`); other SQL
 * errors die as they are, so the unit of work can retry the retryable ones.
 */
export const mapWrite =
  <M extends Readonly<Record<string, () => unknown>> = {}>(
    entity: string,
    reasons: Readonly<Record<string, string>> = {},
    taken?: M
  ) =>
  <A, E, R>(
    effect: Effect.Effect<A, E | SqlError, R>
  ): Effect.Effect<A, Exclude<E, SqlError> | Errors.Conflict | Taken<M>, R> =>
    Effect.catch(effect, (error): Effect.Effect<never, Exclude<E, SqlError> | Errors.Conflict | Taken<M>> => {
      if (!isSqlError(error)) return Effect.fail(error as Exclude<E, SqlError>)
      const mapped = SqlState.toDomainError(error)
      if (mapped === undefined) return Effect.die(error)
      if (mapped instanceof Errors.Conflict) {
        const constraint = SqlState.fields(error).constraint
        const typed = constraint === undefined ? undefined : taken?.[constraint]
        if (typed !== undefined) return Effect.fail(typed() as Taken<M>)
        const reason = constraint === undefined ? undefined : reasons[constraint]
        return Effect.fail(new Errors.Conflict({ entity, reason: reason ?? mapped.reason }))
      }
      return Effect.die(mapped)
    })

/** An update's `Conflict` cannot happen (ids never change, every unique key is in `taken`): it dies. */
export const noConflict = <A, E, R>(
  effect: Effect.Effect<A, E | Errors.Conflict, R>
): Effect.Effect<A, Exclude<E, Errors.Conflict>, R> =>
  Effect.catchIf(
    effect,
    (e): e is Errors.Conflict => e instanceof Errors.Conflict,
    (e) => Effect.die(e)
  ) as Effect.Effect<A, Exclude<E, Errors.Conflict>, R>

/** The tenant of a row that carries the tenant columns. */
export const tenantOf = (row: TenantTable.TenantColumns): Tenant.Tenant => ({
  organizationId: row.organizationId as Ids.OrganizationId,
  workspaceId: row.workspaceId as Ids.WorkspaceId
})

/** Reads: every SQL error is a defect (retryable ones are still retried by the unit of work). */
export const read = SqlState.orDie

/** The `StaleVersion` of `Versioned.checkNext`, for an update that matched no row at `version - 1`. */
export const staleWrite = (entity: string, storedVersion: number, written: number): Errors.StaleVersion =>
  new Errors.StaleVersion({ entity, storedVersion, writtenVersion: written })

/**
 * An optimistic update: `update` writes only when the stored row is at `written - 1` and returns the
 * rows it wrote; when it wrote none, `stored` (the row's current version in the same scope, if it is
 * visible and live) tells `NotFound` from a stale write.
 */
export const versioned = <E, R1, R2>(
  entity: string,
  id: string,
  written: number,
  update: Effect.Effect<ReadonlyArray<unknown>, E, R1>,
  stored: Effect.Effect<ReadonlyArray<{ readonly version: number }>, SqlError, R2>
): Effect.Effect<void, E | Errors.StaleVersion | Errors.NotFound, R1 | R2> =>
  Effect.flatMap(update, (rows) => {
    if (rows.length > 0) return Effect.void
    return Effect.flatMap(read(stored), (found): Effect.Effect<never, Errors.StaleVersion | Errors.NotFound> => {
      const row = found[0]
      return row === undefined
        ? Effect.fail(new Errors.NotFound({ entity, id }))
        : Effect.fail(staleWrite(entity, row.version, written))
    })
  })

/** A lookup key Postgres cannot store (U+0000) matches no stored row: answer without SQL. */
export const lookup = <A, E, R>(key: unknown, empty: A, effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Storable.findNul(key) === undefined ? effect : Effect.succeed(empty)
