/**
 * `OrganizationRepository` on `identity.organizations`. The organization is the tenant root: a unit of
 * work sees its own tenant's organization, and the one it opened itself (createOrganization runs in
 * the system actor's tenant; see the policy in migrations/identity/0001_tenancy.sql). TEN-02/06: the
 * live-BIN partial unique index gives `BinTaken`; soft-deleted organizations are invisible.
 */
import { Effect, Layer, Option } from "effect"
import type { Ids } from "@erpkit/kernel"
import { IdentityError, Organization, OrganizationRepository } from "@erpkit/identity"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, fromTimestamptzOrNull, toTimestamptz, toTimestamptzOrNull } from "../sql/Timestamps.ts"
import { checkStorable, global, mapWrite, noConflict, read, versioned } from "./shared.ts"

interface OrganizationRow {
  readonly id: string
  readonly name: string
  readonly bin: string
  readonly kind: Organization.OrganizationKind
  readonly customerId: string | null
  readonly legalName: string | null
  readonly email: string | null
  readonly phone: string | null
  readonly status: Organization.OrganizationStatus
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly deletedAt: Date | null
  readonly version: number
}

const columns = `id, name, bin, kind, customer_id AS "customerId", legal_name AS "legalName", email, phone, status,
  created_at AS "createdAt", updated_at AS "updatedAt", deleted_at AS "deletedAt", version`

const toOrganization = (row: OrganizationRow): Organization.Organization =>
  new Organization.Organization({
    id: row.id as Ids.OrganizationId,
    name: row.name,
    bin: row.bin,
    kind: row.kind,
    customerId: row.customerId as Ids.CustomerId | null,
    legalName: row.legalName,
    email: row.email,
    phone: row.phone,
    status: row.status,
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt),
    deletedAt: fromTimestamptzOrNull(row.deletedAt),
    version: row.version
  })

const reasons = { organizations_pkey: "id exists" }
/** TEN-02/06: the live-BIN index's violation, with the BIN written. */
const taken = (org: Organization.Organization) => ({
  organizations_bin_live_key: () => new IdentityError.BinTaken({ bin: org.bin })
})

export const layer = Layer.effect(
  OrganizationRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    // The policy does the scoping (own tenant or opened here); there is no tenant argument to bind.
    const inTx = global(db)
    const storable = (org: Organization.Organization) => checkStorable(org, ["organization"])

    return {
      insert: (org) =>
        inTx(Effect.andThen(
          storable(org),
          mapWrite("Organization", reasons, taken(org))(sql`
            INSERT INTO identity.organizations (id, name, bin, kind, customer_id, legal_name, email, phone, status,
              created_at, updated_at, deleted_at, version)
            VALUES (${org.id}, ${org.name}, ${org.bin}, ${org.kind}, ${org.customerId}, ${org.legalName}, ${org.email},
              ${org.phone}, ${org.status}, ${toTimestamptz(org.createdAt)}, ${toTimestamptz(org.updatedAt)}, ${
                toTimestamptzOrNull(org.deletedAt)
              }::timestamptz, ${org.version})`)
        )),
      findById: (id) =>
        inTx(
          Effect.map(
            read(
              sql<OrganizationRow>`SELECT ${
                sql.literal(columns)
              } FROM identity.organizations WHERE id = ${id} AND deleted_at IS NULL`
            ),
            (rows) => Option.map(Option.fromNullishOr(rows[0]), toOrganization)
          )
        ),
      update: (org) =>
        inTx(
          Effect.andThen(
            storable(org),
            versioned(
              "Organization",
              org.id,
              org.version,
              noConflict(
                mapWrite("Organization", reasons, taken(org))(sql`
              UPDATE identity.organizations SET name = ${org.name}, bin = ${org.bin}, kind = ${org.kind},
                customer_id = ${org.customerId}, legal_name = ${org.legalName}, email = ${org.email},
                phone = ${org.phone}, status = ${org.status}, updated_at = ${toTimestamptz(org.updatedAt)},
                deleted_at = ${toTimestamptzOrNull(org.deletedAt)}::timestamptz, version = ${org.version}
              WHERE id = ${org.id} AND deleted_at IS NULL AND version = ${org.version - 1}
              RETURNING id`)
              ),
              sql<
                { version: number }
              >`SELECT version FROM identity.organizations WHERE id = ${org.id} AND deleted_at IS NULL`
            )
          )
        )
    }
  })
)
