/**
 * `SurchargeRepository` on `billing.surcharges`: the kind as columns (`Fixed`: `amount`; `Percent`: the
 * exact rate as numerator/denominator, the decimal a generated column). Everything else is the rate
 * cards' shared `ratePort` (RateCards.ts): soft-deleted rows hidden, `FOR NO KEY UPDATE`, and
 * `deactivateExpired` as one statement.
 */
import { Effect, Layer } from "effect"
import { type LocalDate } from "@erpkit/kernel"
import { RateCardRepository as Port, Surcharge } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import { rate, type TenantColumns, tenantOf } from "./shared.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import { ratePort } from "./PgRateCardRepository.ts"

interface SurchargeRow extends TenantColumns {
  readonly id: string
  readonly name: string
  readonly kind: "Fixed" | "Percent"
  readonly amount: bigint | null
  readonly rateNumerator: string | null
  readonly rateDenominator: string | null
  readonly currency: string
  readonly serviceLevel: string | null
  readonly zone: string | null
  readonly validFrom: string
  readonly validTo: string
  readonly isActive: boolean
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly deletedAt: Date | null
}

const surchargeColumns = (p = "") => `${p}id, ${p}organization_id AS "organizationId", ${p}workspace_id AS "workspaceId", ${p}name,
  ${p}kind, ${p}amount, ${p}rate_numerator::text AS "rateNumerator", ${p}rate_denominator::text AS "rateDenominator", ${p}currency,
  ${p}service_level AS "serviceLevel", ${p}zone, ${p}valid_from AS "validFrom", ${p}valid_to AS "validTo", ${p}is_active AS "isActive",
  ${p}created_at AS "createdAt", ${p}updated_at AS "updatedAt", ${p}deleted_at AS "deletedAt"`

const toKind = (row: SurchargeRow): Surcharge.SurchargeKind =>
  row.kind === "Fixed"
    ? { _tag: "Fixed", amountMinor: row.amount! }
    : { _tag: "Percent", rate: rate(row.rateNumerator!, row.rateDenominator!) }

const toSurcharge = (row: SurchargeRow): Effect.Effect<Surcharge.Surcharge> =>
  Effect.sync(() =>
    new Surcharge.Surcharge({
      id: row.id as Surcharge.Surcharge["id"],
      tenant: tenantOf(row),
      name: row.name,
      kind: toKind(row),
      currency: row.currency as Surcharge.Surcharge["currency"],
      serviceLevel: row.serviceLevel,
      zone: row.zone,
      validFrom: row.validFrom as LocalDate.LocalDate,
      validTo: row.validTo as LocalDate.LocalDate,
      isActive: row.isActive,
      createdAt: fromTimestamptz(row.createdAt),
      updatedAt: fromTimestamptz(row.updatedAt),
      deletedAt: fromTimestamptzOrNull(row.deletedAt)
    })
  )

const kindColumns = (k: Surcharge.SurchargeKind) =>
  k._tag === "Fixed"
    ? { amount: k.amountMinor, numerator: null, denominator: null }
    : { amount: null, numerator: k.rate.numerator.toString(), denominator: k.rate.denominator.toString() }

export const layer = Layer.effect(
  Port.SurchargeRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    return ratePort<Surcharge.Surcharge, SurchargeRow>({
      db,
      table: "billing.surcharges",
      entity: "Surcharge",
      columns: surchargeColumns,
      toRow: toSurcharge,
      strings: (s) => [s.name, s.serviceLevel, s.zone],
      insert: (tenant, s) => {
        const k = kindColumns(s.kind)
        return sql`INSERT INTO billing.surcharges (id, organization_id, workspace_id, name, kind, amount, rate_numerator, rate_denominator,
            currency, service_level, zone, valid_from, valid_to, is_active, created_at, updated_at, deleted_at)
          VALUES (${s.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${s.name}, ${s.kind._tag}, ${k.amount}::bigint,
            ${k.numerator}::numeric, ${k.denominator}::numeric, ${s.currency}, ${s.serviceLevel}::text, ${s.zone}::text, ${s.validFrom}::date,
            ${s.validTo}::date, ${s.isActive}, ${toTimestamptz(s.createdAt)}, ${toTimestamptz(s.updatedAt)}, ${toTimestamptzOrNull(s.deletedAt)}::timestamptz)`
      },
      set: (s) => {
        const k = kindColumns(s.kind)
        return sql`name = ${s.name}, kind = ${s.kind._tag}, amount = ${k.amount}::bigint, rate_numerator = ${k.numerator}::numeric,
          rate_denominator = ${k.denominator}::numeric, currency = ${s.currency}, service_level = ${s.serviceLevel}::text, zone = ${s.zone}::text,
          valid_from = ${s.validFrom}::date, valid_to = ${s.validTo}::date, is_active = ${s.isActive}, updated_at = ${toTimestamptz(s.updatedAt)},
          deleted_at = ${toTimestamptzOrNull(s.deletedAt)}::timestamptz`
      }
    })
  })
)
