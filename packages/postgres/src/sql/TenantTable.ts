/**
 * One row mapping per tenant table, from which its select list, INSERT, UPDATE and decoding come, and
 * the helpers every repository over such a table shares: the tenant-scoped get (optionally locking
 * `FOR NO KEY UPDATE`) and the deferred update of a row this transaction holds locked.
 *
 * const holds = TenantTable.make({ table: "billing.credit_holds", alias: "h", entity: "CreditHold", columns: [...],
 * decode })
 *   holds.select(sql)                  // h.id, h.organization_id AS "organizationId", …
 *   TenantTable.get(db, holds)(tenant, id, lock)
 *
 * Tables are tenant tables: `organization_id` and `workspace_id` are part of the key and of every
 * WHERE, and the key column is `id`.
 */
import { Effect } from "effect"
import { Errors, type Tenant } from "@erpkit/kernel"
import type { Fragment, Statement } from "effect/sql/Statement"
import type { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"

type Db = PgDatabase["Service"]
type Sql = Db["sql"]

/** One column of a table's row mapping. */
export interface Column<E> {
  /** The SQL column. */
  readonly name: string
  /** The field of the selected row (the column's alias): `name` in camelCase. */
  readonly field: string
  /** The parameter written for an entity; absent: not written from the entity (a column only SQL sets). */
  readonly value?: ((entity: E) => unknown) | undefined
  /** The parameter's type cast, needed where it may be `null` (`date`, `timestamptz`, `uuid`, …). */
  readonly cast?: string | undefined
  /** Written by INSERT only: a value that never changes once the row exists (creation stamps, references). */
  readonly fixed?: boolean | undefined
  /** SQL around the parameter, e.g. `["string_to_array(", ", ',')"]` (trusted text, never input). */
  readonly wrap?: readonly [before: string, after: string] | undefined
  /** A cast of the column where it is selected (e.g. `text` for a numeric read as exact decimal text). */
  readonly readAs?: string | undefined
}

const camel = (name: string): string => name.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase())

/** A column written from `value`; `options.cast` for nullable parameters, `options.fixed` for insert-only values. */
export const column = <E>(
  name: string,
  value?: (entity: E) => unknown,
  options: {
    readonly cast?: string
    readonly fixed?: boolean
    readonly field?: string
    readonly wrap?: readonly [before: string, after: string]
    readonly readAs?: string
  } = {}
): Column<E> => ({
  name,
  field: options.field ?? camel(name),
  value,
  cast: options.cast,
  fixed: options.fixed,
  wrap: options.wrap,
  readAs: options.readAs
})

/** The tenant columns every tenant table has, as every row carries them. */
export interface TenantColumns {
  readonly organizationId: string
  readonly workspaceId: string
}

export interface TableSpec<E, Row> {
  /** Schema-qualified table, e.g. `billing.credit_holds`. */
  readonly table: string
  /** The alias the table has in every statement built here (and in a repository's own WHERE fragments). */
  readonly alias: string
  /** The entity's name in `NotFound`. */
  readonly entity: string
  /** Every column but the tenant columns, `id` first. */
  readonly columns: ReadonlyArray<Column<E>>
  readonly decode: (row: Row) => E
  /** Extra condition of every read and update (e.g. `deleted_at IS NULL`), in terms of `alias`. */
  readonly live?: string
}

export interface TenantTable<E, Row> extends TableSpec<E, Row> {
  /** The select list, aliased to the row's fields; `alias` defaults to the table's. */
  readonly selectList: (alias?: string) => string
  /** The select list with every field named `<prefix><field>` (to sit beside another table's in one row). */
  readonly selectListAs: (alias: string, prefix: string) => string
  /** The entity in a row selected with `selectListAs(…, prefix)`. */
  readonly decodeAs: (row: Readonly<Record<string, unknown>>, prefix: string) => E
  /** `alias.organization_id = … AND alias.workspace_id = …` (and `live`). */
  readonly scope: (sql: Sql, tenant: Tenant.Tenant) => Fragment
  /** `INSERT INTO table (…) VALUES (…)` of `entity` in `tenant` (no RETURNING: add it, or embed it in a CTE). */
  readonly insert: (sql: Sql, tenant: Tenant.Tenant, entity: E) => Statement<unknown>
  /** `UPDATE table alias SET <every column not fixed> WHERE <scope> AND id = … RETURNING alias.id`. */
  readonly update: (sql: Sql, tenant: Tenant.Tenant, id: string, entity: E) => Statement<unknown>
  /**
   * The optimistic `update`: it matches only while the stored `version` is `expected` (the entity's
   * version − 1), so a concurrent writer's change makes it match no row (see `storedVersion`).
   */
  readonly updateVersioned: (
    sql: Sql,
    tenant: Tenant.Tenant,
    id: string,
    entity: E,
    expected: number
  ) => Statement<unknown>
  /**
   * `SELECT alias.version … WHERE <scope> AND id = …`: after an optimistic update matched nothing, a stale write or a
   * missing row.
   */
  readonly storedVersion: (sql: Sql, tenant: Tenant.Tenant, id: string) => Statement<{ readonly version: number }>
  /** The key `PgDatabase.lock` records for the row `id` (`<table>/<id>`). */
  readonly lockKey: (id: string) => string
}

const tenantSelect = (
  alias: string
): ReadonlyArray<readonly [string, string]> => [
  [`${alias}.organization_id`, "organizationId"],
  [`${alias}.workspace_id`, "workspaceId"]
]

export const make = <E, Row extends object>(spec: TableSpec<E, Row>): TenantTable<E, Row> => {
  const selected = (
    alias: string
  ): ReadonlyArray<readonly [string, string]> => [
    ...tenantSelect(alias),
    ...spec.columns.map((c) => [`${alias}.${c.name}${c.readAs === undefined ? "" : `::${c.readAs}`}`, c.field] as const)
  ]
  const written = spec.columns.filter((c) => c.value !== undefined)
  const updated = written.filter((c) => c.fixed !== true && c.name !== "id")
  const insertHead = `INSERT INTO ${spec.table} (organization_id, workspace_id, ${
    written.map((c) => c.name).join(", ")
  }) VALUES (`
  const updateHead = `UPDATE ${spec.table} ${spec.alias} SET `
  const before = (c: Column<E>) => c.wrap?.[0] ?? ""
  const after = (c: Column<E>) => `${c.wrap?.[1] ?? ""}${c.cast === undefined ? "" : `::${c.cast}`}`
  const param = (sql: Sql, c: Column<E>, entity: E): Fragment =>
    c.cast === undefined && c.wrap === undefined
      ? sql`${c.value!(entity) as never}`
      : sql`${sql.literal(before(c))}${c.value!(entity) as never}${sql.literal(after(c))}`
  const scope = (sql: Sql, tenant: Tenant.Tenant) =>
    sql`${sql.literal(`${spec.alias}.organization_id = `)}${tenant.organizationId}${
      sql.literal(` AND ${spec.alias}.workspace_id = `)
    }${tenant.workspaceId}${sql.literal(spec.live === undefined ? "" : ` AND ${spec.live}`)}`
  const update = (
    sql: Sql,
    tenant: Tenant.Tenant,
    id: string,
    entity: E,
    also: Fragment
  ) => sql`${sql.literal(updateHead)}${
    sql.join(", ", false)(updated.map((c) => sql`${sql.literal(`${c.name} = `)}${param(sql, c, entity)}`))
  }
        WHERE ${scope(sql, tenant)} AND ${sql.literal(`${spec.alias}.id = `)}${id}${also} RETURNING ${
          sql.literal(`${spec.alias}.id`)
        }`
  return {
    ...spec,
    selectList: (alias = spec.alias) => selected(alias).map(([expr, field]) => `${expr} AS "${field}"`).join(", "),
    selectListAs: (alias, prefix) =>
      selected(alias).map(([expr, field]) => `${expr} AS "${prefix}${field}"`).join(", "),
    decodeAs: (row, prefix) =>
      spec.decode(Object.fromEntries(selected("").map(([, field]) => [field, row[`${prefix}${field}`]])) as Row),
    scope,
    insert: (sql, tenant, entity) =>
      sql`${sql.literal(insertHead)}${tenant.organizationId}, ${tenant.workspaceId}, ${
        sql.join(", ", false)(written.map((c) => param(sql, c, entity)))
      })`,
    update: (sql, tenant, id, entity) => update(sql, tenant, id, entity, sql``),
    updateVersioned: (sql, tenant, id, entity, expected) =>
      update(sql, tenant, id, entity, sql`${sql.literal(` AND ${spec.alias}.version = `)}${expected}`),
    storedVersion: (
      sql,
      tenant,
      id
    ) => sql<{ readonly version: number }>`SELECT ${
      sql.literal(`${spec.alias}.version FROM ${spec.table} ${spec.alias}`)
    }
        WHERE ${scope(sql, tenant)} AND ${sql.literal(`${spec.alias}.id = `)}${id}`,
    lockKey: (id) => `${spec.table}/${id}`
  }
}

/**
 * The tenant-scoped read of one row by id, `NotFound` when it is not there (or not live). With `lock`
 * it is `SELECT … FOR NO KEY UPDATE` and the transaction records the row lock (`PgDatabase.lock`), so
 * the row's update may be deferred (`updateLocked`).
 */
export const get = <E, Row extends object>(db: Db, t: TenantTable<E, Row>) => {
  const sql = db.sql
  const columns = sql.literal(t.selectList())
  const from = sql.literal(`FROM ${t.table} ${t.alias}`)
  const forUpdate = sql.literal(`FOR NO KEY UPDATE OF ${t.alias}`)
  return (tenant: Tenant.Tenant, id: string, lock: boolean): Effect.Effect<E, Errors.NotFound> =>
    db.inTenant(tenant)(
      Effect.flatMap(
        SqlState.orDie(
          sql<Row>`SELECT ${columns} ${from} WHERE ${t.scope(sql, tenant)} AND ${
            sql.literal(`${t.alias}.id = `)
          }${id} ${lock ? forUpdate : sql``}`
        ),
        (rows) => {
          if (rows.length === 0) return Effect.fail(new Errors.NotFound({ entity: t.entity, id }))
          const entity = t.decode(rows[0]!)
          return lock ? Effect.as(db.lock(t.lockKey(id)), entity) : Effect.succeed(entity)
        }
      )
    )
}

/**
 * Runs `statement` (an UPDATE of the row `id` ending in RETURNING) as the row's update. When this
 * transaction holds the row's lock (`get(…, true)`), the row certainly exists and nobody else changes
 * it: the update is deferred (`PgDatabase.write`) and travels with the command's next statement.
 * Otherwise (or when not `mayDefer`) it runs at once, and `NotFound` when it matched no row.
 */
export const updateLocked = <E, Row extends object>(
  db: Db,
  t: TenantTable<E, Row>,
  tenant: Tenant.Tenant,
  id: string,
  statement: Statement<unknown>,
  mayDefer = true
): Effect.Effect<void, Errors.NotFound> =>
  Effect.flatMap(
    mayDefer
      ? Effect.zipWith(db.holds(t.lockKey(id)), db.defers(tenant), (held, defers) => held && defers)
      : Effect.succeed(false),
    (deferred) =>
      deferred
        ? db.write(tenant, {
          tables: [t.table],
          statement,
          expect: { rows: 1, error: () => new Error(`locked ${t.entity} ${id} vanished before its update`) }
        })
        : db.inTenant(tenant)(
          Effect.flatMap(
            SqlState.orDie(statement),
            (rows) => rows.length === 0 ? Effect.fail(new Errors.NotFound({ entity: t.entity, id })) : Effect.void
          )
        )
  )
