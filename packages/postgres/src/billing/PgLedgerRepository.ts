/**
 * `LedgerRepository` on `billing.account_transactions` (append-only: no UPDATE/DELETE grant, and a
 * trigger refuses them for every role). `append` inserts a whole posting batch in one statement; a
 * duplicate (account, sequence) violates `account_transactions_sequence_key` and is a defect, as the
 * port says. Gap-free sequences come from the account row lock the command holds.
 */
import { Effect, Layer } from "effect"
import type { Tenant } from "@erpkit/kernel"
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
  readonly amountMinor: bigint
  readonly walletAmountMinor: bigint
  readonly runningBalanceMinor: bigint
  readonly runningWalletBalanceMinor: bigint
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
    amountMinor: row.amountMinor,
    walletAmountMinor: row.walletAmountMinor,
    runningBalanceMinor: row.runningBalanceMinor,
    runningWalletBalanceMinor: row.runningWalletBalanceMinor,
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
    column("id"),
    column("account_id"),
    column("sequence"),
    column("kind"),
    column("currency"),
    column("amount_minor"),
    column("wallet_amount_minor"),
    column("running_balance_minor"),
    column("running_wallet_balance_minor"),
    column("source_id"),
    column("invoice_id"),
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

    const append = (
      tenant: Tenant.Tenant,
      transactions: ReadonlyArray<Ledger.AccountTransaction>
    ): Effect.Effect<void> => {
      if (transactions.length === 0) return Effect.void
      const foreign = transactions.find((t) => !sameTenant(t.tenant, tenant))
      if (foreign !== undefined) {
        return Effect.die(new Error(`transaction ${foreign.id} belongs to another tenant than the one given`))
      }
      return Effect.andThen(
        Storable.checkOrDie(transactions.map((t) => t.sourceId), ["transactions"]),
        db.write(tenant, {
          tables: ["billing.account_transactions"],
          statement: sql`
          INSERT INTO billing.account_transactions (id, organization_id, workspace_id, account_id, sequence, kind,
            currency, amount_minor, wallet_amount_minor, running_balance_minor, running_wallet_balance_minor, source_id,
            invoice_id, at)
          SELECT x.id, ${tenant.organizationId}, ${tenant.workspaceId}, x.account_id, x.sequence, x.kind, x.currency,
            x.amount_minor, x.wallet_amount_minor, x.running_balance_minor, x.running_wallet_balance_minor, x.source_id,
            x.invoice_id, ${sql.literal(at)}
          FROM jsonb_to_recordset(${
            jsonRows(
              transactions.map((t) => ({
                id: t.id,
                account_id: t.accountId,
                sequence: t.sequence,
                kind: t.kind,
                currency: t.currency,
                amount_minor: t.amountMinor,
                wallet_amount_minor: t.walletAmountMinor,
                running_balance_minor: t.runningBalanceMinor,
                running_wallet_balance_minor: t.runningWalletBalanceMinor,
                source_id: t.sourceId,
                invoice_id: t.invoiceId,
                at: t.at
              }))
            )
          }::jsonb) AS x(id uuid, account_id uuid, sequence integer, kind text, currency char(3), amount_minor bigint,
            wallet_amount_minor bigint,
            running_balance_minor bigint, running_wallet_balance_minor bigint, source_id text, invoice_id uuid,
              at bigint)`
        })
      )
    }

    const service: Port.LedgerRepository["Service"] = {
      append,
      list: (tenant, accountId, query = {}) =>
        db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<TransactionRow>`
            SELECT ${sql.literal(accountTransactions.selectList())} FROM billing.account_transactions t
            WHERE ${accountTransactions.scope(sql, tenant)} AND t.account_id = ${accountId} AND t.sequence > ${
              query.afterSequence ?? 0
            }
            ORDER BY t.sequence LIMIT ${clampLimit(query.limit)}`),
          (rows) => rows.map(toTransaction)
        ))
    }
    return service
  })
)
