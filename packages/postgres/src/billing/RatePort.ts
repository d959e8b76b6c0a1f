/**
 * What `RateCardRepository` and `SurchargeRepository` share: both tables have the same validity
 * columns and soft delete, so `list`, `getForUpdate` (`FOR NO KEY UPDATE`) and the `deactivateExpired`
 * job (BIL-RC-03: ONE statement over a `MATERIALIZED` CTE, earliest `valid_to` first, at most `limit`,
 * `SKIP LOCKED`) are written once, over each table's row mapping (alias `r`, live rows only).
 */
import { Effect } from "effect"
import type { Tenant } from "@erpkit/kernel"
import type { RateCardRepository as Port } from "@erpkit/billing"
import type { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { toTimestamptz } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { assertTenant, clampLimit, sameTenant, touched } from "./shared.ts"

interface Row {
  readonly id: string
  readonly tenant: Tenant.Tenant
  readonly validTo: string
}

/**
 * The live rows of a rate table (alias `r`) whose validity ended before `today`, deactivated (at most `limit`), each
 * before and after.
 */
const deactivateExpired =
  <A extends Row, R extends object>(
    db: PgDatabase["Service"],
    t: TenantTable.TenantTable<A, R>
  ): Port.RatePort<A, A["id"]>["deactivateExpired"] =>
  (tenant, today, now, limit) => {
    const sql = db.sql
    return db.inTenant(tenant)(Effect.map(
      SqlState.orDie(sql<Record<string, unknown>>`
      WITH due AS MATERIALIZED (
        SELECT r.* FROM ${sql.literal(t.table)} r
        WHERE ${t.scope(sql, tenant)} AND r.is_active AND r.valid_to < ${today}::date
        ORDER BY r.valid_to, r.id LIMIT ${Math.max(0, Math.floor(limit))}
        FOR NO KEY UPDATE SKIP LOCKED
      ), changed AS (
        UPDATE ${sql.literal(t.table)} r SET is_active = false, updated_at = ${toTimestamptz(now)}
        FROM due d
        WHERE r.id = d.id AND ${t.scope(sql, tenant)} AND r.is_active
        RETURNING r.*
      )
      SELECT ${sql.literal(`${t.selectListAs("c", "")}, ${t.selectListAs("d", "old.")}`)}
      FROM changed c JOIN due d ON d.id = c.id ORDER BY c.valid_to, c.id`),
      (rows) => rows.map((row) => ({ before: t.decodeAs(row, "old."), after: t.decodeAs(row, "") }))
    ))
  }

/** The `RatePort` over the mapping `t`; `strings` are the texts of a row to check for NUL. */
export const ratePort = <A extends Row, R extends object>(
  db: PgDatabase["Service"],
  t: TenantTable.TenantTable<A, R>,
  strings: (row: A) => unknown
): Port.RatePort<A, A["id"]> => {
  const sql = db.sql
  const select = TenantTable.get(db, t)
  return {
    insert: (tenant, row) =>
      db.inTenant(tenant)(Effect.gen(function*() {
        yield* assertTenant(t.entity, row.id, tenant, row.tenant)
        yield* Storable.checkOrDie(strings(row), [t.entity])
        yield* SqlState.orDie(t.insert(sql, tenant, row))
      })),
    get: (tenant, id) => select(tenant, id, false),
    getForUpdate: (tenant, id) => select(tenant, id, true),
    // A soft-deleted row is NotFound, as in the memory reference (its update needs a live row).
    update: (tenant, row) =>
      sameTenant(tenant, row.tenant)
        ? Effect.andThen(
          Storable.checkOrDie(strings(row), [t.entity]),
          TenantTable.updateLocked(db, t, tenant, row.id, t.update(sql, tenant, row.id, row), false)
        )
        : touched(t.entity, row.id)([]),
    list: (tenant, query = {}) =>
      db.inTenant(tenant)(
        Effect.map(
          SqlState.orDie(
            sql<R>`SELECT ${sql.literal(t.selectList())} FROM ${sql.literal(t.table)} r WHERE ${t.scope(sql, tenant)}
          ${query.currency === undefined ? sql`` : sql`AND r.currency = ${query.currency}`}
          ${
            query.usableOn === undefined ? sql`` : sql`AND r.is_active AND r.valid_from <= ${query.usableOn}::date
                AND r.valid_to >= ${query.usableOn}::date`
          }
          ORDER BY r.created_at, r.id LIMIT ${clampLimit(query.limit)}`
          ),
          (rows) => rows.map(t.decode)
        )
      ),
    deactivateExpired: deactivateExpired(db, t)
  }
}
