/**
 * `InvitationRepository` on `identity.invitations` (organization rows under RLS). Only the answer
 * changes after insert (the app role may update `status`, `updated_at` and `version` only); updates are
 * optimistic, so of two concurrent answers one wins (single use).
 */
import { Effect, Layer, Option } from "effect"
import type { Actor, Ids } from "@erpkit/kernel"
import type { Fragment } from "effect/sql/Statement"
import { Invitation, InvitationRepository } from "@erpkit/identity"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import { checkStorable, global, mapWrite, read, tenantOf, versioned } from "./shared.ts"

interface InvitationRow extends TenantTable.TenantColumns {
  readonly id: string
  readonly emailKey: string
  readonly role: string
  readonly customerId: string | null
  readonly status: Invitation.InvitationStatus
  readonly invitedBy: string | null
  readonly expiresAt: Date
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly version: number
}

const toInvitation = (row: InvitationRow): Invitation.Invitation =>
  new Invitation.Invitation({
    id: row.id as Invitation.InvitationId,
    tenant: tenantOf(row),
    emailKey: row.emailKey,
    role: row.role as Actor.Role,
    customerId: row.customerId as Ids.CustomerId | null,
    status: row.status,
    invitedBy: row.invitedBy as Ids.UserId | null,
    expiresAt: fromTimestamptz(row.expiresAt),
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt),
    version: row.version
  })

type I = Invitation.Invitation

/** `identity.invitations` (alias `i`). The port reads by organization, so statements here scope by it. */
export const invitations = TenantTable.make<I, InvitationRow>({
  table: "identity.invitations",
  alias: "i",
  entity: "Invitation",
  columns: [
    column("id", (i) => i.id, { fixed: true }),
    column("email_key", (i) => i.emailKey, { fixed: true }),
    column("role", (i) => i.role, { fixed: true }),
    column("customer_id", (i) => i.customerId, { fixed: true }),
    column("status", (i) => i.status),
    column("invited_by", (i) => i.invitedBy, { fixed: true }),
    column("expires_at", (i) => toTimestamptz(i.expiresAt), { fixed: true }),
    column("created_at", (i) => toTimestamptz(i.createdAt), { fixed: true }),
    column("updated_at", (i) => toTimestamptz(i.updatedAt)),
    column("version", (i) => i.version)
  ],
  decode: toInvitation
})

export const layer = Layer.effect(
  InvitationRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const inTx = global(db)
    const select = (where: Fragment) =>
      Effect.map(
        read(
          sql<InvitationRow>`SELECT ${sql.literal(invitations.selectList())} FROM identity.invitations i WHERE ${where}`
        ),
        (rows) => rows.map(toInvitation)
      )

    return {
      findById: (organizationId, id) =>
        inTx(
          Effect.map(
            select(sql`i.id = ${id} AND i.organization_id = ${organizationId}`),
            (found) => Option.fromNullishOr(found[0])
          )
        ),
      listByOrganization: (organizationId, limit) =>
        inTx(select(sql`i.organization_id = ${organizationId} ORDER BY i.created_at DESC, i.id DESC LIMIT ${limit}`)),
      insert: (i) =>
        inTx(
          Effect.andThen(
            checkStorable(i, ["invitation"]),
            mapWrite("Invitation", { invitations_pkey: "id exists" })(invitations.insert(sql, i.tenant, i))
          )
        ),
      update: (i) =>
        inTx(versioned(
          "Invitation",
          i.id,
          i.version,
          mapWrite("Invitation")(sql`
            UPDATE identity.invitations SET status = ${i.status}, updated_at = ${
              toTimestamptz(i.updatedAt)
            }, version = ${i.version}
            WHERE id = ${i.id} AND organization_id = ${i.tenant.organizationId} AND version = ${i.version - 1}
            RETURNING id`),
          sql<{ version: number }>`SELECT version FROM identity.invitations
            WHERE id = ${i.id} AND organization_id = ${i.tenant.organizationId}`
        ))
    }
  })
)
