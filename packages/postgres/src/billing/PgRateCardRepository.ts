/**
 * `RateCardRepository` on `billing.rate_cards` (tiers as the domain's JSON encoding in a `jsonb`
 * column, checked by `billing.tiers_well_formed`). Reads hide soft-deleted rows. `ratePort` is shared
 * with `SurchargeRepository` (Surcharges.ts): both tables have the same validity columns, so `list`,
 * `getForUpdate` (`FOR NO KEY UPDATE`) and the `deactivateExpired` job (BIL-RC-03: ONE statement over a
 * `MATERIALIZED` CTE, earliest `valid_to` first, at most `limit`, `SKIP LOCKED`) are written once.
 */
import { Effect, Layer, Schema } from "effect"
import { type LocalDate, type Tenant } from "@erpkit/kernel"
import { RateCard, RateCardRepository as Port } from "@erpkit/billing"
import type { SqlError } from "effect/sql/SqlError"
import type { Statement } from "effect/sql/Statement"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { assertTenant, clampLimit, sameTenant, single, type TenantColumns, tenantOf, touched } from "./shared.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"

/** Decodes what this adapter wrote; a row that does not decode is a defect. */
export const decodeOrDie = <S extends Schema.Top>(schema: S) => {
  const decode = Schema.decodeUnknownSync(schema as any) as (u: unknown) => S["Type"]
  return (value: unknown): Effect.Effect<S["Type"]> => Effect.try({ try: () => decode(value), catch: (e) => e }).pipe(Effect.orDie)
}
/** The domain's JSON encoding (bigints, quantities and rates as decimal strings). */
export const encodeJson = <S extends Schema.Top>(schema: S) => {
  const encode = Schema.encodeSync(Schema.toCodecJson(schema) as any) as (a: S["Type"]) => unknown
  return (value: S["Type"]): string => JSON.stringify(encode(value))
}
export const decodeJson = <S extends Schema.Top>(schema: S) => decodeOrDie(Schema.toCodecJson(schema) as any) as (u: unknown) => Effect.Effect<S["Type"]>

interface Row {
  readonly id: string
  readonly tenant: Tenant.Tenant
  readonly validTo: string
}

/**
 * The operations `RatePort` shares, over one table: `columns` selects a row as `R`, `toRow` builds the
 * domain record (it may die if the row does not decode).
 */
export const ratePort = <A extends Row, R extends object>(options: {
  readonly db: PgDatabase["Service"]
  readonly table: string
  readonly entity: string
  readonly columns: (prefix: string) => string
  readonly toRow: (row: R) => Effect.Effect<A>
  readonly insert: (tenant: Tenant.Tenant, row: A) => Effect.Effect<unknown, SqlError>
  /** The UPDATE's SET list for a row. */
  readonly set: (row: A) => Statement<unknown>
  /** Strings of a row to check for NUL. */
  readonly strings: (row: A) => unknown
}): Port.RatePort<A, A["id"]> => {
  const { db, entity } = options
  const sql = db.sql
  const table = sql.literal(options.table)
  const columns = sql.literal(options.columns(""))
  const scope = (tenant: Tenant.Tenant) =>
    sql`organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND deleted_at IS NULL`
  const rows = (effect: Effect.Effect<ReadonlyArray<R>, SqlError>) =>
    Effect.flatMap(SqlState.orDie(effect), (found) => Effect.forEach(found, options.toRow))
  const select = (tenant: Tenant.Tenant, id: string, lock: boolean) =>
    db.inTenant(tenant)(Effect.flatMap(
      SqlState.orDie(sql<R>`SELECT ${columns} FROM ${table} WHERE ${scope(tenant)} AND id = ${id} ${lock ? sql`FOR NO KEY UPDATE` : sql``}`),
      (found) => Effect.flatMap(single<R>(entity, id)(found), options.toRow)
    ))
  return {
    insert: (tenant, row) =>
      db.inTenant(tenant)(Effect.gen(function*() {
        yield* assertTenant(entity, row.id, tenant, row.tenant)
        yield* Storable.checkOrDie(options.strings(row), [entity])
        yield* SqlState.orDie(options.insert(tenant, row))
      })),
    get: (tenant, id) => select(tenant, id, false),
    getForUpdate: (tenant, id) => select(tenant, id, true),
    // A soft-deleted row is NotFound, as in the memory reference (its update needs a live row).
    update: (tenant, row) =>
      sameTenant(tenant, row.tenant)
        ? db.inTenant(tenant)(Effect.gen(function*() {
          yield* Storable.checkOrDie(options.strings(row), [entity])
          const changed = yield* SqlState.orDie(sql`UPDATE ${table} SET ${options.set(row)} WHERE ${scope(tenant)} AND id = ${row.id} RETURNING id`)
          yield* touched(entity, row.id)(changed)
        }))
        : touched(entity, row.id)([]),
    list: (tenant, query = {}) =>
      db.inTenant(tenant)(rows(sql<R>`SELECT ${columns} FROM ${table} WHERE ${scope(tenant)}
        ${query.currency === undefined ? sql`` : sql`AND currency = ${query.currency}`}
        ${query.usableOn === undefined ? sql`` : sql`AND is_active AND valid_from <= ${query.usableOn}::date AND valid_to >= ${query.usableOn}::date`}
        ORDER BY created_at, id LIMIT ${clampLimit(query.limit)}`)),
    deactivateExpired: (tenant, today, now, limit) =>
      db.inTenant(tenant)(rows(sql<R>`
        WITH due AS MATERIALIZED (
          SELECT id FROM ${table}
          WHERE ${scope(tenant)} AND is_active AND valid_to < ${today}::date
          ORDER BY valid_to, id LIMIT ${Math.max(0, Math.floor(limit))}
          FOR NO KEY UPDATE SKIP LOCKED
        ), changed AS (
          UPDATE ${table} r SET is_active = false, updated_at = ${toTimestamptz(now)}
          FROM due d
          WHERE r.id = d.id AND r.organization_id = ${tenant.organizationId} AND r.workspace_id = ${tenant.workspaceId}
            AND r.is_active AND r.deleted_at IS NULL
          RETURNING r.*
        )
        SELECT ${sql.literal(options.columns(""))} FROM changed ORDER BY valid_to, id`))
  }
}

interface CardRow extends TenantColumns {
  readonly id: string
  readonly name: string
  readonly serviceLevel: string
  readonly zone: string | null
  readonly basis: string
  readonly mode: string
  readonly currency: string
  readonly tiers: unknown
  readonly minimumCharge: bigint
  readonly validFrom: string
  readonly validTo: string
  readonly isActive: boolean
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly deletedAt: Date | null
}

const cardColumns = (p = "") => `${p}id, ${p}organization_id AS "organizationId", ${p}workspace_id AS "workspaceId", ${p}name,
  ${p}service_level AS "serviceLevel", ${p}zone, ${p}basis, ${p}mode, ${p}currency, ${p}tiers, ${p}minimum_charge AS "minimumCharge",
  ${p}valid_from AS "validFrom", ${p}valid_to AS "validTo", ${p}is_active AS "isActive", ${p}created_at AS "createdAt",
  ${p}updated_at AS "updatedAt", ${p}deleted_at AS "deletedAt"`

const decodeTiers = decodeJson(RateCard.Tiers)
export const encodeTiers = encodeJson(RateCard.Tiers)

const toCard = (row: CardRow): Effect.Effect<RateCard.RateCard> =>
  Effect.flatMap(decodeTiers(row.tiers), (tiers) =>
    Effect.sync(() => new RateCard.RateCard({
      id: row.id as RateCard.RateCard["id"],
      tenant: tenantOf(row),
      name: row.name,
      serviceLevel: row.serviceLevel,
      zone: row.zone,
      basis: row.basis as RateCard.PricingBasis,
      mode: row.mode as RateCard.TierMode,
      currency: row.currency as RateCard.RateCard["currency"],
      tiers,
      minimumChargeMinor: row.minimumCharge,
      validFrom: row.validFrom as LocalDate.LocalDate,
      validTo: row.validTo as LocalDate.LocalDate,
      isActive: row.isActive,
      createdAt: fromTimestamptz(row.createdAt),
      updatedAt: fromTimestamptz(row.updatedAt),
      deletedAt: fromTimestamptzOrNull(row.deletedAt)
    })))

export const layer = Layer.effect(
  Port.RateCardRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    return ratePort<RateCard.RateCard, CardRow>({
      db,
      table: "billing.rate_cards",
      entity: "RateCard",
      columns: cardColumns,
      toRow: toCard,
      strings: (c) => [c.name, c.serviceLevel, c.zone],
      insert: (tenant, c) =>
        sql`INSERT INTO billing.rate_cards (id, organization_id, workspace_id, name, service_level, zone, basis, mode, currency, tiers,
            minimum_charge, valid_from, valid_to, is_active, created_at, updated_at, deleted_at)
          VALUES (${c.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${c.name}, ${c.serviceLevel}, ${c.zone}::text, ${c.basis}, ${c.mode},
            ${c.currency}, ${encodeTiers(c.tiers)}::jsonb, ${c.minimumChargeMinor}, ${c.validFrom}::date, ${c.validTo}::date, ${c.isActive},
            ${toTimestamptz(c.createdAt)}, ${toTimestamptz(c.updatedAt)}, ${toTimestamptzOrNull(c.deletedAt)}::timestamptz)`,
      set: (c) =>
        sql`name = ${c.name}, basis = ${c.basis}, currency = ${c.currency}, service_level = ${c.serviceLevel}, zone = ${c.zone}::text, mode = ${c.mode}, tiers = ${encodeTiers(c.tiers)}::jsonb,
          minimum_charge = ${c.minimumChargeMinor}, valid_from = ${c.validFrom}::date, valid_to = ${c.validTo}::date, is_active = ${c.isActive},
          updated_at = ${toTimestamptz(c.updatedAt)}, deleted_at = ${toTimestamptzOrNull(c.deletedAt)}::timestamptz`
    })
  })
)
