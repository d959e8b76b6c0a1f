/**
 * The payments benchmark compares like with like: one erpkit `recordPayment` and one hand-written
 * payment (bench/payments/handwritten.ts) change the same tables by the same rows, and leave the
 * invoice and the account in the same state. Needs a server (the hand-written baseline speaks TCP):
 * runs against DATABASE_URL in a database of its own, and says so when there is none.
 */
import { randomUUID } from "node:crypto"
import pg from "pg"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Erpkit from "../payments/erpkit.ts"
import * as Hand from "../payments/handwritten.ts"

const server = process.env["DATABASE_URL"]
const tables = [
  "billing.invoices",
  "billing.client_accounts",
  "billing.account_transactions",
  "billing.invoice_events",
  "billing.payments",
  "billing.accounting_syncs",
  "platform.outbox",
  "platform.audit_log",
  "platform.idempotency_keys"
]

if (server === undefined) {
  console.log("[bench parity] SKIPPED: no DATABASE_URL (the hand-written baseline needs a PostgreSQL server)")
}

describe.runIf(server !== undefined)("payments benchmark parity", () => {
  const database = `erpkit_parity_${randomUUID().replaceAll("-", "").slice(0, 12)}`
  const url = new URL(server ?? "postgres://localhost/none")
  url.pathname = `/${database}`
  let admin: pg.Client
  let runtime: Erpkit.Runtime
  let hand: pg.Client

  beforeAll(async () => {
    console.log(`[bench parity] server ${new URL(server!).host}, database ${database}`)
    admin = new pg.Client({ connectionString: server })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${database}`)
    runtime = Erpkit.runtime(url.toString(), 1)
    hand = await Hand.connect(url.toString())
  })

  afterAll(async () => {
    await hand?.end()
    await runtime?.dispose()
    await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    await admin.end()
  })

  /** Rows per table, and the paid invoice and its account, as the owner sees them (no RLS). */
  const state = async (invoiceId: string) => {
    const counts: Record<string, number> = {}
    for (const table of tables) {
      counts[table] = Number((await hand.query(`SELECT count(*) AS n FROM ${table}`)).rows[0].n)
    }
    const invoice = (await hand.query(
      "SELECT status, amount_paid_minor::text AS paid, account_id FROM billing.invoices WHERE id = $1",
      [invoiceId]
    )).rows[0]
    const account = (await hand.query(
      "SELECT balance_minor::text AS balance, last_sequence FROM billing.client_accounts WHERE id = $1",
      [invoice.account_id]
    )).rows[0]
    return { counts, invoice: { status: invoice.status, paid: invoice.paid }, account }
  }

  const change = (before: Awaited<ReturnType<typeof state>>, after: Awaited<ReturnType<typeof state>>) => ({
    rows: Object.fromEntries(tables.map((t) => [t, after.counts[t]! - before.counts[t]!])),
    invoice: [before.invoice, after.invoice],
    account: [
      Number(after.account.balance) - Number(before.account.balance),
      after.account.last_sequence - before.account.last_sequence
    ]
  })

  it("one erpkit recordPayment and one hand-written payment change the same tables by the same rows", async () => {
    const fixture = await Erpkit.seed(runtime, 2, 1)
    const [erpkitInvoice, handInvoice] = [fixture.invoicesByClient[0]![0]!, fixture.invoicesByClient[1]![0]!]

    const e0 = await state(erpkitInvoice)
    await Erpkit.pay(runtime, fixture, erpkitInvoice, `parity-${randomUUID()}`)
    const byErpkit = change(e0, await state(erpkitInvoice))

    const h0 = await state(handInvoice)
    await Hand.pay(hand, fixture, handInvoice, 1n, `parity-${randomUUID()}`)
    const byHand = change(h0, await state(handInvoice))

    expect(byHand).toEqual(byErpkit)
    // and it is the payment the benchmark means: 12 new rows (and 2 updated) in 9 tables, the invoice paid 1, the
    // account credited 1
    expect(Object.values(byErpkit.rows).reduce((a, b) => a + b, 0)).toBe(12)
    expect(byErpkit.invoice[1]).toEqual({ status: "Sent", paid: "1" })
    expect(byErpkit.account).toEqual([-1, 1])
  })
})
