/**
 * What the billing workload must leave behind, checked in SQL as the admin login (a superuser: RLS
 * hides nothing from it): the invariants of accounts, ledgers, holds and invoices; every row matched
 * to the key of the command that made it (per command kind); and the side effects (outbox events,
 * audit entries, accounting-sync records, idempotency records) counted against the successful
 * commands. Each check returns its mismatches; an empty list means it holds.
 */
import { Effect, Layer, Redacted, Ref } from "effect"
import type { Tenant } from "@erpkit/kernel"
import { PgClient } from "@effect/sql-pg"
import type { SqlClient } from "effect/sql"
import type { Outcomes, Success } from "./load.ts"

/**
 * Every invariant the workload must keep, checked in SQL over the tenant's rows (as superuser, so
 * nothing is hidden); returns the violations (empty when all hold).
 */
export const violations = (sql: SqlClient.SqlClient, tenant: Tenant.Tenant) =>
  Effect.gen(function*() {
    const org = tenant.organizationId
    const q = (name: string, statement: Effect.Effect<ReadonlyArray<{ readonly n: number }>, unknown>) =>
      Effect.map(Effect.orDie(statement), (rows) => (rows[0]!.n === 0 ? [] : [`${name}: ${rows[0]!.n}`]))
    return [
      ...(yield* q(
        "ledger rows off the chain (gap or wrong running balance)",
        sql`
        SELECT count(*)::int AS n FROM (
          SELECT sequence, running_balance_minor, running_wallet_balance_minor,
            row_number() OVER w AS expected_sequence, sum(amount_minor) OVER w AS expected_balance,
              sum(wallet_amount_minor) OVER w AS expected_wallet
          FROM billing.account_transactions WHERE organization_id = ${org}
          WINDOW w AS (PARTITION BY account_id ORDER BY sequence)) t
        WHERE sequence <> expected_sequence OR running_balance_minor <> expected_balance
          OR running_wallet_balance_minor <> expected_wallet`
      )),
      ...(yield* q(
        "accounts whose balance/wallet/last sequence differ from their ledger",
        sql`
        SELECT count(*)::int AS n FROM billing.client_accounts a
        LEFT JOIN (SELECT account_id, sum(amount_minor) AS balance, sum(wallet_amount_minor) AS wallet, count(*) AS n
                   FROM billing.account_transactions WHERE organization_id = ${org} GROUP BY account_id) l
                     ON l.account_id = a.id
        WHERE a.organization_id = ${org}
          AND (a.balance_minor <> coalesce(l.balance, 0) OR a.wallet_balance_minor <> coalesce(l.wallet, 0)
            OR a.last_sequence <> coalesce(l.n, 0))`
      )),
      ...(yield* q(
        "accounts whose holds differ from their pending holds",
        sql`
        SELECT count(*)::int AS n FROM billing.client_accounts a
        WHERE a.organization_id = ${org}
          AND a.holds_minor <> coalesce((SELECT sum(amount_minor) FROM billing.credit_holds h WHERE h.account_id = a.id
            AND h.status = 'Pending'), 0)`
      )),
      ...(yield* q(
        "accounts whose balance differs from what open invoices owe",
        sql`
        SELECT count(*)::int AS n FROM billing.client_accounts a
        WHERE a.organization_id = ${org}
          AND a.balance_minor <> coalesce((SELECT sum(total_minor - amount_paid_minor - amount_credited_minor)
            FROM billing.invoices i
                                     WHERE i.account_id = a.id AND i.status IN ('Sent', 'Overdue')), 0)`
      )),
      ...(yield* q(
        "accounts with negative available credit",
        sql`
        SELECT count(*)::int AS n FROM billing.client_accounts WHERE organization_id = ${org}
          AND credit_limit_minor - balance_minor - holds_minor < 0`
      )),
      ...(yield* q(
        "invoices whose amount paid differs from their completed payments",
        sql`
        SELECT count(*)::int AS n FROM billing.invoices i WHERE i.organization_id = ${org}
          AND i.amount_paid_minor <> coalesce((SELECT sum(base_amount_minor) FROM billing.payments p
            WHERE p.invoice_id = i.id AND p.status = 'Completed'), 0)`
      )),
      ...(yield* q(
        "invoices whose amount credited differs from their credit notes",
        sql`
        SELECT count(*)::int AS n FROM billing.invoices i WHERE i.organization_id = ${org}
          AND i.amount_credited_minor <> coalesce((SELECT sum(amount_minor) FROM billing.credit_notes c
            WHERE c.invoice_id = i.id), 0)`
      )),
      ...(yield* q(
        "ledger postings per payment or credit note other than one",
        sql`
        SELECT count(*)::int AS n FROM (
          SELECT p.id FROM billing.payments p LEFT JOIN billing.account_transactions t ON t.source_id = p.id::text
          WHERE p.organization_id = ${org} AND p.status = 'Completed' GROUP BY p.id HAVING count(t.id) <> 1
          UNION ALL
          SELECT c.id FROM billing.credit_notes c LEFT JOIN billing.account_transactions t ON t.source_id = c.id::text
          WHERE c.organization_id = ${org} GROUP BY c.id HAVING count(t.id) <> 1) x`
      ))
    ]
  })

type Rows = Effect.Effect<ReadonlyArray<{ readonly id: string }>, unknown>

/** Expected ids (from the client's results) against ids found in the database: sorted lists, duplicates count. */
type Check = readonly [name: string, expected: ReadonlyArray<string>, actual: Rows]

const compare = (checks: ReadonlyArray<Check>) =>
  Effect.forEach(checks, ([name, expected, actual]) =>
    Effect.map(Effect.orDie(actual), (rows) => {
      const e = [...expected].sort()
      const a = rows.map((r) => r.id).sort()
      if (JSON.stringify(e) === JSON.stringify(a)) return []
      const missing = e.filter((x) => !a.includes(x)).length
      const extra = a.filter((x) => !e.includes(x)).length
      return [
        `${name}: ${e.length} expected from successful commands, ` +
        `${a.length} found (${missing} missing, ${extra} unexplained)`
      ]
    })).pipe(Effect.map((r) => r.flat()))

/** The results of the successful commands of the given kinds. */
const successes = (outcomes: Outcomes, ...ops: ReadonlyArray<string>): ReadonlyArray<Success> =>
  [...outcomes.succeeded.values()].filter((s) => ops.includes(s.op))

/** What the test made before the load, without keys: issued invoices. */
export interface Preexisting {
  readonly invoices: ReadonlyArray<string>
}

/** The ids each kind of command produced or changed, from its result (plus what existed before). */
export const resultIds = (outcomes: Outcomes, before: Preexisting = { invoices: [] }) => ({
  payments: successes(outcomes, "pay", "payWallet").map((s) => s.value.payment.id as string),
  creditNotes: successes(outcomes, "creditNote").map((s) => s.value.creditNote.id as string),
  holds: successes(outcomes, "reserve").map((s) => s.value.id as string),
  drafts: [...before.invoices, ...successes(outcomes, "draft").map((s) => s.value.id as string)],
  issued: [...before.invoices, ...successes(outcomes, "issue").map((s) => s.value.id as string)],
  postedHolds: successes(outcomes, "issue").flatMap((s) => (s.holdId === undefined ? [] : [s.holdId])),
  voided: successes(outcomes, "voidHold").map((s) => s.value.id as string),
  expired: successes(outcomes, "expireHolds").flatMap((s) => s.value.holds.map((h: { id: string }) => h.id)),
  overdue: successes(outcomes, "markOverdue").flatMap((s) => s.value.invoices.map((i: { id: string }) => i.id)),
  topUps: successes(outcomes, "topUp").map((s) => s.value.transaction.id as string),
  toppedUpAccounts: successes(outcomes, "topUp").map((s) => s.value.account.id as string)
})

/**
 * Rows against keys, per command kind: every payment, credit note, hold and invoice row belongs to
 * exactly one successful command's result; the invoices not in Draft are exactly those issued; the
 * holds Voided, Expired and Posted are exactly those the void commands, the expiry jobs and the
 * issues with a hold returned; the wallet top-ups after each account's opening one are exactly
 * those the top-up commands returned.
 */
export const keyMismatches = (
  sql: SqlClient.SqlClient,
  tenant: Tenant.Tenant,
  outcomes: Outcomes,
  before?: Preexisting
) => {
  const org = tenant.organizationId
  const ws = tenant.workspaceId
  const r = resultIds(outcomes, before)
  const holds = (
    status: string
  ): Rows => sql`SELECT id::text FROM billing.credit_holds WHERE organization_id = ${org} AND workspace_id = ${ws}
      AND status = ${status}`
  return compare([
    [
      "payments",
      r.payments,
      sql`SELECT id::text FROM billing.payments WHERE organization_id = ${org} AND workspace_id = ${ws}`
    ],
    [
      "credit notes",
      r.creditNotes,
      sql`SELECT id::text FROM billing.credit_notes WHERE organization_id = ${org} AND workspace_id = ${ws}`
    ],
    [
      "holds",
      r.holds,
      sql`SELECT id::text FROM billing.credit_holds WHERE organization_id = ${org} AND workspace_id = ${ws}`
    ],
    [
      "invoices",
      r.drafts,
      sql`SELECT id::text FROM billing.invoices WHERE organization_id = ${org} AND workspace_id = ${ws}`
    ],
    [
      "issued invoices",
      r.issued,
      sql`SELECT id::text FROM billing.invoices WHERE organization_id = ${org} AND workspace_id = ${ws}
        AND status <> 'Draft'`
    ],
    ["voided holds", r.voided, holds("Voided")],
    ["expired holds", r.expired, holds("Expired")],
    ["posted holds", r.postedHolds, holds("Posted")],
    [
      "wallet top-ups",
      r.topUps,
      sql`SELECT id::text FROM billing.account_transactions
      WHERE organization_id = ${org} AND workspace_id = ${ws} AND kind = 'WalletTopUp' AND sequence > 1`
    ]
  ])
}

/** The command each workload kind runs (its name in audit entries and idempotency records). */
export const commandOf: Readonly<Record<string, string>> = {
  reserve: "billing.reserveCredit",
  voidHold: "billing.voidCreditHold",
  draft: "billing.createInvoice",
  issue: "billing.issueInvoice",
  pay: "billing.recordPayment",
  payWallet: "billing.recordPayment",
  creditNote: "billing.issueCreditNote",
  topUp: "billing.topUpWallet",
  expireHolds: "billing.expireCreditHolds",
  markOverdue: "billing.markOverdueInvoices"
}

/**
 * Side effects against the successful commands: one outbox event per thing done (hold reserved,
 * voided, expired; invoice created, issued, overdue; payment; credit note; top-up, the accounts'
 * opening ones included), one audit entry per entity a command changed, one accounting-sync record
 * per invoice and payment, and one completed idempotency record per successful key, naming its command.
 */
export const sideEffectMismatches = (
  sql: SqlClient.SqlClient,
  tenant: Tenant.Tenant,
  outcomes: Outcomes,
  accounts: ReadonlyArray<string>,
  before?: Preexisting
) => {
  const org = tenant.organizationId
  const ws = tenant.workspaceId
  const r = resultIds(outcomes, before)
  const events = (type: string, field: string, status?: string): Rows => sql`
    SELECT payload->>${field} AS id FROM platform.outbox WHERE organization_id = ${org} AND workspace_id = ${ws}
      AND type = ${type}
      AND (${status ?? null}::text IS NULL OR payload->>'status' = ${status ?? null})`
  const audited = (command: string, entityType: string): Rows => sql`
    SELECT entity_id AS id FROM platform.audit_log WHERE organization_id = ${org} AND workspace_id = ${ws}
      AND command = ${command} AND entity_type = ${entityType}`
  const syncs = (entityType: string): Rows => sql`
    SELECT entity_id AS id FROM billing.accounting_syncs WHERE organization_id = ${org} AND workspace_id = ${ws}
      AND entity_type = ${entityType}`
  return compare([
    ["outbox CreditReserved", r.holds, events("billing.CreditReserved", "holdId")],
    ["outbox CreditHoldResolved Voided", r.voided, events("billing.CreditHoldResolved", "holdId", "Voided")],
    ["outbox CreditHoldResolved Expired", r.expired, events("billing.CreditHoldResolved", "holdId", "Expired")],
    ["outbox InvoiceCreated", r.drafts, events("billing.InvoiceCreated", "invoiceId")],
    ["outbox InvoiceIssued", r.issued, events("billing.InvoiceIssued", "invoiceId")],
    ["outbox InvoiceOverdue", r.overdue, events("billing.InvoiceOverdue", "invoiceId")],
    ["outbox PaymentRecorded", r.payments, events("billing.PaymentRecorded", "paymentId")],
    ["outbox CreditNoteIssued", r.creditNotes, events("billing.CreditNoteIssued", "creditNoteId")],
    ["outbox WalletToppedUp", [...r.toppedUpAccounts, ...accounts], events("billing.WalletToppedUp", "accountId")],
    ["audit reserveCredit", r.holds, audited("billing.reserveCredit", "CreditHold")],
    ["audit voidCreditHold", r.voided, audited("billing.voidCreditHold", "CreditHold")],
    ["audit expireCreditHolds", r.expired, audited("billing.expireCreditHolds", "CreditHold")],
    ["audit createInvoice", r.drafts, audited("billing.createInvoice", "Invoice")],
    ["audit issueInvoice", r.issued, audited("billing.issueInvoice", "Invoice")],
    ["audit markOverdueInvoices", r.overdue, audited("billing.markOverdueInvoices", "Invoice")],
    ["audit recordPayment", r.payments, audited("billing.recordPayment", "Payment")],
    ["audit issueCreditNote", r.creditNotes, audited("billing.issueCreditNote", "CreditNote")],
    ["audit topUpWallet", [...r.toppedUpAccounts, ...accounts], audited("billing.topUpWallet", "ClientAccount")],
    ["accounting syncs of invoices", r.drafts, syncs("Invoice")],
    ["accounting syncs of payments", r.payments, syncs("Payment")],
    [
      "idempotency records",
      [...outcomes.succeeded.entries()].map(([key, s]) => `${key} ${commandOf[s.op]}`),
      sql`
      SELECT key || ' ' || command AS id FROM platform.idempotency_keys
      WHERE organization_id = ${org} AND workspace_id = ${ws} AND state = 'completed'`
    ]
  ])
}

/** A separate connection (pool of 2) to the database the app's client points at. */
export const adminLayer = Layer.unwrap(Effect.gen(function*() {
  const client = yield* PgClient.PgClient
  const url = client.config.url
  if (url === undefined) return yield* Effect.die(new Error("the server target has a url"))
  return PgClient.layer({ url: Redacted.make(Redacted.value(url)), maxConnections: 2, applicationName: "erpkit-admin" })
}))

/** Samples the least available credit of the tenant's accounts every `everyMillis` until interrupted. */
export const sampleAvailableCredit = (
  sql: SqlClient.SqlClient,
  tenant: Tenant.Tenant,
  least: Ref.Ref<bigint>,
  samples: Ref.Ref<number>
) =>
  Effect.forever(Effect.gen(function*() {
    const rows = yield* Effect.orDie(sql<{ readonly least: bigint | null }>`
      SELECT min(credit_limit_minor - balance_minor - holds_minor) AS least FROM billing.client_accounts
        WHERE organization_id = ${tenant.organizationId}`)
    const value = rows[0]?.least
    if (value !== null && value !== undefined) yield* Ref.update(least, (m) => (value < m ? value : m))
    yield* Ref.update(samples, (n) => n + 1)
    yield* Effect.sleep("15 millis") // pacing of the sampler, not a wait for time to pass
  }))
