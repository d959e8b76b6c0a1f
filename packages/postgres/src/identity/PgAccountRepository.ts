/**
 * `AccountRepository` on `auth.accounts` (global). AUTH-17: `accounts_provider_account_key` gives
 * `AccountLinked`; AUTH-09: the foreign key to the user cascades as a second line to `removeByUser`.
 */
import { Effect, Layer, Option } from "effect"
import type { Ids } from "@erpkit/kernel"
import { Account, AccountRepository, IdentityError } from "@erpkit/identity"
import type { SqlError } from "effect/sql/SqlError"
import { PgDatabase } from "../Database.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"
import { checkStorable, global, lookup, mapWrite, read } from "./shared.ts"

interface AccountRow {
  readonly id: string
  readonly userId: string
  readonly providerId: string
  readonly accountId: string
  readonly createdAt: Date
}

const columns =
  `id, user_id AS "userId", provider_id AS "providerId", account_id AS "accountId", created_at AS "createdAt"`

const toAccount = (row: AccountRow): Account.Account =>
  new Account.Account({
    id: row.id as Account.AccountId,
    userId: row.userId as Ids.UserId,
    providerId: row.providerId,
    accountId: row.accountId,
    createdAt: fromTimestamptz(row.createdAt)
  })

/** AUTH-17: the provider key's violation, with the provider account written. */
const linked = (a: Account.Account) => ({
  accounts_provider_account_key: () =>
    new IdentityError.AccountLinked({ providerId: a.providerId, accountId: a.accountId })
})

export const layer = Layer.effect(
  AccountRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const inTx = global(db)
    const rows = (statement: Effect.Effect<ReadonlyArray<AccountRow>, SqlError>) =>
      Effect.map(read(statement), (found) => found.map(toAccount))
    const first = (statement: Effect.Effect<ReadonlyArray<AccountRow>, SqlError>) =>
      Effect.map(rows(statement), (f) => Option.fromNullishOr(f[0]))

    return {
      insert: (a) =>
        inTx(
          Effect.andThen(
            checkStorable(a, ["account"]),
            mapWrite("Account", { accounts_pkey: "id exists" }, linked(a))(sql`
            INSERT INTO auth.accounts (id, user_id, provider_id, account_id, created_at)
            VALUES (${a.id}, ${a.userId}, ${a.providerId}, ${a.accountId}, ${toTimestamptz(a.createdAt)})`)
          )
        ),
      findById: (id) =>
        inTx(first(sql<AccountRow>`SELECT ${sql.literal(columns)} FROM auth.accounts WHERE id = ${id}`)),
      findByProvider: (providerId, accountId) =>
        lookup(
          [providerId, accountId],
          Option.none(),
          inTx(
            first(
              sql<AccountRow>`SELECT ${
                sql.literal(columns)
              } FROM auth.accounts WHERE provider_id = ${providerId} AND account_id = ${accountId}`
            )
          )
        ),
      listByUser: (userId) =>
        inTx(
          rows(
            sql<AccountRow>`SELECT ${
              sql.literal(columns)
            } FROM auth.accounts WHERE user_id = ${userId} ORDER BY created_at, id`
          )
        ),
      remove: (id) =>
        inTx(first(sql<AccountRow>`DELETE FROM auth.accounts WHERE id = ${id} RETURNING ${sql.literal(columns)}`)),
      removeByUser: (userId) =>
        inTx(
          rows(sql<AccountRow>`DELETE FROM auth.accounts WHERE user_id = ${userId} RETURNING ${sql.literal(columns)}`)
        )
    }
  })
)
