/**
 * `LedgerRepository` on `billing.account_transactions` (append-only: no UPDATE/DELETE grant, and a
 * trigger refuses them for every role). `append` inserts a whole posting batch in one statement; a
 * duplicate (account, sequence) violates `account_transactions_sequence_key` and is a defect, as the
 * port says. Gap-free sequences come from the account row lock the command holds.
 */
import { Effect, Layer } from "effect"
import { type Tenant } from "@erpkit/kernel"
import { Ledger, LedgerRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { clampLimit, jsonRows, sameTenant, type TenantColumns, tenantOf } from "./shared.ts"
import { epochMillisToTimestamptz, fromTimestamptz } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"

interface TransactionRow extends TenantColumns {
  readonly id: string
  readonly accountId: string
  readonly sequence: number
  readonly kind: Ledger.TransactionKind
  readonly currency: string
  readonly amount: bigint
  readonly walletAmount: bigint
  readonly runningBalance: bigint
  readonly runningWalletBalance: bigint
  readonly sourceId: string
  readonly invoiceId: string | null
  readonly at: Date
}

export const toTransaction = (row: TransactionRow): Ledger.AccountTransaction =>
  new Ledger.AccountTransaction({
    id: row.id as Ledger.AccountTransaction["id"],
    tenant: tenantOf(row),
    accountId: row.accountId as Ledger.AccountTransaction["accountId"],
    sequence: row.sequence,
    kind: row.kind,
    currency: row.currency as Ledger.AccountTransaction["currency"],
    amountMinor: row.amount,
    walletAmountMinor: row.walletAmount,
    runningBalanceMinor: row.runningBalance,
    runningWalletBalanceMinor: row.runningWalletBalance,
    sourceId: row.sourceId,
    invoiceId: row.invoiceId as Ledger.AccountTransaction["invoiceId"],
    at: fromTimestamptz(row.at)
  })

/**
 * `billing.account_transactions` (alias `t`; append-only). Its reads come from this mapping; its
 * writes are batches of rows as JSON (`append`: one INSERT … SELECT FROM jsonb_to_recordset per batch).
 */
export const accountTransactions = TenantTable.make<Ledger.AccountTransaction, TransactionRow>({
  table: "billing.account_transactions",
  alias: "t",
  entity: "AccountTransaction",
  columns: [
    column("id"), column("account_id"), column("sequence"), column("kind"), column("currency"), column("amount"),
    column("wallet_amount"), column("running_balance"), column("running_wallet_balance"), column("source_id"), column("invoice_id"),
    column("at")
  ],
  decode: (row) => toTransaction(row)
})

const at = epochMillisToTimestamptz("x.at")

export const layer = Layer.effect(
  Port.LedgerRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql

    const append = (tenant: Tenant.Tenant, transactions: ReadonlyArray<Ledger.AccountTransaction>): Effect.Effect<void> => {
      if (transactions.length === 0) return Effect.void
      const foreign = transactions.find((t) => !sameTenant(t.tenant, tenant))
      if (foreign !== undefined) return Effect.die(new Error(`transaction ${foreign.id} belongs to another tenant than the one given`))
      return Effect.andThen(
        Storable.checkOrDie(transactions.map((t) => t.sourceId), ["transactions"]),
        db.write(tenant, { tables: ["billing.account_transactions"], statement: sql`
          INSERT INTO billing.account_transactions (id, organization_id, workspace_id, account_id, sequence, kind, currency, amount,
            wallet_amount, running_balance, running_wallet_balance, source_id, invoice_id, at)
          SELECT x.id, ${tenant.organizationId}, ${tenant.workspaceId}, x.account_id, x.sequence, x.kind, x.currency, x.amount,
            x.wallet_amount, x.running_balance, x.running_wallet_balance, x.source_id, x.invoice_id,
            ${sql.literal(at)}
          FROM jsonb_to_recordset(${jsonRows(transactions.map((t) => ({
            id: t.id, account_id: t.accountId, sequence: t.sequence, kind: t.kind, currency: t.currency, amount: t.amountMinor,
            wallet_amount: t.walletAmountMinor, running_balance: t.runningBalanceMinor, running_wallet_balance: t.runningWalletBalanceMinor,
            source_id: t.sourceId, invoice_id: t.invoiceId, at: t.at
          })))}::jsonb) AS x(id uuid, account_id uuid, sequence integer, kind text, currency char(3), amount bigint, wallet_amount bigint,
            running_balance bigint, running_wallet_balance bigint, source_id text, invoice_id uuid, at bigint)` })
      )
    }

    const service: Port.LedgerRepository["Service"] = {
      append,
      list: (tenant, accountId, query = {}) =>
        db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<TransactionRow>`
            SELECT ${sql.literal(accountTransactions.selectList())} FROM billing.account_transactions t
            WHERE ${accountTransactions.scope(sql, tenant)} AND t.account_id = ${accountId} AND t.sequence > ${query.afterSequence ?? 0}
            ORDER BY t.sequence LIMIT ${clampLimit(query.limit)}`),
          (rows) => rows.map(toTransaction)
        ))
    }
    return service
  })
)
