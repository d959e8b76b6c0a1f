/**
 * `MembershipRepository` on `identity.memberships`: one row per (organization, user) with the role held
 * there. Writes run in the unit of work's organization (RLS); `organizationsOf` sees, besides the
 * organization's own rows, the memberships elsewhere of the users whose home it is (the delete guard's
 * view) and nothing more. The primary key gives `Conflict` for a second membership; updates are
 * optimistic (`WHERE version = $v - 1`).
 */
import { Effect, Layer, Option } from "effect"
import type { Actor, Ids } from "@erpkit/kernel"
import type { Fragment } from "effect/sql/Statement"
import { IdentityError, Membership, MembershipRepository } from "@erpkit/identity"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"
import { checkStorable, global, mapWrite, noConflict, read, versioned } from "./shared.ts"

interface MembershipRow {
  readonly organizationId: string
  readonly userId: string
  readonly role: string
  readonly customerId: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly version: number
}

const columns = `organization_id AS "organizationId", user_id AS "userId", role, customer_id AS "customerId",
  created_at AS "createdAt", updated_at AS "updatedAt", version`

const toMembership = (row: MembershipRow): Membership.Membership =>
  new Membership.Membership({
    organizationId: row.organizationId as Ids.OrganizationId,
    userId: row.userId as Ids.UserId,
    role: row.role as Actor.Role,
    customerId: row.customerId as Ids.CustomerId | null,
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt),
    version: row.version
  })

const reasons = { memberships_pkey: "the user is already a member of this organization" }
/** The (organization, user) keys' violation: a second membership. */
const member = (m: Membership.Membership) => {
  const taken = () => new IdentityError.AlreadyMember({ userId: m.userId, organizationId: m.organizationId })
  return { memberships_pkey: taken, memberships_user_organization_key: taken }
}

export const layer = Layer.effect(
  MembershipRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    // The unit of work's organization scopes every statement (RLS); the WHERE clauses say the same.
    const inTx = global(db)
    const select = (where: Fragment) =>
      Effect.map(
        read(sql<MembershipRow>`SELECT ${sql.literal(columns)} FROM identity.memberships WHERE ${where}`),
        (rows) => rows.map(toMembership)
      )
    const key = (organizationId: string, userId: string) =>
      sql`organization_id = ${organizationId} AND user_id = ${userId}`

    return {
      find: (organizationId, userId) =>
        inTx(Effect.map(select(key(organizationId, userId)), (found) => Option.fromNullishOr(found[0]))),
      listByOrganization: (organizationId) =>
        inTx(select(sql`organization_id = ${organizationId} ORDER BY created_at, user_id`)),
      organizationsOf: (userId) =>
        inTx(
          Effect.map(
            select(sql`user_id = ${userId} ORDER BY organization_id`),
            (found) => found.map((m) => m.organizationId)
          )
        ),
      insert: (m) =>
        inTx(Effect.andThen(
          checkStorable(m, ["membership"]),
          noConflict(
            mapWrite("Membership", reasons, member(m))(sql`
            INSERT INTO identity.memberships (organization_id, user_id, role, customer_id, created_at, updated_at,
              version)
            VALUES (${m.organizationId}, ${m.userId}, ${m.role}, ${m.customerId}, ${toTimestamptz(m.createdAt)},
              ${toTimestamptz(m.updatedAt)}, ${m.version})`)
          )
        )),
      update: (m) =>
        inTx(versioned(
          "Membership",
          `${m.organizationId}/${m.userId}`,
          m.version,
          mapWrite("Membership", reasons)(sql`
            UPDATE identity.memberships SET role = ${m.role}, customer_id = ${m.customerId}, updated_at = ${
              toTimestamptz(m.updatedAt)
            },
              version = ${m.version}
            WHERE ${key(m.organizationId, m.userId)} AND version = ${m.version - 1}
            RETURNING user_id`),
          sql<{ version: number }>`SELECT version FROM identity.memberships WHERE ${key(m.organizationId, m.userId)}`
        )),
      remove: (organizationId, userId) =>
        inTx(
          Effect.map(
            read(
              sql<MembershipRow>`DELETE FROM identity.memberships WHERE ${key(organizationId, userId)} RETURNING ${
                sql.literal(columns)
              }`
            ),
            (rows) => Option.map(Option.fromNullishOr(rows[0]), toMembership)
          )
        )
    }
  })
)
