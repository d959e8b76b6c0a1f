/**
 * `UserRepository` on `auth.users` (global). AUTH-03/06: `users_email_key_key` (unique e-mail key)
 * gives `Conflict`; updates are optimistic (`WHERE version = $v - 1`).
 */
import { Effect, Layer, Option } from "effect"
import { Errors, type Ids } from "@erpkit/kernel"
import type { Fragment } from "effect/sql/Statement"
import { IdentityError, User, UserRepository } from "@erpkit/identity"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"
import { checkStorable, global, lookup, mapWrite, read, versioned } from "./shared.ts"

interface UserRow {
  readonly id: string
  readonly email: string
  readonly emailKey: string
  readonly name: string
  readonly status: User.UserStatus
  readonly registrationStatus: User.RegistrationStatus
  readonly emailVerified: boolean
  readonly banned: boolean
  readonly banReason: string | null
  readonly organizationId: string
  readonly createdAt: Date
  readonly updatedAt: Date
  readonly version: number
}

const columns = `id, email, email_key AS "emailKey", name, status, registration_status AS "registrationStatus",
  email_verified AS "emailVerified", banned, ban_reason AS "banReason", organization_id AS "organizationId",
  created_at AS "createdAt", updated_at AS "updatedAt", version`

const toUser = (row: UserRow): User.User =>
  new User.User({
    id: row.id as Ids.UserId,
    email: row.email,
    emailKey: row.emailKey,
    name: row.name,
    status: row.status,
    registrationStatus: row.registrationStatus,
    emailVerified: row.emailVerified,
    banned: row.banned,
    banReason: row.banReason,
    organizationId: row.organizationId as Ids.OrganizationId,
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt),
    version: row.version
  })

const emailReason = "email is already registered"
const reasons = { users_email_key_key: emailReason, users_pkey: "id exists" }

/** AUTH-03/06: the unique e-mail key's violation is `EmailTaken`; any other clash stays `Conflict`. */
const emailTakenOr = <A, E, R>(
  effect: Effect.Effect<A, E | Errors.Conflict, R>
): Effect.Effect<A, E | Errors.Conflict | IdentityError.EmailTaken, R> =>
  Effect.mapError(
    effect,
    (e) => (e instanceof Errors.Conflict && e.reason === emailReason ? new IdentityError.EmailTaken() : e)
  )

/** An update can only clash on the e-mail key (ids never change): every clash is `EmailTaken`. */
const emailTaken = <A, E, R>(
  effect: Effect.Effect<A, E | Errors.Conflict, R>
): Effect.Effect<A, Exclude<E, Errors.Conflict> | IdentityError.EmailTaken, R> =>
  Effect.mapError(
    effect,
    (e) =>
      (e instanceof Errors.Conflict ? new IdentityError.EmailTaken() : e) as
        | Exclude<E, Errors.Conflict>
        | IdentityError.EmailTaken
  )

export const layer = Layer.effect(
  UserRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const inTx = global(db)
    const select = (where: Fragment) =>
      Effect.map(
        read(sql<UserRow>`SELECT ${sql.literal(columns)} FROM auth.users WHERE ${where}`),
        (rows) => rows.map(toUser)
      )
    const one = (where: Fragment) => inTx(Effect.map(select(where), (users) => Option.fromNullishOr(users[0])))
    const storable = (user: User.User) => checkStorable(user, ["user"])

    return {
      findById: (id) => one(sql`id = ${id}`),
      findByEmailKey: (emailKey) => lookup(emailKey, Option.none(), one(sql`email_key = ${emailKey}`)),
      listByOrganization: (organizationId) =>
        inTx(select(sql`organization_id = ${organizationId} ORDER BY created_at, id`)),
      insert: (user) =>
        inTx(Effect.andThen(
          storable(user),
          emailTakenOr(
            mapWrite("User", reasons)(sql`
            INSERT INTO auth.users (id, email, email_key, name, status, registration_status, email_verified, banned,
              ban_reason, organization_id, created_at, updated_at, version)
            VALUES (${user.id}, ${user.email}, ${user.emailKey}, ${user.name}, ${user.status},
              ${user.registrationStatus}, ${user.emailVerified}, ${user.banned}, ${user.banReason},
                ${user.organizationId},
              ${toTimestamptz(user.createdAt)}, ${toTimestamptz(user.updatedAt)}, ${user.version})`)
          )
        )),
      update: (user) =>
        inTx(
          Effect.andThen(
            storable(user),
            versioned(
              "User",
              user.id,
              user.version,
              emailTaken(
                mapWrite("User", reasons)(sql`
              UPDATE auth.users SET email = ${user.email}, email_key = ${user.emailKey}, name = ${user.name},
                status = ${user.status}, registration_status = ${user.registrationStatus},
                  email_verified = ${user.emailVerified},
                banned = ${user.banned}, ban_reason = ${user.banReason}, updated_at = ${
                  toTimestamptz(user.updatedAt)
                }, version = ${user.version}
              WHERE id = ${user.id} AND version = ${user.version - 1}
              RETURNING id`)
              ),
              sql<{ version: number }>`SELECT version FROM auth.users WHERE id = ${user.id}`
            )
          )
        ),
      // AUTH-09: the foreign keys cascade to sessions, accounts and codes in the same statement; a
      // membership left anywhere (NO ACTION) makes it fail: deleteUser removes the home one first.
      remove: (id) =>
        inTx(Effect.map(read(sql`DELETE FROM auth.users WHERE id = ${id} RETURNING id`), (rows) => rows.length > 0))
    }
  })
)
