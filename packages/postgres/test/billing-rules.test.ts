/**
 * Billing on Postgres at the database level, on PGlite and a real server: tenancy
 * (forged ids, RLS through the app role, WITH CHECK), the schema's second line of defence (CHECKs,
 * append-only tables, forced RLS on every table), bad input that never reaches SQL, strings stored
 * verbatim, and the jobs as one set-based statement each.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Cause, Clock, Context, Effect, Exit, Layer } from "effect"
import * as fc from "fast-check"
import { Actor, AuditLog, Command, Idempotency, Ids, Outbox, UnitOfWork } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import {
  ClientAccounts,
  CreditHoldRepository,
  CreditNotes,
  grants,
  InvoiceRepository,
  Invoices,
  Jobs,
  Payments
} from "@erpkit/billing"
import { Arbitraries } from "@erpkit/billing/testing"
import { PgDatabase } from "../src/Database.ts"
import * as SqlState from "../src/SqlState.ts"
import * as BillingPg from "../src/billing/index.ts"
import { freshTenant, targets } from "./targets.ts"
import { billingLayer } from "./billing/support.ts"
import { ManualClock, trickyTexts } from "./billing/driver.ts"
import { workloadEpochMillis } from "./billing/load.ts"

const tables = [
  "client_accounts",
  "account_transactions",
  "credit_holds",
  "invoices",
  "invoice_items",
  "invoice_events",
  "payments",
  "credit_notes",
  "accounting_syncs",
  "accounting_sync_log"
]

const fmOf = (tenant: ReturnType<typeof freshTenant>) => actor(["Finance Manager"], tenant)

/** An approved account with a wallet, a Sent invoice (with a payment and a credit note), a Pending hold and a Draft. */
const world = (tenant: ReturnType<typeof freshTenant>, number = "INV-1") =>
  Effect.gen(function*() {
    const fm = fmOf(tenant)
    const account = yield* ClientAccounts.openAccount(fm, { customerId: crypto.randomUUID(), currency: "KZT" })
    yield* ClientAccounts.setCreditTerms(fm, {
      accountId: account.id,
      creditLimitMinor: 1_000_000n,
      isCreditApproved: true
    })
    yield* ClientAccounts.topUpWallet(fm, { accountId: account.id, amountMinor: 500n })
    const item = { description: "Freight", quantity: "2", unitPriceMinor: 10_000n }
    const draft = yield* Invoices.createInvoice(fm, {
      accountId: account.id,
      invoiceNumber: number,
      issueDate: "2026-01-01",
      dueDate: "2026-01-02",
      items: [item]
    })
    const sent = yield* Invoices.issueInvoice(fm, { invoiceId: draft.id })
    const { payment } = yield* Payments.recordPayment(fm, {
      invoiceId: sent.id,
      amountMinor: 100n,
      currency: "KZT",
      method: "CASH"
    })
    yield* CreditNotes.issueCreditNote(fm, { invoiceId: sent.id, amountMinor: 50n, reason: "r" })
    const hold = yield* ClientAccounts.reserveCredit(fm, {
      accountId: account.id,
      amountMinor: 10n,
      holdTimeoutSeconds: 1
    })
    const other = yield* Invoices.createInvoice(fm, {
      accountId: account.id,
      invoiceNumber: `${number}-d`,
      issueDate: "2026-01-01",
      dueDate: "2026-01-02",
      items: [item]
    })
    return { account, sent, draft: other, hold, payment }
  })

const failureTag = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const error = Cause.findErrorOption(exit.cause)
  return error._tag === "Some" ? (error.value as { _tag: string })._tag : "defect"
}

const sqlStateOf = (exit: Exit.Exit<unknown, unknown>): string | undefined => {
  if (Exit.isSuccess(exit)) return "success"
  const [error] = SqlState.findSqlErrors(exit.cause)
  return error === undefined ? undefined : SqlState.sqlState(error)
}

const dieOnUse = (what: string): any =>
  new Proxy(
    {},
    {
      get: (
        _t,
        key
      ) => (typeof key === "string" ? () => Effect.die(new Error(`${what}.${key}: reached the database`)) : undefined)
    }
  )

/** Billing's repositories over a PgDatabase (and kernel ports) that die on any use: nothing may reach SQL. */
const noSqlLayer = BillingPg.layer.pipe(
  Layer.provideMerge(
    Layer.mergeAll(
      Layer.succeed(
        PgDatabase,
        {
          sql: new Proxy(() => {}, {
            apply: () => Effect.die(new Error("SQL reached")),
            get: () => () => Effect.die(new Error("SQL reached"))
          }),
          transaction: () => Effect.die(new Error("a unit of work opened")),
          inTenant: () => () => Effect.die(new Error("SQL reached")),
          attempt: Effect.succeed(0),
          asRelay: () => Effect.die(new Error("relay"))
        } as never
      ),
      Layer.succeed(UnitOfWork.UnitOfWork, { transaction: () => Effect.die(new Error("a unit of work opened")) }),
      Layer.succeed(Outbox.Outbox, dieOnUse("Outbox")),
      Layer.succeed(AuditLog.AuditLog, dieOnUse("AuditLog")),
      Layer.succeed(Idempotency.Idempotency, dieOnUse("Idempotency")),
      Ids.IdGenerator.layerUuidV7,
      Actor.Authorization.layerStatic(grants)
    )
  )
) as Layer.Layer<any>

/** Counts the statements (not fragments) billing's repositories send, by wrapping `PgDatabase.sql`. */
const countingLayer = (count: { n: number; texts: Array<string> }) =>
  Layer.effect(
    PgDatabase,
    Effect.map(PgDatabase, (db) => {
      const sql = new Proxy(db.sql, {
        apply: (target, self, args: Array<any>) => {
          const head = Array.isArray(args[0]) ? String(args[0][0]).trimStart() : ""
          if (/^(SELECT|WITH|UPDATE|INSERT|DELETE)\b/i.test(head)) {
            count.n++
            count.texts.push(head.slice(0, 40))
          }
          return Reflect.apply(target, self, args)
        }
      })
      return { ...db, sql }
    })
  )

for (const target of targets("billing-rules.test.ts")) {
  describe(target.name, () => {
    layer(billingLayer(target), { excludeTestServices: true, timeout: "120 seconds" })(
      "billing at the database level",
      (it) => {
        const clock = new ManualClock(workloadEpochMillis) // 2026-01-01; only the tests move it

        it.effect("TEN-01 a command or query under A never reads or changes B's rows, even with B's ids", () =>
          Effect.gen(function*() {
            const a = freshTenant()
            const b = freshTenant()
            yield* world(a)
            const theirs = yield* world(b)
            const snapshot = (sql: PgDatabase["Service"]["sql"]) =>
              Effect.orDie(sql<{ readonly t: string }>`
              SELECT (SELECT json_agg(x ORDER BY x.id) FROM billing.client_accounts x
                     WHERE organization_id = ${b.organizationId})::text || (SELECT json_agg(x ORDER BY x.id)
                     FROM billing.invoices x WHERE organization_id = ${b.organizationId})::text || (SELECT json_agg(x
                     ORDER BY x.id) FROM billing.credit_holds x WHERE organization_id = ${b.organizationId})::text ||
                     (SELECT count(*) FROM billing.account_transactions x
                       WHERE organization_id = ${b.organizationId})::text AS t`)
            const db = yield* PgDatabase
            const before = yield* snapshot(db.sql)
            const fmA = fmOf(a)
            const attempts: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown, any>]> = [
              ["getInvoice", Invoices.getInvoice(fmA, { invoiceId: theirs.sent.id })],
              ["getAccount", ClientAccounts.getAccount(fmA, { accountId: theirs.account.id })],
              ["accountStatement", ClientAccounts.accountStatement(fmA, { accountId: theirs.account.id })],
              ["getPayment", Payments.getPayment(fmA, { paymentId: theirs.payment.id })],
              [
                "recordPayment",
                Payments.recordPayment(fmA, {
                  invoiceId: theirs.sent.id,
                  amountMinor: 1n,
                  currency: "KZT",
                  method: "CASH"
                })
              ],
              [
                "changePaymentStatus",
                Payments.changePaymentStatus(fmA, { paymentId: theirs.payment.id, status: "Failed" })
              ],
              [
                "issueCreditNote",
                CreditNotes.issueCreditNote(fmA, { invoiceId: theirs.sent.id, amountMinor: 1n, reason: "x" })
              ],
              ["voidInvoice", Invoices.voidInvoice(fmA, { invoiceId: theirs.sent.id, reason: "x" })],
              ["issueInvoice", Invoices.issueInvoice(fmA, { invoiceId: theirs.draft.id })],
              ["deleteDraftInvoice", Invoices.deleteDraftInvoice(fmA, { invoiceId: theirs.draft.id })],
              ["reserveCredit", ClientAccounts.reserveCredit(fmA, { accountId: theirs.account.id, amountMinor: 1n })],
              ["voidCreditHold", ClientAccounts.voidCreditHold(fmA, { holdId: theirs.hold.id })],
              [
                "setCreditTerms",
                ClientAccounts.setCreditTerms(fmA, { accountId: theirs.account.id, creditLimitMinor: 0n })
              ],
              ["topUpWallet", ClientAccounts.topUpWallet(fmA, { accountId: theirs.account.id, amountMinor: 1n })]
            ]
            for (const [name, attempt] of attempts) {
              expect([name, failureTag(yield* Effect.exit(attempt))]).toEqual([name, "NotFound"])
            }
            // A's jobs sweep A only: B's overdue invoice and expired hold stay as they are. The clock moves
            // two days (1 s holds expire, invoices due 2026-01-02 fall overdue) without waiting for it.
            clock.millis += 2 * 86_400_000
            expect((yield* Jobs.markOverdueInvoices(Actor.system(a), {})).invoices.length).toBe(1)
            expect((yield* Jobs.expireCreditHolds(Actor.system(a), {})).holds.length).toBe(1)
            yield* Jobs.sendInvoiceReminders(Actor.system(a), {})
            expect(yield* snapshot(db.sql)).toEqual(before)
            expect((yield* Invoices.listInvoices(fmA, {})).every((i) => i.tenant.organizationId === a.organizationId))
              .toBe(true)
          }).pipe(Effect.provideService(Clock.Clock, clock)))

        it.effect("TEN-01 a raw query via erpkit_app with another tenant's setting, or none, sees no billing row", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const a = freshTenant()
            const b = freshTenant()
            yield* world(a)
            for (const table of tables) {
              const count = db.sql<{ n: number }>`SELECT count(*)::int AS n FROM ${
                db.sql.literal(`billing.${table}`)
              } WHERE organization_id = ${a.organizationId}`
              const asB = yield* db.inTenant(b)(Effect.orDie(count))
              const none = yield* db.transaction(Effect.orDie(count))
              const asA = yield* db.inTenant(a)(Effect.orDie(count))
              const owner = yield* Effect.orDie(count)
              expect([table, asB[0]!.n, none[0]!.n]).toEqual([table, 0, 0])
              expect([table, owner[0]!.n]).toEqual([table, asA[0]!.n])
              // no sync attempt was made
              if (table !== "accounting_sync_log") expect([table, asA[0]!.n > 0]).toEqual([table, true])
            }
          }))

        it.effect("TEN-01 RLS is enabled and forced on every billing table; writes for other tenants fail 42501", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const rows = yield* Effect.orDie(db.sql<{ relname: string; on: boolean; forced: boolean }>`
            SELECT c.relname, c.relrowsecurity AS on, c.relforcerowsecurity AS forced FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'billing' AND c.relkind = 'r' ORDER BY c.relname`)
            // the workflow tables: billing-workflow-rules
            expect(rows.map((r) => r.relname)).toEqual(expect.arrayContaining(tables))
            expect(rows.every((r) => r.on && r.forced)).toBe(true)
            const a = freshTenant()
            const b = freshTenant()
            const exit = yield* Effect.exit(
              db.inTenant(a)(db.sql`
            INSERT INTO billing.client_accounts (id, organization_id, workspace_id, customer_id, currency,
              credit_limit_minor, is_credit_approved, balance_minor, wallet_balance_minor, holds_minor, last_sequence,
              created_at, updated_at)
            VALUES (${crypto.randomUUID()}, ${b.organizationId}, ${b.workspaceId}, ${crypto.randomUUID()}, 'KZT', 0,
              false, 0, 0, 0, 0, now(), now())`)
            )
            expect(sqlStateOf(exit)).toBe("42501")
          }))

        it.effect("BIL-INV-13 BIL-AT-03 append-only tables refuse UPDATE and DELETE for app and owner (42501)", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const a = freshTenant()
            const { sent } = yield* world(a)
            for (const table of ["account_transactions", "invoice_events", "invoice_items", "credit_notes"]) {
              const t = db.sql.literal(`billing.${table}`)
              const app = yield* Effect.exit(
                db.inTenant(a)(
                  db.sql`UPDATE ${t} SET organization_id = organization_id WHERE organization_id = ${a.organizationId}`
                )
              )
              const appDelete = yield* Effect.exit(
                db.inTenant(a)(db.sql`DELETE FROM ${t} WHERE organization_id = ${a.organizationId}`)
              )
              const owner = yield* Effect.exit(db.sql`DELETE FROM ${t} WHERE organization_id = ${a.organizationId}`)
              expect([table, sqlStateOf(app), sqlStateOf(appDelete), sqlStateOf(owner)]).toEqual([
                table,
                "42501",
                "42501",
                "42501"
              ])
            }
            expect((yield* Invoices.invoiceEvents(fmOf(a), { invoiceId: sent.id })).length).toBeGreaterThan(0)
          }))

        it.effect("BIL-INV-05 BIL-INV-04 BIL-INV-11 BIL-PAY-01 CHECKs reject what the domain forbids (23514)", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const a = freshTenant()
            const { sent, account } = yield* world(a)
            const inA = (statement: Effect.Effect<unknown, unknown>) =>
              Effect.map(Effect.exit(db.inTenant(a)(statement)), sqlStateOf)
            const cases: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown>]> = [
              [
                "amount_paid_minor > total (BIL-INV-05)",
                db.sql`UPDATE billing.invoices SET amount_paid_minor = total_minor + 1 WHERE id = ${sent.id}`
              ],
              [
                "paid + credited > total",
                db.sql`UPDATE billing.invoices SET amount_credited_minor = total_minor WHERE id = ${sent.id}`
              ],
              [
                "due before issue (BIL-INV-04)",
                db.sql`UPDATE billing.invoices SET due_date = issue_date - 1 WHERE id = ${sent.id}`
              ],
              [
                "deposit paid without deposit (BIL-INV-11)",
                db.sql`UPDATE billing.invoices SET deposit_amount_minor = NULL, deposit_paid_at = now()
                  WHERE id = ${sent.id}`
              ],
              [
                "Paid with something outstanding",
                db.sql`UPDATE billing.invoices SET status = 'Paid', paid_at = now() WHERE id = ${sent.id}`
              ],
              [
                "a reminder twice (BIL-INV-14)",
                db.sql`UPDATE billing.invoices SET reminders_sent = ARRAY['reminder_due', 'reminder_due']
                  WHERE id = ${sent.id}`
              ],
              ["negative holds", db.sql`UPDATE billing.client_accounts SET holds_minor = -1 WHERE id = ${account.id}`],
              [
                "negative wallet",
                db.sql`UPDATE billing.client_accounts SET wallet_balance_minor = -1 WHERE id = ${account.id}`
              ],
              [
                "payment amount 0 (BIL-PAY-01)",
                db.sql`UPDATE billing.payments SET amount_minor = 0 WHERE invoice_id = ${sent.id}`
              ],
              [
                "a pending hold with a resolution time",
                db.sql`UPDATE billing.credit_holds SET resolved_at = now() WHERE account_id = ${account.id}
                  AND status = 'Pending'`
              ]
            ]
            for (const [name, statement] of cases) expect([name, yield* inA(statement)]).toEqual([name, "23514"])
            const ledger = yield* inA(db.sql`INSERT INTO billing.account_transactions
            (id, organization_id, workspace_id, account_id, sequence, kind, currency, amount_minor, wallet_amount_minor,
            running_balance_minor, running_wallet_balance_minor, source_id, at)
            VALUES (${crypto.randomUUID()}, ${a.organizationId}, ${a.workspaceId}, ${account.id}, 1, 'WalletTopUp',
              'KZT', 0, 5, 0, 5, 'x', now())`)
            expect(["duplicate (account, sequence)", ledger]).toEqual(["duplicate (account, sequence)", "23505"])
          }))

        it.effect("bad input never reaches SQL: junk in any command field is a ValidationError (db dies on use)", () =>
          Effect.gen(function*() {
            const context = yield* buildFresh(noSqlLayer)
            const run = (effect: Effect.Effect<unknown, unknown, any>) =>
              Effect.runPromiseExit(Effect.provideContext(effect, context) as Effect.Effect<unknown, unknown>)
            const tenant = freshTenant()
            const fm = fmOf(tenant)
            const id = () => crypto.randomUUID()
            type AnyCommand = Command.AnyCommand
            const cases: ReadonlyArray<readonly [AnyCommand, Record<string, unknown>]> = [
              [ClientAccounts.openAccount, { customerId: id(), currency: "KZT" }],
              [ClientAccounts.setCreditTerms, { accountId: id(), creditLimitMinor: 5n, isCreditApproved: true }],
              [ClientAccounts.reserveCredit, {
                accountId: id(),
                amountMinor: 5n,
                holdTimeoutSeconds: 60,
                reference: "r"
              }],
              [ClientAccounts.voidCreditHold, { holdId: id() }],
              [ClientAccounts.topUpWallet, { accountId: id(), amountMinor: 5n }],
              [Invoices.createInvoice, {
                accountId: id(),
                invoiceNumber: "N",
                issueDate: "2026-01-01",
                dueDate: "2026-01-31",
                items: [{ description: "x", quantity: "1", unitPriceMinor: 1 }]
              }],
              [Invoices.issueInvoice, { invoiceId: id(), holdId: id() }],
              [Invoices.issuePaidInvoice, {
                invoiceId: id(),
                payment: { amountMinor: 1n, currency: "KZT", method: "CARD" }
              }],
              [Invoices.voidInvoice, { invoiceId: id(), reason: "r" }],
              [Payments.recordPayment, {
                invoiceId: id(),
                amountMinor: 5n,
                currency: "KZT",
                method: "CASH",
                reference: "r"
              }],
              [Payments.changePaymentStatus, { paymentId: id(), status: "Completed" }],
              [CreditNotes.issueCreditNote, { invoiceId: id(), amountMinor: 5n, reason: "r" }]
            ]
            // control: valid input does reach the (dying) database
            const control = yield* Effect.promise(() => run(Invoices.voidInvoice(fm, { invoiceId: id(), reason: "r" })))
            expect(Exit.isFailure(control) && Cause.hasDies(control.cause)).toBe(true)
            const query = yield* Effect.promise(() => run(Invoices.getInvoice(fm, { invoiceId: id() })))
            expect(Exit.isFailure(query) ? Cause.pretty(query.cause).split("\n")[0] : "success").toContain(
              "SQL reached"
            )
            const corrupted = fc.constantFrom(...cases).chain(([command, input]) =>
              Arbitraries.corrupt(input).map((bad) => [command, bad] as const)
            )
            yield* Effect.promise(() =>
              fc.assert(
                fc.asyncProperty(corrupted, async ([command, bad]) => {
                  const exit = await run(Command.untyped(command)(fm, bad))
                  expect(Exit.isFailure(exit) && !Cause.hasDies(exit.cause)).toBe(true)
                  expect(failureTag(exit)).toBe("ValidationError")
                }),
                { numRuns: 200 }
              )
            )
          }))

        it.effect("quotes and SQL in invoice numbers, descriptions, notes, reasons are stored and read verbatim", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const a = freshTenant()
            const fm = fmOf(a)
            const account = yield* ClientAccounts.openAccount(fm, { customerId: crypto.randomUUID(), currency: "KZT" })
            for (const [i, text] of trickyTexts.filter((t) => t.trim() !== "").entries()) {
              const invoice = yield* Invoices.createInvoice(fm, {
                accountId: account.id,
                invoiceNumber: `${text}`.slice(0, 50),
                issueDate: "2026-01-01",
                dueDate: "2026-01-31",
                items: [{ description: text, quantity: "1", unitPriceMinor: 100n, unit: text.slice(0, 20) }],
                notes: text
              })
              const back = yield* Invoices.getInvoice(fm, { invoiceId: invoice.id })
              expect([i, back.invoiceNumber, back.lines[0]!.description, back.notes]).toEqual([
                i,
                text.slice(0, 50),
                text,
                text
              ])
              const raw = yield* db.inTenant(a)(Effect.orDie(db.sql<{ n: string; d: string }>`
              SELECT i.invoice_number AS n, it.description AS d FROM billing.invoices i JOIN billing.invoice_items it
                ON it.invoice_id = i.id WHERE i.id = ${invoice.id}`))
              expect(raw).toEqual([{ n: text.slice(0, 50), d: text }])
              const voided = yield* Invoices.voidInvoice(fm, { invoiceId: invoice.id, reason: text })
              expect(voided.voidReason).toBe(text)
            }
            const found = yield* InvoiceRepository.InvoiceRepository.use((r) => r.findByNumber(a, trickyTexts[1]!))
            expect(found._tag).toBe("Some")
          }))

        it.effect("BIL-INV-07 BIL-INV-14 BIL-CA-02 each job is ONE statement, returning the changed rows", () =>
          Effect.gen(function*() {
            const count = { n: 0, texts: [] as Array<string> }
            const outer = yield* Effect.context<PgDatabase>()
            const repos = yield* buildFresh(
              BillingPg.layer.pipe(
                Layer.provide(countingLayer(count)),
                Layer.provide(Layer.succeedContext(outer))
              ) as Layer.Layer<any>
            )
            const a = freshTenant()
            const created = clock.millis
            yield* world(a).pipe(Effect.provideService(Clock.Clock, clock))
            // the 1 s hold is past its expiry: the jobs take "now" as an argument, no wait needed
            const later = created + 2_000
            const jobs: ReadonlyArray<readonly [string, (r: any) => Effect.Effect<ReadonlyArray<unknown>>]> = [
              ["markOverdue", (r) => r.markOverdue(a, "2026-02-01", later, 100)],
              ["claimReminders", (r) => r.claimReminders(a, "2026-02-01", later, 100)],
              [
                "expire",
                (r) => Effect.map(r.expire(a, later, 100), (x: { readonly holds: ReadonlyArray<unknown> }) => x.holds)
              ]
            ]
            for (const [name, job] of jobs) {
              const port = name === "expire"
                ? Context.get(repos, CreditHoldRepository.CreditHoldRepository)
                : Context.get(repos, InvoiceRepository.InvoiceRepository)
              count.n = 0
              count.texts.length = 0
              const changed = yield* job(port)
              expect([name, changed.length, count.n]).toEqual([name, 1, 1])
              count.n = 0
              // idempotent: nothing left to change
              expect([name, (yield* job(port)).length, count.n]).toEqual([name, 0, 1])
            }
          }))
      }
    )
  })
}

/** Builds `layer` with a memo map of its own, so module-level layers are constructed anew over what it is given. */
const buildFresh = <A>(layer: Layer.Layer<A>) =>
  Effect.scoped(Effect.gen(function*() {
    return yield* Layer.buildWithMemoMap(layer, yield* Layer.makeMemoMap, yield* Effect.scope)
  }))
