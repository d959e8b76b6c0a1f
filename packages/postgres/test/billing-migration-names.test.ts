/**
 * Billing's migrations renamed for what they hold (issue 11), on a database that applied them under
 * their old names: `0002_part_two.sql` is now `0002_rate_cards_quotes_disputes_documents_runs.sql`.
 * The migrator records `(migration_id, name)` but compares the number only, so a database whose
 * bookkeeping says `2_part_two` finds 0001 and 0002 applied, runs 0003 (money columns named
 * `<field>_minor`) and nothing else, without error; rows written under the old column names keep
 * their values under the new ones, and the invoice log's payment entries name their amount
 * `baseAmountMinor`.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import * as Migrations from "../src/Migrations.ts"
import { billingModule } from "../src/billing/index.ts"
import * as Postgres from "../src/Postgres.ts"
import { freshTenant, targets } from "./targets.ts"

const current = Postgres.migrationSets([billingModule])

/** The billing set as it shipped before the rename: 0001 and 0002 only, 0002 under its old name. */
const shipped: ReadonlyArray<Migrations.MigrationSet> = current.map((set) =>
  set.schema !== "billing" ?
    set :
    {
      schema: "billing",
      migrations: set.migrations.filter((m) => m.id <= 2).map((m) => (m.id === 2 ? { ...m, name: "part_two" } : m))
    }
)

const columns = (sql: SqlClient.SqlClient, table: string) =>
  Effect.map(
    sql<{ column_name: string }>`SELECT column_name FROM information_schema.columns
      WHERE table_schema = 'billing' AND table_name = ${table} ORDER BY column_name`.withoutTransform,
    (rows) => rows.map((r) => r.column_name)
  )

/** One account, one invoice and one payment entry of its log, written with the shipped column names. */
const writeUnderOldNames = (sql: SqlClient.SqlClient) =>
  Effect.gen(function*() {
    const t = freshTenant()
    const account = crypto.randomUUID()
    const invoice = crypto.randomUUID()
    yield* sql`INSERT INTO billing.client_accounts (id, organization_id, workspace_id, customer_id, currency,
      credit_limit, is_credit_approved, balance, wallet_balance, holds, last_sequence, created_at, updated_at)
      VALUES (${account}, ${t.organizationId}, ${t.workspaceId}, ${crypto.randomUUID()}, 'KZT', 9000, true, 0, 70, 5, 0,
        now(), now())`
    yield* sql`INSERT INTO billing.invoices (id, organization_id, workspace_id, account_id, customer_id, invoice_number,
      status, currency, issue_date, due_date, subtotal, discount, tax, total_amount, amount_paid, amount_credited,
      created_at, updated_at)
      VALUES (${invoice}, ${t.organizationId}, ${t.workspaceId}, ${account}, ${crypto.randomUUID()}, 'INV-1', 'Draft',
        'KZT',
        '2026-01-01', '2026-01-31', 1000, 0, 120, 1120, 0, 0, now(), now())`
    yield* sql`INSERT INTO billing.invoice_events
      (id, organization_id, workspace_id, invoice_id, event_type, event_data, created_at)
      VALUES (${crypto.randomUUID()}, ${t.organizationId}, ${t.workspaceId}, ${invoice}, 'payment_partial',
        ${JSON.stringify({ paymentId: "p-1", amountMinor: "600", method: "CASH" })}::jsonb, now())`
    return { account, invoice }
  })

for (const target of targets("billing-migration-names.test.ts")) {
  describe(target.name, () => {
    layer(target.layer({ migrate: false }), { excludeTestServices: true, timeout: "120 seconds" })(
      "billing migration names",
      (it) => {
        it.effect("a database that applied 0002 as part_two re-applies nothing, runs 0003 once, keeps its rows", () =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            expect(yield* Migrations.run(shipped)).toEqual([
              "platform/1_platform",
              "billing/1_billing",
              "billing/2_part_two"
            ])
            expect(yield* columns(sql, "payments")).toEqual(expect.arrayContaining(["amount", "base_amount"]))
            const { account, invoice } = yield* writeUnderOldNames(sql)

            const billing = (yield* Migrations.status(current)).find((s) => s.schema === "billing")
            expect(billing!.pending).toEqual([{ id: 3, name: "money_columns_minor" }])
            expect(yield* Migrations.run(current)).toEqual(["billing/3_money_columns_minor"])
            expect(yield* Migrations.run(current)).toEqual([])
            const after = (yield* Migrations.status(current)).find((s) => s.schema === "billing")!
            expect(after.applied).toEqual([
              { id: 1, name: "billing" },
              { id: 2, name: "part_two" },
              { id: 3, name: "money_columns_minor" }
            ])
            expect(after.pending).toEqual([])

            const payments = yield* columns(sql, "payments")
            expect(payments).toEqual(
              expect.arrayContaining(["amount_minor", "base_amount_minor", "method", "reference"])
            )
            expect(yield* columns(sql, "invoice_events")).toEqual(expect.arrayContaining(["type", "data", "at"]))
            expect(payments).not.toEqual(expect.arrayContaining(["amount"]))
            const items = yield* columns(sql, "invoice_items")
            expect(items).toEqual(
              expect.arrayContaining([
                "unit_price_minor",
                "discount_amount_minor",
                "amount_minor",
                "discount_minor",
                "tax_minor",
                "total_minor"
              ])
            )
            const [a] = yield* sql<{ credit_limit_minor: string; wallet_balance_minor: string; holds_minor: string }>`
            SELECT credit_limit_minor::text, wallet_balance_minor::text, holds_minor::text FROM billing.client_accounts
              WHERE id = ${account}`.withoutTransform
            expect(a).toEqual({ credit_limit_minor: "9000", wallet_balance_minor: "70", holds_minor: "5" })
            const [i] = yield* sql<
              { total_minor: string }
            >`SELECT total_minor::text FROM billing.invoices WHERE id = ${invoice}`.withoutTransform
            expect(i).toEqual({ total_minor: "1120" })
            const [e] = yield* sql<
              { data: unknown }
            >`SELECT data FROM billing.invoice_events WHERE invoice_id = ${invoice}`
            expect(e!.data).toEqual({ paymentId: "p-1", baseAmountMinor: "600", method: "CASH" })
            // the log is append-only and under forced RLS again after the key rename
            const [log] = yield* sql<{ forced: boolean; triggers: number }>`
            SELECT c.relforcerowsecurity AS forced, (SELECT count(*)::int FROM pg_trigger g WHERE g.tgrelid = c.oid
              AND g.tgname = 'append_only' AND g.tgenabled = 'O') AS triggers
            FROM pg_class c WHERE c.oid = 'billing.invoice_events'::regclass`
            expect(log).toEqual({ forced: true, triggers: 1 })
          }))
      }
    )
  })
}
