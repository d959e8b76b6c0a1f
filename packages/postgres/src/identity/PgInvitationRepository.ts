/**
 * `InvitationRepository` on `identity.invitations` (organization rows under RLS). Only the answer
 * changes after insert (the app role may update `status`, `updated_at` and `version` only); updates are
 * optimistic, so of two concurrent answers one wins (single use).
 */
import { Effect, Layer, Option } from "effect"
import type { Actor, Ids } from "@erpkit/kernel"
import type { Fragment } from "effect/sql/Statement"
import { type Invitation, InvitationRepository } from "@erpkit/identity"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"
import { checkStorable, global, mapWrite, read, versioned } from "./shared.ts"

interface InvitationRow {
  readonly id: string
  readonly organizationId: string
  readonly workspaceId: string
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

const columns = `id, organization_id AS "organizationId", workspace_id AS "workspaceId", email_key AS "emailKey", role,
  customer_id AS "customerId", status, invited_by AS "invitedBy", expires_at AS "expiresAt",
  created_at AS "createdAt", updated_at AS "updatedAt", version`

const toInvitation = (row: InvitationRow): Invitation.Invitation => ({
  id: row.id as Invitation.InvitationId,
  organizationId: row.organizationId as Ids.OrganizationId,
  workspaceId: row.workspaceId as Ids.WorkspaceId,
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

export const layer = Layer.effect(
  InvitationRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const inTx = global(db)
    const select = (where: Fragment) =>
      Effect.map(read(sql<InvitationRow>`SELECT ${sql.literal(columns)} FROM identity.invitations WHERE ${where}`), (rows) => rows.map(toInvitation))

    return {
      findById: (organizationId, id) =>
        inTx(Effect.map(select(sql`id = ${id} AND organization_id = ${organizationId}`), (found) => Option.fromNullishOr(found[0]))),
      listByOrganization: (organizationId, limit) =>
        inTx(select(sql`organization_id = ${organizationId} ORDER BY created_at DESC, id DESC LIMIT ${limit}`)),
      insert: (i) =>
        inTx(Effect.andThen(
          checkStorable(i, ["invitation"]),
          mapWrite("Invitation", { invitations_pkey: "id exists" })(sql`
            INSERT INTO identity.invitations (id, organization_id, workspace_id, email_key, role, customer_id, status, invited_by,
              expires_at, created_at, updated_at, version)
            VALUES (${i.id}, ${i.organizationId}, ${i.workspaceId}, ${i.emailKey}, ${i.role}, ${i.customerId}, ${i.status},
              ${i.invitedBy}, ${toTimestamptz(i.expiresAt)}, ${toTimestamptz(i.createdAt)}, ${toTimestamptz(i.updatedAt)}, ${i.version})`)
        )),
      update: (i) =>
        inTx(versioned(
          "Invitation",
          i.id,
          i.version,
          mapWrite("Invitation")(sql`
            UPDATE identity.invitations SET status = ${i.status}, updated_at = ${toTimestamptz(i.updatedAt)}, version = ${i.version}
            WHERE id = ${i.id} AND organization_id = ${i.organizationId} AND version = ${i.version - 1}
            RETURNING id`),
          sql<{ version: number }>`SELECT version FROM identity.invitations WHERE id = ${i.id} AND organization_id = ${i.organizationId}`
        ))
    }
  })
)
