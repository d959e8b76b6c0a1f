/**
 * `RateCardRepository` on `billing.rate_cards` (tiers as the domain's JSON encoding in a `jsonb`
 * column, checked by `billing.tiers_well_formed`). Reads hide soft-deleted rows. Everything but the
 * row mapping is `RatePort.ts`, shared with `SurchargeRepository`.
 */
import { Layer, Effect, Schema } from "effect"
import type { LocalDate } from "@erpkit/kernel"
import { RateCard, RateCardRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import { ratePort } from "./RatePort.ts"
import { type TenantColumns, tenantOf } from "./shared.ts"

// Tiers in the domain's JSON encoding (bigints and rates as decimal strings). A stored value that does
// not decode throws inside the read's map: a defect, as it is this adapter's own write.
const decodeTiers = Schema.decodeUnknownSync(Schema.toCodecJson(RateCard.Tiers))
const encodeTiersJson = Schema.encodeSync(Schema.toCodecJson(RateCard.Tiers))
export const encodeTiers = (tiers: RateCard.RateCard["tiers"]): string => JSON.stringify(encodeTiersJson(tiers))

interface CardRow extends TenantColumns {
  readonly id: string
  readonly name: string
  readonly serviceLevel: string
  readonly zone: string | null
  readonly basis: string
  readonly mode: string
  readonly currency: string
  readonly tiers: unknown
  readonly minimumChargeMinor: bigint
  readonly validFrom: string
  readonly validTo: string
  readonly isActive: boolean
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly deletedAt: Date | null
}

const toCard = (row: CardRow): RateCard.RateCard =>
  new RateCard.RateCard({
    id: row.id as RateCard.RateCard["id"],
    tenant: tenantOf(row),
    name: row.name,
    serviceLevel: row.serviceLevel,
    zone: row.zone,
    basis: row.basis as RateCard.PricingBasis,
    mode: row.mode as RateCard.TierMode,
    currency: row.currency as RateCard.RateCard["currency"],
    tiers: decodeTiers(row.tiers),
    minimumChargeMinor: row.minimumChargeMinor,
    validFrom: row.validFrom as LocalDate.LocalDate,
    validTo: row.validTo as LocalDate.LocalDate,
    isActive: row.isActive,
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt),
    deletedAt: fromTimestamptzOrNull(row.deletedAt)
  })

type C = RateCard.RateCard

/** `billing.rate_cards` (alias `r`, live rows only). */
export const rateCards = TenantTable.make<C, CardRow>({
  table: "billing.rate_cards",
  alias: "r",
  entity: "RateCard",
  live: "r.deleted_at IS NULL",
  columns: [
    column("id", (c) => c.id, { fixed: true }),
    column("name", (c) => c.name),
    column("service_level", (c) => c.serviceLevel),
    column("zone", (c) => c.zone, { cast: "text" }),
    column("basis", (c) => c.basis),
    column("mode", (c) => c.mode),
    column("currency", (c) => c.currency),
    column("tiers", (c) => encodeTiers(c.tiers), { cast: "jsonb" }),
    column("minimum_charge_minor", (c) => c.minimumChargeMinor),
    column("valid_from", (c) => c.validFrom, { cast: "date" }),
    column("valid_to", (c) => c.validTo, { cast: "date" }),
    column("is_active", (c) => c.isActive),
    column("created_at", (c) => toTimestamptz(c.createdAt), { fixed: true }),
    column("updated_at", (c) => toTimestamptz(c.updatedAt)),
    column("deleted_at", (c) => toTimestamptzOrNull(c.deletedAt), { cast: "timestamptz" })
  ],
  decode: toCard
})

export const layer = Layer.effect(
  Port.RateCardRepository,
  Effect.map(PgDatabase, (db) => ratePort(db, rateCards, (c) => [c.name, c.serviceLevel, c.zone]))
)
