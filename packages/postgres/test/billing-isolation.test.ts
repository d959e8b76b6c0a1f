/**
 * TEN-01 billing isolation on a real server, with row-level security as the only barrier: three
 * tenants (A; B in another organization; C in A's organization but another workspace) each run a
 * billing story (account, terms, top-up, hold, invoices, payment, credit note, all with keys). Then,
 * for every table of the billing and platform schemas that carries organization_id, a raw
 * `SELECT … FROM <table>` with no tenant filter, as the app role in a transaction bound to each
 * tenant, must see that tenant's rows (all of them) and nothing of the two others. The controls
 * sabotage the policy of billing.payments inside a rolled-back transaction: with RLS off the check
 * sees the other tenants; with an organization-only policy the other-organization variation still
 * passes and only the same-organization, other-workspace variation catches it.
 */
import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import { actor } from "@erpkit/kernel/testing"
import type { Tenant } from "@erpkit/kernel"
import { ClientAccounts, CreditNotes, Payments } from "@erpkit/billing"
import { freshTenant, serverTarget } from "./targets.ts"
import { billingLayer, type BillingServices } from "./billing/support.ts"
import { setup, withManualClock, workloadEpochMillis } from "./billing/load.ts"
import { issueInvoices } from "./billing/same-key.ts"
import { adminLayer } from "./billing/checks.ts"
import { leaks, rowsOf, seenBy, tenantTables } from "./billing/isolation.ts"
import { ManualClock } from "./billing/driver.ts"

const server = serverTarget("billing-isolation.test.ts")

/** Tables the story must fill for every tenant (so "sees none of the others" is not vacuous there). */
const filled = [
  "billing.client_accounts",
  "billing.account_transactions",
  "billing.credit_holds",
  "billing.invoices",
  "billing.invoice_items",
  "billing.invoice_events",
  "billing.payments",
  "billing.credit_notes",
  "billing.accounting_syncs",
  "platform.outbox",
  "platform.audit_log",
  "platform.idempotency_keys"
]

/** A billing story in `tenant`: every core billing table gets rows. */
const story = (tenant: Tenant.Tenant) =>
  Effect.gen(function*() {
    const clock = new ManualClock(workloadEpochMillis)
    const app = withManualClock(yield* Effect.context<BillingServices>(), clock)
    const fm = actor(["Finance Manager"], tenant)
    const w = yield* setup(app, tenant, 1, 100_000_000n, clock)
    yield* issueInvoices(app, w, 2)
    const account = w.accounts[0]!
    const invoice = w.invoices[0]!
    yield* Effect.provideContext(
      Effect.all([
        ClientAccounts.reserveCredit(fm, { accountId: account, amountMinor: 10n }, { idempotencyKey: "iso-hold" }),
        Payments.recordPayment(
          fm,
          { invoiceId: invoice, amountMinor: 100n, currency: "KZT", method: "CASH" },
          { idempotencyKey: "iso-pay" }
        ),
        CreditNotes.issueCreditNote(
          fm,
          { invoiceId: invoice, amountMinor: 5n, reason: "iso" },
          { idempotencyKey: "iso-credit" }
        )
      ]),
      app
    )
  })

const a = freshTenant()
const b = freshTenant() // another organization
const c: Tenant.Tenant = { ...freshTenant(), organizationId: a.organizationId } // same organization, another workspace

describe(server.name, () => {
  layer(billingLayer(server), { excludeTestServices: true, timeout: "180 seconds" })(
    "billing isolation by RLS alone",
    (it) => {
      it.effect("TEN-01 raw SELECT, no tenant filter, as erpkit_app: own rows, none of other org or workspace", () =>
        Effect.gen(function*() {
          yield* Effect.forEach([a, b, c], story, { discard: true })
          yield* Effect.gen(function*() {
            const admin = yield* SqlClient.SqlClient
            const tables = yield* tenantTables(admin)
            expect(tables.filter((t) => !t.rls || !t.forced).map((t) => t.name), "tenant tables without forced RLS")
              .toEqual([])
            expect(tables.map((t) => t.name)).toEqual(expect.arrayContaining(filled))
            const found: Array<string> = []
            const hidden: Array<string> = []
            for (const t of tables) {
              for (const viewer of [a, b, c]) {
                const seen = yield* seenBy(admin, t.name, viewer, t.workspaced)
                found.push(...leaks(seen, viewer, t.workspaced))
                const own = seen.byTenant[`${viewer.organizationId}/${t.workspaced ? viewer.workspaceId : ""}`] ?? 0
                const stored = t.workspaced ? yield* rowsOf(admin, t.name, viewer) : own
                if (!seen.denied && own !== stored) hidden.push(`${t.name}: sees ${own} of its ${stored} row(s)`)
                if (filled.includes(t.name) && stored === 0) hidden.push(`${t.name}: the story left no rows to protect`)
              }
            }
            console.log(
              `[billing isolation] ${tables.length} tenant tables × 3 tenants ` +
                `(other organization, same organization other workspace); leaks ${found.length}`
            )
            expect(found).toEqual([])
            expect(hidden).toEqual([])
          }).pipe(Effect.provide(adminLayer))
        }))

      it.effect("control: with RLS off on billing.payments, the same raw check sees the other tenants' payments", () =>
        Effect.gen(function*() {
          const admin = yield* SqlClient.SqlClient
          const off = admin`ALTER TABLE billing.payments DISABLE ROW LEVEL SECURITY`
          const seen = yield* seenBy(admin, "billing.payments", b, true, off)
          expect(leaks(seen, b, true).length).toBe(2) // A's and C's payments
          // rolled back: the policy is back
          expect(leaks(yield* seenBy(admin, "billing.payments", b, true), b, true)).toEqual([])
        }).pipe(Effect.provide(adminLayer)))

      it.effect("control: an organization-only policy passes the other-organization check; other-workspace fails", () =>
        Effect.gen(function*() {
          const admin = yield* SqlClient.SqlClient
          const orgOnly = Effect.andThen(
            admin`DROP POLICY tenant_isolation ON billing.payments`,
            admin`
          CREATE POLICY tenant_isolation ON billing.payments TO erpkit_app USING (organization_id =
            platform.current_organization_id())`
          )
          expect(leaks(yield* seenBy(admin, "billing.payments", b, true, orgOnly), b, true)).toEqual([])
          expect(leaks(yield* seenBy(admin, "billing.payments", c, true, orgOnly), c, true)).toEqual([
            `billing.payments: 1 row(s) of ${a.organizationId}/${a.workspaceId}`
          ])
        }).pipe(Effect.provide(adminLayer)))
    }
  )
})
