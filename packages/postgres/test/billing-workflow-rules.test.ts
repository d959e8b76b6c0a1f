/**
 * Billing's workflow tables on Postgres at the database level, on PGlite and a real server:
 * tenancy through the commands (forged ids of another tenant are NotFound, nothing of B changes, A's jobs
 * never sweep B) and through raw `erpkit_app` queries; forced RLS, grants, append-only documents and
 * quote lines, CHECKs; the jobs as ONE statement each, idempotent; and the recurring billing job run
 * twice and by two concurrent fibers creating one invoice per (account, period).
 */
import { describe, expect, layer } from "@effect/vitest"
import { Cause, Clock, Context, Effect, Exit, Layer } from "effect"
import { Actor, LocalDate } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import {
  ClientAccounts,
  Disputes,
  Documents,
  Invoices,
  Jobs,
  QuoteRepository,
  Quotes,
  RateCardRepository,
  RateCards,
  RecurringBilling
} from "@erpkit/billing"
import { fakeUsageSource, request } from "@erpkit/billing/testing"
import { PgDatabase } from "../src/Database.ts"
import * as SqlState from "../src/SqlState.ts"
import * as BillingPg from "../src/billing/index.ts"
import { freshTenant, targets } from "./targets.ts"
import { billingLayer } from "./billing/support.ts"
import { ManualClock } from "./billing/driver.ts"

/** 1 December 2026, 00:00 UTC: where the tests that expire quotes start their own clock (they move it, never wait). */
const clockStart = 1_796_083_200_000

type Tenant = ReturnType<typeof freshTenant>

const workflowTables = ["billing_runs", "disputes", "documents", "quote_lines", "quotes", "rate_cards", "surcharges"]

/** One actor with every billing role the workflow commands need. */
const userOf = (tenant: Tenant) =>
  actor(["Finance Manager", "Pricing Analyst", "Sales Manager", "Accounts Manager"], tenant)

const tiers = [{ upTo: "100", unitPriceMinor: 10_000n }, { upTo: null, unitPriceMinor: 8_000n }]

const source = fakeUsageSource()

/**
 * A tenant with a row in every workflow table: a current card, an expired card and surcharge (for the
 * deactivate job), a quote expiring in `quoteMillis`, a dispute on a Sent invoice, a Bill of Lading,
 * and a billing run for `period`.
 */
const world = (tenant: Tenant, period: string, quoteMillis = 60_000) =>
  Effect.gen(function*() {
    const u = userOf(tenant)
    const card = yield* RateCards.createRateCard(u, {
      name: "Standard 'weight' -- ;",
      serviceLevel: "Standard",
      basis: "Weight",
      currency: "KZT",
      tiers,
      validFrom: "2026-01-01",
      validTo: "2099-12-31"
    })
    const oldCard = yield* RateCards.createRateCard(u, {
      name: "Old",
      serviceLevel: "Standard",
      basis: "Weight",
      currency: "KZT",
      tiers,
      validFrom: "2020-01-01",
      validTo: "2020-12-31"
    })
    const surcharge = yield* RateCards.createSurcharge(u, {
      name: "Fuel",
      kind: { _tag: "Percent", rate: "12.5%" },
      currency: "KZT",
      validFrom: "2020-01-01",
      validTo: "2020-12-31"
    })
    const account = yield* ClientAccounts.openAccount(u, { customerId: crypto.randomUUID(), currency: "KZT" })
    yield* ClientAccounts.setCreditTerms(u, {
      accountId: account.id,
      creditLimitMinor: 100_000_000n,
      isCreditApproved: true
    })
    const quote = yield* Quotes.createQuote(u, {
      accountId: account.id,
      quoteNumber: "Q-1",
      lines: [{ request: request("10") }],
      expiresAt: (yield* Clock.currentTimeMillis) + quoteMillis
    })
    const item = { description: "Freight", quantity: "2", unitPriceMinor: 10_000n }
    const draft = yield* Invoices.createInvoice(u, {
      accountId: account.id,
      invoiceNumber: "INV-1",
      issueDate: "2026-01-01",
      dueDate: "2026-01-02",
      items: [item]
    })
    const invoice = yield* Invoices.issueInvoice(u, { invoiceId: draft.id })
    const dispute = yield* Disputes.openDispute(u, {
      invoiceId: invoice.id,
      lineIndex: 0,
      amountMinor: 100n,
      reason: "damaged"
    })
    const document = yield* Documents.createBillOfLading(
      u,
      {
        shipmentId: crypto.randomUUID(),
        shipmentNumber: "S-1",
        shipper: { name: "A", address: "Almaty" },
        consignee: { name: "B", address: "Astana" },
        shipDate: "2026-01-05",
        lines: [{ description: "Boxes", quantity: "2" }]
      } as never
    )
    source.set(period, [{ customerId: account.customerId, items: [{ request: request("5") }] }])
    const billed = yield* RecurringBilling.runRecurringBilling(Actor.system(tenant), { period })
    expect(billed.outcomes.map((o) => o.outcome)).toEqual(["Invoiced"])
    return { card, oldCard, surcharge, account, quote, invoice, dispute, document }
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

/** Every workflow row of an organization, as text (read by the owner, so RLS does not hide anything). */
const snapshotOf = (sql: PgDatabase["Service"]["sql"], tenant: Tenant) =>
  Effect.orDie(
    Effect.forEach(
      workflowTables,
      (table) =>
        Effect.map(
          sql<{ t: string | null }>`SELECT json_agg(x ORDER BY x::text)::text AS t FROM ${
            sql.literal(`billing.${table}`)
          } x
        WHERE organization_id = ${tenant.organizationId}`,
          (rows) => [table, rows[0]!.t] as const
        )
    )
  )

/**
 * Counts the statements (not fragments) the repositories send, by wrapping `PgDatabase.sql` (as billing-rules does).
 */
const countingLayer = (count: { n: number }) =>
  Layer.effect(
    PgDatabase,
    Effect.map(PgDatabase, (db) => {
      const sql = new Proxy(db.sql, {
        apply: (target, self, args: Array<any>) => {
          const head = Array.isArray(args[0]) ? String(args[0][0]).trimStart() : ""
          if (/^(SELECT|WITH|UPDATE|INSERT|DELETE)\b/i.test(head)) count.n++
          return Reflect.apply(target, self, args)
        }
      })
      return { ...db, sql }
    })
  )

/** Builds `layer` with a memo map of its own, so module-level layers are constructed anew over what it is given. */
const buildFresh = <A>(layer: Layer.Layer<A>) =>
  Effect.scoped(Effect.gen(function*() {
    return yield* Layer.buildWithMemoMap(layer, yield* Layer.makeMemoMap, yield* Effect.scope)
  }))

for (const target of targets("billing-workflow-rules.test.ts")) {
  describe(target.name, () => {
    layer(Layer.merge(billingLayer(target), source.layer), { excludeTestServices: true, timeout: "120 seconds" })(
      "billing workflow tables at the database level",
      (it) => {
        it.effect("TEN-01 A's workflow commands with B's ids: NotFound; B's rows stay; A's jobs never sweep B", () =>
          Effect.gen(function*() {
            const a = freshTenant()
            const b = freshTenant()
            const clock = new ManualClock(clockStart)
            yield* world(a, "2026-01").pipe(Effect.provideService(Clock.Clock, clock))
            const theirs = yield* world(b, "2026-02", 400).pipe(Effect.provideService(Clock.Clock, clock))
            clock.millis += 450 // B's quote is past its expiry: A's expireQuotes must still leave it
            const db = yield* PgDatabase
            const before = yield* snapshotOf(db.sql, b)
            const u = userOf(a)
            const attempts: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown, any>]> = [
              ["getRateCard", RateCards.getRateCard(u, { rateCardId: theirs.card.id })],
              ["updateRateCard", RateCards.updateRateCard(u, { rateCardId: theirs.card.id, name: "mine" })],
              ["deleteRateCard", RateCards.deleteRateCard(u, { rateCardId: theirs.card.id })],
              ["getSurcharge", RateCards.getSurcharge(u, { surchargeId: theirs.surcharge.id })],
              ["updateSurcharge", RateCards.updateSurcharge(u, { surchargeId: theirs.surcharge.id, name: "mine" })],
              ["deleteSurcharge", RateCards.deleteSurcharge(u, { surchargeId: theirs.surcharge.id })],
              ["getQuote", Quotes.getQuote(u, { quoteId: theirs.quote.id })],
              ["sendQuote", Quotes.sendQuote(u, { quoteId: theirs.quote.id })],
              ["acceptQuote", Quotes.acceptQuote(u, { quoteId: theirs.quote.id, invoiceNumber: "INV-X" })],
              [
                "openDispute",
                Disputes.openDispute(u, { invoiceId: theirs.invoice.id, lineIndex: 0, amountMinor: 1n, reason: "x" })
              ],
              ["getDispute", Disputes.getDispute(u, { disputeId: theirs.dispute.id })],
              ["approveDispute", Disputes.approveDispute(u, { disputeId: theirs.dispute.id })],
              ["rejectDispute", Disputes.rejectDispute(u, { disputeId: theirs.dispute.id, note: "no" })],
              ["getDocument", Documents.getDocument(u, { documentId: theirs.document.id })]
            ]
            for (const [name, attempt] of attempts) {
              expect([name, failureTag(yield* Effect.exit(attempt))]).toEqual([name, "NotFound"])
            }
            expect(yield* Documents.listDocuments(u, { kind: "BillOfLading", sourceId: theirs.document.sourceId }))
              .toEqual([])
            expect(yield* Disputes.listDisputes(u, { invoiceId: theirs.invoice.id })).toEqual([])
            // A's jobs: its own expired card and surcharge only; B's expired quote, card, surcharge and run stay
            const onClock = Effect.provideService(Clock.Clock, clock)
            const swept = yield* onClock(Jobs.deactivateExpiredRates(Actor.system(a), {}))
            expect([swept.rateCards.length, swept.surcharges.length]).toEqual([1, 1])
            expect((yield* onClock(Jobs.expireQuotes(Actor.system(a), {}))).quotes).toEqual([])
            // B's customer: not A's
            const again = yield* RecurringBilling.runRecurringBilling(Actor.system(a), { period: "2026-02" })
            expect(again.outcomes.map((o) => o.outcome)).toEqual(["Failed"])
            expect(yield* snapshotOf(db.sql, b)).toEqual(before)
            expect(before.every(([, rows]) => rows !== null)).toBe(true)
            // B's quote was due: A's sweep had work within reach that it must not do
            expect((yield* onClock(Jobs.expireQuotes(Actor.system(b), {}))).quotes.map((q) => q.id)).toEqual([
              theirs.quote.id
            ])
          }))

        it.effect("BIL-QUO-03 X-04 upfront-paid quote acceptance, dispute approval with credit note on Postgres", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const clock = new ManualClock(clockStart)
            const w = yield* world(tenant, "2026-03").pipe(Effect.provideService(Clock.Clock, clock))
            const u = userOf(tenant)
            const run = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
              effect.pipe(Effect.provideService(Clock.Clock, clock))
            yield* run(Quotes.sendQuote(u, { quoteId: w.quote.id }))
            const payment = {
              amountMinor: w.quote.totalMinor,
              currency: "KZT",
              method: "CARD",
              reference: "auth 1"
            } as const
            const accepted = yield* run(
              Quotes.acceptQuote(u, { quoteId: w.quote.id, invoiceNumber: "INV-Q-1", payment })
            )
            expect([accepted.quote.status, accepted.quote.paidUpfront, accepted.invoice.status]).toEqual([
              "Accepted",
              true,
              "Paid"
            ])
            expect(accepted.payment?.baseAmountMinor).toBe(w.quote.totalMinor)
            const approved = yield* run(Disputes.approveDispute(u, { disputeId: w.dispute.id }))
            expect(approved.dispute.status).toBe("Approved")
            expect(approved.creditNote?.amountMinor).toBe(100n)
            expect(approved.invoice.amountCreditedMinor).toBe(100n)
            const db = yield* PgDatabase
            const [rows] = yield* Effect.orDie(
              db.sql<{ quotes: number; payments: number; notes: number; disputes: number }>`
              SELECT
                (SELECT count(*)::int FROM billing.quotes WHERE organization_id = ${tenant.organizationId}
                  AND status = 'Accepted') AS quotes,
                (SELECT count(*)::int FROM billing.payments WHERE organization_id = ${tenant.organizationId}
                  AND invoice_id = ${accepted.invoice.id}) AS payments,
                (SELECT count(*)::int FROM billing.credit_notes WHERE organization_id = ${tenant.organizationId}
                  AND invoice_id = ${w.invoice.id}) AS notes,
                (SELECT count(*)::int FROM billing.disputes WHERE organization_id = ${tenant.organizationId}
                  AND status = 'Approved') AS disputes`
            )
            expect(rows).toEqual({ quotes: 1, payments: 1, notes: 1, disputes: 1 })
          }))

        it.effect("TEN-01 a raw query as erpkit_app with another tenant's setting, or none, sees no workflow row", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const a = freshTenant()
            const b = freshTenant()
            yield* world(a, "2026-03")
            for (const table of workflowTables) {
              const count = db.sql<{ n: number }>`SELECT count(*)::int AS n FROM ${
                db.sql.literal(`billing.${table}`)
              } WHERE organization_id = ${a.organizationId}`
              const asB = yield* db.inTenant(b)(Effect.orDie(count))
              const none = yield* db.transaction(Effect.orDie(count))
              const asA = yield* db.inTenant(a)(Effect.orDie(count))
              const owner = yield* Effect.orDie(count)
              expect([table, asB[0]!.n, none[0]!.n]).toEqual([table, 0, 0])
              expect([table, asA[0]!.n > 0, owner[0]!.n]).toEqual([table, true, asA[0]!.n])
            }
            // and WITH CHECK refuses a row for another tenant (42501)
            const exit = yield* Effect.exit(
              db.inTenant(a)(db.sql`
              INSERT INTO billing.billing_runs (id, organization_id, workspace_id, account_id, customer_id, period,
                status, error, attempts, created_at, updated_at)
              VALUES (${crypto.randomUUID()}, ${b.organizationId}, ${b.workspaceId}, ${crypto.randomUUID()},
                ${crypto.randomUUID()}, '2026-01',
                'Failed', 'x', 1, now(), now())`)
            )
            expect(sqlStateOf(exit)).toBe("42501")
          }))

        it.effect("RLS forced, least grants; documents, quote lines append-only (42501); CHECKs (23514)", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const sql = db.sql
            const rows = yield* Effect.orDie(
              sql<{ relname: string; on: boolean; forced: boolean; policies: number; upd: boolean; del: boolean }>`
              SELECT c.relname, c.relrowsecurity AS on, c.relforcerowsecurity AS forced,
                (SELECT count(*)::int FROM pg_policy p WHERE p.polrelid = c.oid
                  AND p.polname = 'tenant_isolation') AS policies,
                has_table_privilege('erpkit_app', c.oid, 'UPDATE') AS upd, has_table_privilege('erpkit_app', c.oid,
                  'DELETE') AS del
              FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'billing' AND c.relkind = 'r' AND c.relname = ANY(${workflowTables}) ORDER BY c.relname`
            )
            expect(rows.map((r) => [r.relname, r.on, r.forced, r.policies, r.upd, r.del])).toEqual(
              workflowTables.map((t) => [t, true, true, 1, !["documents", "quote_lines"].includes(t), false])
            )
            const a = freshTenant()
            const w = yield* world(a, "2026-04")
            const asApp = (statement: Effect.Effect<unknown, unknown>) =>
              Effect.map(Effect.exit(db.inTenant(a)(statement)), sqlStateOf)
            const asOwner = (statement: Effect.Effect<unknown, unknown>) =>
              Effect.map(Effect.exit(statement), sqlStateOf)
            for (const run of [asApp, asOwner]) {
              expect(yield* run(sql`UPDATE billing.documents SET body = 'forged' WHERE id = ${w.document.id}`)).toBe(
                "42501"
              )
              expect(yield* run(sql`DELETE FROM billing.documents WHERE id = ${w.document.id}`)).toBe("42501")
            }
            expect(yield* asOwner(sql`UPDATE billing.quote_lines SET price = price WHERE quote_id = ${w.quote.id}`))
              .toBe("42501")
            expect(yield* asOwner(sql`DELETE FROM billing.quote_lines WHERE quote_id = ${w.quote.id}`)).toBe("42501")
            // the second line of defence (owner, so only the CHECK can refuse)
            const checks: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown>]> = [
              ["validity range", sql`UPDATE billing.rate_cards SET valid_to = valid_from - 1 WHERE id = ${w.card.id}`],
              [
                "tiers ascending",
                sql`UPDATE billing.rate_cards SET tiers =
                  ('[{"upTo":"5","unitPriceMinor":"1"},{"upTo":"5","unitPriceMinor":"1"},'
                  || '{"upTo":null,"unitPriceMinor":"1"}]')::jsonb
                  WHERE id = ${w.card.id}`
              ],
              [
                "last tier unbounded",
                sql`UPDATE billing.rate_cards SET tiers = '[{"upTo":"5","unitPriceMinor":"1"}]' WHERE id = ${w.card.id}`
              ],
              ["tiers not empty", sql`UPDATE billing.rate_cards SET tiers = '[]' WHERE id = ${w.card.id}`],
              [
                "percent ≤ 100 %",
                sql`UPDATE billing.surcharges SET rate_numerator = 2, rate_denominator = 1 WHERE id = ${w.surcharge.id}`
              ],
              ["quote total", sql`UPDATE billing.quotes SET total_minor = total_minor + 1 WHERE id = ${w.quote.id}`],
              [
                "Σ lines = quote total (at commit)",
                sql`UPDATE billing.quotes SET subtotal_minor = subtotal_minor + 1, total_minor = total_minor + 1
                  WHERE id = ${w.quote.id}`
              ],
              ["accepted needs invoice", sql`UPDATE billing.quotes SET status = 'Accepted' WHERE id = ${w.quote.id}`],
              [
                "approved ≤ disputed",
                sql`UPDATE billing.disputes SET status = 'Approved', approved_minor = amount_minor + 1,
                  credit_note_id = gen_random_uuid(), resolved_at = now() WHERE id = ${w.dispute.id}`
              ],
              [
                "invoiced needs invoice",
                sql`UPDATE billing.billing_runs SET invoice_id = NULL WHERE organization_id = ${a.organizationId}`
              ],
              [
                "period shape",
                sql`UPDATE billing.billing_runs SET period = '2026-13' WHERE organization_id = ${a.organizationId}`
              ]
            ]
            for (const [name, statement] of checks) expect([name, yield* asOwner(statement)]).toEqual([name, "23514"])
          }))

        it.effect("BIL-RC-03 BIL-QUO-02 each workflow job is ONE statement, returns the rows, is idempotent", () =>
          Effect.gen(function*() {
            const count = { n: 0 }
            const outer = yield* Effect.context<PgDatabase>()
            const repos = yield* buildFresh(
              BillingPg.layer.pipe(
                Layer.provide(countingLayer(count)),
                Layer.provide(Layer.succeedContext(outer))
              ) as Layer.Layer<any>
            )
            const a = freshTenant()
            const clock = new ManualClock(clockStart)
            const w = yield* world(a, "2026-05", 400).pipe(Effect.provideService(Clock.Clock, clock))
            const now = clock.millis + 450 // the 400 ms quote is past its expiry: the jobs take "now" as an argument
            const today = LocalDate.atInstant(now, "Asia/Almaty") as never
            const cards = Context.get(repos, RateCardRepository.RateCardRepository)
            const surcharges = Context.get(repos, RateCardRepository.SurchargeRepository)
            const quotes = Context.get(repos, QuoteRepository.QuoteRepository)
            const jobs: ReadonlyArray<
              readonly [string, () => Effect.Effect<ReadonlyArray<{ readonly after: { readonly id: string } }>>, string]
            > = [
              ["rate cards", () => cards.deactivateExpired(a, today, now, 100), w.oldCard.id],
              ["surcharges", () => surcharges.deactivateExpired(a, today, now, 100), w.surcharge.id],
              ["quotes", () => quotes.expire(a, now, 100), w.quote.id]
            ]
            for (const [name, job, id] of jobs) {
              count.n = 0
              const changed = yield* job()
              expect([name, changed.map((r) => r.after.id), count.n]).toEqual([name, [id], 1])
              count.n = 0
              expect([name, (yield* job()).length, count.n]).toEqual([name, 0, 1])
            }
            expect((yield* cards.get(a, w.oldCard.id)).isActive).toBe(false)
            expect((yield* quotes.get(a, w.quote.id)).status).toBe("Expired")
          }))

        it.effect("X-06 the recurring job run twice, and by two fibers, makes one invoice and run per period", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const a = freshTenant()
            const u = userOf(a)
            yield* RateCards.createRateCard(u, {
              name: "Standard",
              serviceLevel: "Standard",
              basis: "Weight",
              currency: "KZT",
              tiers,
              validFrom: "2026-01-01",
              validTo: "2099-12-31"
            })
            const accounts = yield* Effect.forEach([1, 2, 3, 4], () =>
              Effect.gen(function*() {
                const account = yield* ClientAccounts.openAccount(u, {
                  customerId: crypto.randomUUID(),
                  currency: "KZT"
                })
                return yield* ClientAccounts.setCreditTerms(u, {
                  accountId: account.id,
                  creditLimitMinor: 100_000_000n,
                  isCreditApproved: true
                })
              }))
            const usage = accounts.map((acc) => ({ customerId: acc.customerId, items: [{ request: request("12.5") }] }))
            const counts = Effect.orDie(db.sql<{ invoices: number; runs: number; invoiced: number }>`
              SELECT (SELECT count(*)::int FROM billing.invoices WHERE organization_id = ${a.organizationId}
                     AND invoice_number LIKE 'REC-%') AS invoices, (SELECT count(*)::int FROM billing.billing_runs
                     WHERE organization_id = ${a.organizationId}) AS runs,
                     (SELECT count(*)::int FROM billing.billing_runs WHERE organization_id = ${a.organizationId}
                       AND status = 'Invoiced') AS invoiced`)
            // twice, one after the other
            source.set("2026-06", usage)
            const first = yield* RecurringBilling.runRecurringBilling(Actor.system(a), { period: "2026-06" })
            const second = yield* RecurringBilling.runRecurringBilling(Actor.system(a), { period: "2026-06" })
            expect(first.outcomes.map((o) => o.outcome)).toEqual(["Invoiced", "Invoiced", "Invoiced", "Invoiced"])
            expect(second.outcomes.map((o) => o.outcome)).toEqual([
              "AlreadyInvoiced",
              "AlreadyInvoiced",
              "AlreadyInvoiced",
              "AlreadyInvoiced"
            ])
            expect(yield* counts).toEqual([{ invoices: 4, runs: 4, invoiced: 4 }])
            // two schedulers at once (on the server two connections race; PGlite has one and serializes them)
            source.set("2026-07", usage)
            const both = yield* Effect.all([
              RecurringBilling.runRecurringBilling(Actor.system(a), { period: "2026-07" }),
              RecurringBilling.runRecurringBilling(Actor.system(a), { period: "2026-07" })
            ], { concurrency: 2 })
            for (const acc of accounts) {
              const outcomes = both.flatMap((r) => r.outcomes.filter((o) => o.customerId === acc.customerId))
              expect(outcomes.filter((o) => o.outcome === "Invoiced")).toHaveLength(1)
            }
            expect(yield* counts).toEqual([{ invoices: 8, runs: 8, invoiced: 8 }])
            const perKey = yield* Effect.orDie(db.sql<{ n: number }>`
              SELECT count(*)::int AS n FROM billing.invoices WHERE organization_id = ${a.organizationId}
                AND invoice_number LIKE 'REC-2026-07-%'
              GROUP BY invoice_number`)
            expect(perKey.map((r) => r.n)).toEqual([1, 1, 1, 1])
          }))
      }
    )
  })
}
