/**
 * `ClientAccountRepository` on `billing.client_accounts`. `getForUpdate` is `SELECT … FOR NO KEY
 * UPDATE`: the row lock every writer of the account takes (it excludes every other writer, and lets
 * foreign-key checks of new invoices, holds and ledger rows of that account through without waiting).
 */
import { Effect, Layer, Option } from "effect"
import { type Ids, type LocalDate, type Tenant } from "@erpkit/kernel"
import { BillingError, ClientAccount, ClientAccountRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import { assertTenant, duplicateAs, instant, sameTenant, single, type TenantColumns, tenantOf, timestamp, touched } from "./internal.ts"

interface AccountRow extends TenantColumns {
  readonly id: string
  readonly customerId: string
  readonly currency: string
  readonly creditLimit: bigint
  readonly isCreditApproved: boolean
  readonly balance: bigint
  readonly walletBalance: bigint
  readonly holds: bigint
  readonly lastSequence: number
  readonly lastPaymentDate: string | null
  readonly createdAt: Date
  readonly updatedAt: Date
}

/** Column → `AccountRow` field. */
const accountFields: ReadonlyArray<readonly [column: string, field: keyof AccountRow]> = [
  ["id", "id"], ["organization_id", "organizationId"], ["workspace_id", "workspaceId"], ["customer_id", "customerId"],
  ["currency", "currency"], ["credit_limit", "creditLimit"], ["is_credit_approved", "isCreditApproved"], ["balance", "balance"],
  ["wallet_balance", "walletBalance"], ["holds", "holds"], ["last_sequence", "lastSequence"], ["last_payment_date", "lastPaymentDate"],
  ["created_at", "createdAt"], ["updated_at", "updatedAt"]
]

export const accountColumns = accountFields.map(([column, field]) => (column === field ? column : `${column} AS "${field}"`)).join(", ")

/** The account columns of table alias `alias`, named `<prefix><field>` (to sit beside another table's in one row). */
export const accountColumnsAs = (alias: string, prefix: string): string =>
  accountFields.map(([column, field]) => `${alias}.${column} AS "${prefix}${field}"`).join(", ")

/** The account in a row selected with `accountColumnsAs(…, prefix)`. */
export const toAccountAs = (row: Readonly<Record<string, unknown>>, prefix: string): ClientAccount.ClientAccount =>
  toAccount(Object.fromEntries(accountFields.map(([, field]) => [field, row[`${prefix}${field}`]])) as unknown as AccountRow)

export const toAccount = (row: AccountRow): ClientAccount.ClientAccount =>
  new ClientAccount.ClientAccount({
    id: row.id as ClientAccount.ClientAccount["id"],
    tenant: tenantOf(row),
    customerId: row.customerId as Ids.CustomerId,
    currency: row.currency as ClientAccount.ClientAccount["currency"],
    creditLimitMinor: row.creditLimit,
    isCreditApproved: row.isCreditApproved,
    balanceMinor: row.balance,
    walletBalanceMinor: row.walletBalance,
    holdsMinor: row.holds,
    lastSequence: row.lastSequence,
    lastPaymentDate: row.lastPaymentDate as LocalDate.LocalDate | null,
    createdAt: instant(row.createdAt),
    updatedAt: instant(row.updatedAt)
  })

/** The row-lock key of an account (`PgDatabase.lock`). */
export const accountLockKey = (id: string) => `billing.client_accounts/${id}`

export const layer = Layer.effect(
  Port.ClientAccountRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const columns = sql.literal(accountColumns)
    const select = (tenant: Tenant.Tenant, id: string, lock: boolean) =>
      db.inTenant(tenant)(Effect.flatMap(
        SqlState.orDie(sql<AccountRow>`SELECT ${columns} FROM billing.client_accounts
          WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND id = ${id}
          ${lock ? sql`FOR NO KEY UPDATE` : sql``}`),
        (rows) => Effect.map(single<AccountRow>("ClientAccount", id)(rows), toAccount).pipe(Effect.tap(() => (lock ? db.lock(accountLockKey(id)) : Effect.void)))
      ))
    const updateStatement = (tenant: Tenant.Tenant, a: ClientAccount.ClientAccount) => sql`
      UPDATE billing.client_accounts SET credit_limit = ${a.creditLimitMinor}, is_credit_approved = ${a.isCreditApproved},
        balance = ${a.balanceMinor}, wallet_balance = ${a.walletBalanceMinor}, holds = ${a.holdsMinor},
        last_sequence = ${a.lastSequence}, last_payment_date = ${a.lastPaymentDate}::date, updated_at = ${timestamp(a.updatedAt)}
      WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND id = ${a.id}
      RETURNING id`

    const service: Port.ClientAccountRepository["Service"] = {
      insert: (tenant, a) =>
        db.inTenant(tenant)(Effect.andThen(
          assertTenant("ClientAccount", a.id, tenant, a.tenant),
          duplicateAs("client_accounts_customer_key", () => new BillingError.AccountAlreadyExists({ customerId: a.customerId }))(sql`
            INSERT INTO billing.client_accounts (id, organization_id, workspace_id, customer_id, currency, credit_limit, is_credit_approved,
              balance, wallet_balance, holds, last_sequence, last_payment_date, created_at, updated_at)
            VALUES (${a.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${a.customerId}, ${a.currency}, ${a.creditLimitMinor},
              ${a.isCreditApproved}, ${a.balanceMinor}, ${a.walletBalanceMinor}, ${a.holdsMinor}, ${a.lastSequence},
              ${a.lastPaymentDate}::date, ${timestamp(a.createdAt)}, ${timestamp(a.updatedAt)})`)
        )),
      get: (tenant, id) => select(tenant, id, false),
      getForUpdate: (tenant, id) => select(tenant, id, true),
      findByCustomer: (tenant, customerId) =>
        db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<AccountRow>`SELECT ${columns} FROM billing.client_accounts
            WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND customer_id = ${customerId}`),
          (rows) => Option.map(Option.fromNullishOr(rows[0]), toAccount)
        )),
      // an account this transaction has locked certainly exists: its update is deferred (PgDatabase.write)
      update: (tenant, a) =>
        sameTenant(tenant, a.tenant)
          ? Effect.flatMap(Effect.zipWith(db.holds(accountLockKey(a.id)), db.defers(tenant), (held, defers) => held && defers), (deferred) =>
            deferred
              ? db.write(tenant, {
                tables: ["billing.client_accounts"],
                statement: updateStatement(tenant, a),
                expect: { rows: 1, error: () => new Error(`locked client account ${a.id} vanished before its update`) }
              })
              : db.inTenant(tenant)(Effect.flatMap(SqlState.orDie(updateStatement(tenant, a)), touched("ClientAccount", a.id))))
          : touched("ClientAccount", a.id)([])
    }
    return service
  })
)
