/**
 * `ClientAccountRepository` on `billing.client_accounts`. `getForUpdate` is `SELECT … FOR NO KEY
 * UPDATE`: the row lock every writer of the account takes (it excludes every other writer, and lets
 * foreign-key checks of new invoices, holds and ledger rows of that account through without waiting).
 */
import { Effect, Layer, Option } from "effect"
import type { Ids, LocalDate } from "@erpkit/kernel"
import { BillingError, ClientAccount, ClientAccountRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import { assertTenant, duplicateAs, sameTenant, type TenantColumns, tenantOf, touched } from "./shared.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"

interface AccountRow extends TenantColumns {
  readonly id: string
  readonly customerId: string
  readonly currency: string
  readonly creditLimitMinor: bigint
  readonly isCreditApproved: boolean
  readonly balanceMinor: bigint
  readonly walletBalanceMinor: bigint
  readonly holdsMinor: bigint
  readonly lastSequence: number
  readonly lastPaymentDate: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
}

export const toAccount = (row: AccountRow): ClientAccount.ClientAccount =>
  new ClientAccount.ClientAccount({
    id: row.id as ClientAccount.ClientAccount["id"],
    tenant: tenantOf(row),
    customerId: row.customerId as Ids.CustomerId,
    currency: row.currency as ClientAccount.ClientAccount["currency"],
    creditLimitMinor: row.creditLimitMinor,
    isCreditApproved: row.isCreditApproved,
    balanceMinor: row.balanceMinor,
    walletBalanceMinor: row.walletBalanceMinor,
    holdsMinor: row.holdsMinor,
    lastSequence: row.lastSequence,
    lastPaymentDate: row.lastPaymentDate as LocalDate.LocalDate | null,
    createdAt: fromTimestamptz(row.createdAt),
    updatedAt: fromTimestamptz(row.updatedAt)
  })

type A = ClientAccount.ClientAccount

/** `billing.client_accounts`: the one mapping its select, insert, update and decoding come from. */
export const accounts = TenantTable.make<A, AccountRow>({
  table: "billing.client_accounts",
  alias: "a",
  entity: "ClientAccount",
  columns: [
    column("id", (a) => a.id, { fixed: true }),
    column("customer_id", (a) => a.customerId, { fixed: true }),
    column("currency", (a) => a.currency, { fixed: true }),
    column("credit_limit_minor", (a) => a.creditLimitMinor),
    column("is_credit_approved", (a) => a.isCreditApproved),
    column("balance_minor", (a) => a.balanceMinor),
    column("wallet_balance_minor", (a) => a.walletBalanceMinor),
    column("holds_minor", (a) => a.holdsMinor),
    column("last_sequence", (a) => a.lastSequence),
    column("last_payment_date", (a) => a.lastPaymentDate, { cast: "date" }),
    column("created_at", (a) => toTimestamptz(a.createdAt), { fixed: true }),
    column("updated_at", (a) => toTimestamptz(a.updatedAt))
  ],
  decode: toAccount
})

/** The account columns of table alias `alias`, named `<prefix><field>` (to sit beside another table's in one row). */
export const accountColumnsAs = accounts.selectListAs

/** The account in a row selected with `accountColumnsAs(…, prefix)`. */
export const toAccountAs = accounts.decodeAs

/** The row-lock key of an account (`PgDatabase.lock`). */
export const accountLockKey = accounts.lockKey

export const layer = Layer.effect(
  Port.ClientAccountRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const select = TenantTable.get(db, accounts)
    const service: Port.ClientAccountRepository["Service"] = {
      insert: (tenant, a) =>
        db.inTenant(tenant)(
          Effect.andThen(
            assertTenant("ClientAccount", a.id, tenant, a.tenant),
            duplicateAs(
              "client_accounts_customer_key",
              () => new BillingError.AccountAlreadyExists({ customerId: a.customerId })
            )(accounts.insert(sql, tenant, a))
          )
        ),
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      findByCustomer: (tenant, customerId) =>
        db.inTenant(tenant)(
          Effect.map(
            SqlState.orDie(sql<AccountRow>`SELECT ${sql.literal(accounts.selectList())} FROM billing.client_accounts a
            WHERE ${accounts.scope(sql, tenant)} AND a.customer_id = ${customerId}`),
            (rows) => Option.map(Option.fromNullishOr(rows[0]), toAccount)
          )
        ),
      update: (tenant, a) =>
        sameTenant(tenant, a.tenant)
          ? TenantTable.updateLocked(db, accounts, tenant, a.id, accounts.update(sql, tenant, a.id, a))
          : touched("ClientAccount", a.id)([])
    }
    return service
  })
)
