/**
 * The concurrency and fault workload of the billing tests (server only): workers running mixed billing
 * commands (reserve credit, void a hold, draft + issue an invoice with or without a hold, record a
 * payment, pay from the wallet, credit note, top up, the expiry and overdue jobs) against a few
 * accounts, every command with an idempotency key; an invariant check over the tables in SQL; a
 * sampler of available credit on a separate connection.
 */
import { Cause, Context, Effect, Exit, Fiber, Layer, Random, Redacted, Ref } from "effect"
import { Actor, type Tenant } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import { PgClient } from "@effect/sql-pg"
import { SqlClient } from "effect/sql"
import * as SqlState from "../../src/SqlState.ts"
import { ClientAccountRepository, ClientAccounts, CreditNotes, Invoices, Jobs, Payments } from "@erpkit/billing"

export interface Outcomes {
  /** key → the command's result (first success; a replay returns the same). */
  readonly succeeded: Map<string, { readonly op: string; readonly value: any }>
  /** error tag → count (typed failures). */
  readonly failed: Map<string, number>
  /** defects (connection killed, statement timeout, or a bug), by first line. */
  readonly defects: Array<string>
  /** keys whose command still died after all retries */
  readonly gaveUp: Array<string>
}

export const newOutcomes = (): Outcomes => ({ succeeded: new Map(), failed: new Map(), defects: [], gaveUp: [] })

type Ctx = Context.Context<any>

/** What killed a command: the SQLSTATE of the SQL error in its cause (57014 statement timeout, 57P01 terminated), else its message. */
export const defectKind = (cause: Cause.Cause<unknown>): string => {
  const errors = SqlState.findSqlErrors(cause)
  const code = errors.map((e) => SqlState.sqlState(e)).find((c) => c !== undefined)
  if (code !== undefined) return `SQLSTATE ${code}`
  if (errors.length > 0) return `SqlError without SQLSTATE (connection lost): ${errors[0]!.message.slice(0, 60)}`
  return Cause.pretty(cause).split("\n")[0]!.slice(0, 100)
}

export interface Workload {
  readonly tenant: Tenant.Tenant
  readonly accounts: ReadonlyArray<string>
  /** Issued invoice ids per account (workers add to it). */
  readonly invoices: Array<string>
  readonly holds: Array<string>
}

const run = <A>(context: Ctx, effect: Effect.Effect<A, unknown, any>) =>
  Effect.exit(Effect.provideContext(effect, context) as Effect.Effect<A, unknown>)

/** Runs one command with its key; retries a defect (e.g. a killed connection) with the same key up to `retries` times. */
export const command = <A>(
  context: Ctx,
  outcomes: Outcomes,
  op: string,
  key: string,
  make: (key: string) => Effect.Effect<A, unknown, any>,
  retries = 0
): Effect.Effect<A | undefined> =>
  Effect.gen(function*() {
    for (let attempt = 0; ; attempt++) {
      const exit = yield* run(context, make(key))
      if (Exit.isSuccess(exit)) {
        if (!outcomes.succeeded.has(key)) outcomes.succeeded.set(key, { op, value: exit.value })
        return exit.value
      }
      if (Cause.hasDies(exit.cause) || Cause.hasInterrupts(exit.cause)) {
        outcomes.defects.push(`${op}: ${defectKind(exit.cause)}`)
        if (attempt < retries) continue
        outcomes.gaveUp.push(key)
        return undefined
      }
      const error = Cause.findErrorOption(exit.cause)
      const tag = error._tag === "Some" ? (error.value as { _tag: string })._tag : "unknown"
      outcomes.failed.set(`${op}:${tag}`, (outcomes.failed.get(`${op}:${tag}`) ?? 0) + 1)
      return undefined
    }
  })

/** Opens `n` approved accounts with `limit` and a wallet top-up. */
export const setup = (context: Ctx, tenant: Tenant.Tenant, n: number, limit: bigint) =>
  Effect.gen(function*() {
    const fm = actor(["Finance Manager"], tenant)
    const accounts: Array<string> = []
    for (let i = 0; i < n; i++) {
      const open = ClientAccounts.openAccount(fm, { customerId: crypto.randomUUID(), currency: "KZT" }).pipe(
        Effect.flatMap((a) => ClientAccounts.setCreditTerms(fm, { accountId: a.id, creditLimitMinor: limit, isCreditApproved: true })),
        Effect.tap((a) => ClientAccounts.topUpWallet(fm, { accountId: a.id, amountMinor: 50_000n }))
      )
      const exit = yield* run(context, open)
      if (Exit.isFailure(exit)) return yield* Effect.die(Cause.squash(exit.cause))
      accounts.push(exit.value.id)
    }
    return { tenant, accounts, invoices: [], holds: [] } as Workload
  })

/** A random element (`Random.nextIntBetween` includes both bounds), or undefined when empty. */
const pick = <A>(all: ReadonlyArray<A>): Effect.Effect<A | undefined> =>
  all.length === 0 ? Effect.succeed(undefined) : Effect.map(Random.nextIntBetween(0, all.length - 1), (i) => all[i])

/** One worker: `count` random commands, keys `<prefix>-<i>`. `retries` re-runs defects with the same key. */
export const worker = (context: Ctx, outcomes: Outcomes, w: Workload, prefix: string, count: number, retries = 0) =>
  Effect.gen(function*() {
    const fm = actor(["Finance Manager"], w.tenant)
    const system = Actor.system(w.tenant)
    for (let i = 0; i < count; i++) {
      const key = `${prefix}-${i}`
      const roll = yield* Random.nextIntBetween(0, 99)
      const account = (yield* pick(w.accounts))!
      const amount = BigInt(yield* Random.nextIntBetween(1, 5_000))
      const c = <A>(op: string, make: (key: string) => Effect.Effect<A, unknown, any>) => command(context, outcomes, op, key, make, retries)
      if (roll < 20) {
        const timeout = (yield* Random.nextBoolean) ? 1 : 3_600
        const hold = yield* c("reserve", (k) =>
          ClientAccounts.reserveCredit(fm, { accountId: account, amountMinor: amount, holdTimeoutSeconds: timeout }, { idempotencyKey: k }))
        if (hold !== undefined) w.holds.push(hold.id)
      } else if (roll < 28) {
        const hold = yield* pick(w.holds)
        if (hold !== undefined) yield* c("voidHold", (k) => ClientAccounts.voidCreditHold(fm, { holdId: hold }, { idempotencyKey: k }))
      } else if (roll < 48) {
        const hold = roll < 34 ? yield* pick(w.holds) : undefined
        const due = (yield* Random.nextBoolean) ? "2026-01-02" : "2099-12-31"
        const draft = yield* c("draft", (k) => Invoices.createInvoice(fm, {
          accountId: account, invoiceNumber: `${prefix}-${i}-'n`, issueDate: "2026-01-01", dueDate: due,
          items: [{ description: "load 'test'", quantity: "1", unitPriceMinor: amount }]
        }, { idempotencyKey: k }))
        if (draft !== undefined) {
          const issued = yield* command(context, outcomes, "issue", `${key}-issue`, (k) =>
            Invoices.issueInvoice(fm, { invoiceId: draft.id, ...(hold === undefined ? {} : { holdId: hold }) }, { idempotencyKey: k }), retries)
          if (issued !== undefined) w.invoices.push(issued.id)
        }
      } else if (roll < 78) {
        const invoice = yield* pick(w.invoices)
        if (invoice !== undefined) {
          const fromWallet = roll >= 73
          yield* c(fromWallet ? "payWallet" : "pay", (k) => Payments.recordPayment(fm, {
            invoiceId: invoice, amountMinor: BigInt(Math.ceil(Number(amount) / 3)), currency: "KZT", method: "BANK_TRANSFER", fromWallet
          }, { idempotencyKey: k }))
        }
      } else if (roll < 88) {
        const invoice = yield* pick(w.invoices)
        if (invoice !== undefined) {
          yield* c("creditNote", (k) => CreditNotes.issueCreditNote(fm, { invoiceId: invoice, amountMinor: amount / 4n + 1n, reason: "load" }, { idempotencyKey: k }))
        }
      } else if (roll < 94) {
        yield* c("topUp", (k) => ClientAccounts.topUpWallet(fm, { accountId: account, amountMinor: amount }, { idempotencyKey: k }))
      } else if (roll < 97) {
        yield* c("expireHolds", (k) => Jobs.expireCreditHolds(system, { batchSizeMax: 50 }, { idempotencyKey: k }))
      } else {
        yield* c("markOverdue", (k) => Jobs.markOverdueInvoices(system, { batchSizeMax: 50 }, { idempotencyKey: k }))
      }
    }
  })

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
      ...(yield* q("ledger rows off the chain (gap or wrong running balance)", sql`
        SELECT count(*)::int AS n FROM (
          SELECT sequence, running_balance, running_wallet_balance,
            row_number() OVER w AS expected_sequence, sum(amount) OVER w AS expected_balance, sum(wallet_amount) OVER w AS expected_wallet
          FROM billing.account_transactions WHERE organization_id = ${org}
          WINDOW w AS (PARTITION BY account_id ORDER BY sequence)) t
        WHERE sequence <> expected_sequence OR running_balance <> expected_balance OR running_wallet_balance <> expected_wallet`)),
      ...(yield* q("accounts whose balance/wallet/last sequence differ from their ledger", sql`
        SELECT count(*)::int AS n FROM billing.client_accounts a
        LEFT JOIN (SELECT account_id, sum(amount) AS balance, sum(wallet_amount) AS wallet, count(*) AS n
                   FROM billing.account_transactions WHERE organization_id = ${org} GROUP BY account_id) l ON l.account_id = a.id
        WHERE a.organization_id = ${org}
          AND (a.balance <> coalesce(l.balance, 0) OR a.wallet_balance <> coalesce(l.wallet, 0) OR a.last_sequence <> coalesce(l.n, 0))`)),
      ...(yield* q("accounts whose holds differ from their pending holds", sql`
        SELECT count(*)::int AS n FROM billing.client_accounts a
        WHERE a.organization_id = ${org}
          AND a.holds <> coalesce((SELECT sum(amount) FROM billing.credit_holds h WHERE h.account_id = a.id AND h.status = 'Pending'), 0)`)),
      ...(yield* q("accounts whose balance differs from what open invoices owe", sql`
        SELECT count(*)::int AS n FROM billing.client_accounts a
        WHERE a.organization_id = ${org}
          AND a.balance <> coalesce((SELECT sum(total_amount - amount_paid - amount_credited) FROM billing.invoices i
                                     WHERE i.account_id = a.id AND i.status IN ('Sent', 'Overdue')), 0)`)),
      ...(yield* q("accounts with negative available credit", sql`
        SELECT count(*)::int AS n FROM billing.client_accounts WHERE organization_id = ${org} AND credit_limit - balance - holds < 0`)),
      ...(yield* q("invoices whose amount paid differs from their completed payments", sql`
        SELECT count(*)::int AS n FROM billing.invoices i WHERE i.organization_id = ${org}
          AND i.amount_paid <> coalesce((SELECT sum(base_amount) FROM billing.payments p WHERE p.invoice_id = i.id AND p.status = 'Completed'), 0)`)),
      ...(yield* q("invoices whose amount credited differs from their credit notes", sql`
        SELECT count(*)::int AS n FROM billing.invoices i WHERE i.organization_id = ${org}
          AND i.amount_credited <> coalesce((SELECT sum(amount) FROM billing.credit_notes c WHERE c.invoice_id = i.id), 0)`)),
      ...(yield* q("ledger postings per payment or credit note other than one", sql`
        SELECT count(*)::int AS n FROM (
          SELECT p.id FROM billing.payments p LEFT JOIN billing.account_transactions t ON t.source_id = p.id::text
          WHERE p.organization_id = ${org} AND p.status = 'Completed' GROUP BY p.id HAVING count(t.id) <> 1
          UNION ALL
          SELECT c.id FROM billing.credit_notes c LEFT JOIN billing.account_transactions t ON t.source_id = c.id::text
          WHERE c.organization_id = ${org} GROUP BY c.id HAVING count(t.id) <> 1) x`))
    ]
  })

/**
 * Rows against keys: every payment, credit note and hold row belongs to exactly one succeeded key's
 * result, and every succeeded key's record exists once. Returns the mismatches.
 */
export const keyMismatches = (sql: SqlClient.SqlClient, tenant: Tenant.Tenant, outcomes: Outcomes) =>
  Effect.gen(function*() {
    const org = tenant.organizationId
    const ids = (op: ReadonlyArray<string>, f: (value: any) => string) =>
      [...outcomes.succeeded.values()].filter((s) => op.includes(s.op)).map((s) => f(s.value)).sort()
    const rows = (statement: Effect.Effect<ReadonlyArray<{ readonly id: string }>, unknown>) =>
      Effect.map(Effect.orDie(statement), (r) => r.map((x) => x.id).sort())
    const checks: ReadonlyArray<readonly [string, ReadonlyArray<string>, ReadonlyArray<string>]> = [
      ["payments", ids(["pay", "payWallet"], (v) => v.payment.id), yield* rows(sql`SELECT id::text FROM billing.payments WHERE organization_id = ${org}`)],
      ["credit notes", ids(["creditNote"], (v) => v.creditNote.id), yield* rows(sql`SELECT id::text FROM billing.credit_notes WHERE organization_id = ${org}`)],
      ["holds", ids(["reserve"], (v) => v.id), yield* rows(sql`SELECT id::text FROM billing.credit_holds WHERE organization_id = ${org}`)],
      ["invoices", ids(["draft"], (v) => v.id), yield* rows(sql`SELECT id::text FROM billing.invoices WHERE organization_id = ${org}`)]
    ]
    return checks.flatMap(([name, expected, actual]) =>
      JSON.stringify(expected) === JSON.stringify(actual) ? [] : [`${name}: ${expected.length} succeeded keys, ${actual.length} rows`])
  })

/** A separate connection (pool of 2) to the database the app's client points at. */
export const adminLayer = Layer.unwrap(Effect.gen(function*() {
  const client = yield* PgClient.PgClient
  const url = client.config.url
  if (url === undefined) return yield* Effect.die(new Error("the server target has a url"))
  return PgClient.layer({ url: Redacted.make(Redacted.value(url)), maxConnections: 2, applicationName: "erpkit-admin" })
}))

/** Samples the least available credit of the tenant's accounts every `everyMillis` until interrupted. */
export const sampleAvailableCredit = (sql: SqlClient.SqlClient, tenant: Tenant.Tenant, least: Ref.Ref<bigint>, samples: Ref.Ref<number>) =>
  Effect.forever(Effect.gen(function*() {
    const rows = yield* Effect.orDie(sql<{ readonly least: bigint | null }>`
      SELECT min(credit_limit - balance - holds) AS least FROM billing.client_accounts WHERE organization_id = ${tenant.organizationId}`)
    const value = rows[0]?.least
    if (value !== null && value !== undefined) yield* Ref.update(least, (m) => (value < m ? value : m))
    yield* Ref.update(samples, (n) => n + 1)
    yield* Effect.sleep("15 millis")
  }))

/** A naive `ClientAccountRepository` whose `getForUpdate` is a plain SELECT (no row lock): the control that must fail. */
export const naive = (context: Ctx): Ctx => {
  const real = Context.get(context, ClientAccountRepository.ClientAccountRepository)
  return Context.add(context, ClientAccountRepository.ClientAccountRepository, { ...real, getForUpdate: real.get })
}

export { Fiber }
