/**
 * `SurchargeRepository` on `billing.surcharges`: the kind as columns (`Fixed`: `amount_minor`; `Percent`: the
 * exact rate as numerator/denominator, the decimal a generated column). Everything else is the rate
 * cards' shared `ratePort` (`RatePort.ts`): soft-deleted rows hidden, `FOR NO KEY UPDATE`, and
 * `deactivateExpired` as one statement.
 */
import { Effect, Layer } from "effect"
import type { LocalDate } from "@erpkit/kernel"
import { RateCardRepository as Port, Surcharge } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import { ratePort } from "./RatePort.ts"
import { rate, type TenantColumns, tenantOf } from "./shared.ts"

interface SurchargeRow extends TenantColumns {
  readonly id: string
  readonly name: string
  readonly kind: "Fixed" | "Percent"
  readonly amountMinor: bigint | null
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

const toKind = (row: SurchargeRow): Surcharge.SurchargeKind =>
  row.kind === "Fixed"
    ? { _tag: "Fixed", amountMinor: row.amountMinor! }
    : { _tag: "Percent", rate: rate(row.rateNumerator!, row.rateDenominator!) }

const toSurcharge = (row: SurchargeRow): Surcharge.Surcharge =>
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

type S = Surcharge.Surcharge

const fixed = (s: S) => (s.kind._tag === "Fixed" ? s.kind.amountMinor : null)
const percent = (s: S) => (s.kind._tag === "Percent" ? s.kind.rate : null)

/** `billing.surcharges` (alias `r`, live rows only). */
export const surcharges = TenantTable.make<S, SurchargeRow>({
  table: "billing.surcharges",
  alias: "r",
  entity: "Surcharge",
  live: "r.deleted_at IS NULL",
  columns: [
    column("id", (s) => s.id, { fixed: true }),
    column("name", (s) => s.name),
    column("kind", (s) => s.kind._tag),
    column("amount_minor", fixed, { cast: "bigint" }),
    column("rate_numerator", (s) => percent(s)?.numerator.toString() ?? null, {
      cast: "numeric",
      readAs: "text",
      field: "rateNumerator"
    }),
    column("rate_denominator", (s) => percent(s)?.denominator.toString() ?? null, {
      cast: "numeric",
      readAs: "text",
      field: "rateDenominator"
    }),
    column("currency", (s) => s.currency),
    column("service_level", (s) => s.serviceLevel, { cast: "text" }),
    column("zone", (s) => s.zone, { cast: "text" }),
    column("valid_from", (s) => s.validFrom, { cast: "date" }),
    column("valid_to", (s) => s.validTo, { cast: "date" }),
    column("is_active", (s) => s.isActive),
    column("created_at", (s) => toTimestamptz(s.createdAt), { fixed: true }),
    column("updated_at", (s) => toTimestamptz(s.updatedAt)),
    column("deleted_at", (s) => toTimestamptzOrNull(s.deletedAt), { cast: "timestamptz" })
  ],
  decode: toSurcharge
})

export const layer = Layer.effect(
  Port.SurchargeRepository,
  Effect.map(PgDatabase, (db) => ratePort(db, surcharges, (s) => [s.name, s.serviceLevel, s.zone]))
)
