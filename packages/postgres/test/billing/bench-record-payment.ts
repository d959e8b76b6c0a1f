/**
 * Throughput of `Payments.recordPayment` (the kernel pipeline: idempotency key, invoice + account row
 * locks, invoice update, account update, ledger row, invoice log entry, payment row, accounting sync
 * record, outbox event, audit entries) on DATABASE_URL or PGlite, and the statements billing's
 * repositories send per payment. Not a test; a figure for docs/postgres.md.
 *
 * DATABASE_URL=postgres://postgres@127.0.0.1:5432/test npx -y pnpm@10 exec node
 * packages/postgres/test/billing/bench-record-payment.ts 2000 8
 *
 * Payments are spread over `concurrency` accounts × 50 invoices (a hot account serializes on its row
 * lock by design); each payment is 1 minor unit with an idempotency key.
 */
import { Effect, Layer } from "effect"
import { Actor, Ids, type Tenant } from "@erpkit/kernel"
import { randomUUID } from "node:crypto"
import { ClientAccounts, grants, Invoices, Payments } from "@erpkit/billing"
import * as Postgres from "../../src/Postgres.ts"
import { billingModule } from "../../src/billing/index.ts"

const count = Number(process.argv[2] ?? 1000)
const concurrency = Number(process.argv[3] ?? 1)
const tenant: Tenant.Tenant = { organizationId: randomUUID(), workspaceId: randomUUID() } as Tenant.Tenant
const fm: Actor.Actor = { userId: randomUUID() as Ids.UserId, roles: ["Finance Manager"], tenant }

const platform = Layer.mergeAll(
  Postgres.layerFromEnv({ modules: [billingModule] }),
  Ids.IdGenerator.layerUuidV7,
  Actor.Authorization.layerStatic(grants)
)

const program = Effect.gen(function*() {
  const invoices: Array<string> = []
  for (let a = 0; a < Math.max(1, concurrency); a++) {
    const account = yield* ClientAccounts.openAccount(fm, { customerId: randomUUID(), currency: "KZT" })
    yield* ClientAccounts.setCreditTerms(fm, {
      accountId: account.id,
      creditLimitMinor: 10n ** 14n,
      isCreditApproved: true
    })
    for (let i = 0; i < 50; i++) {
      const draft = yield* Invoices.createInvoice(fm, {
        accountId: account.id,
        invoiceNumber: `B-${randomUUID()}`,
        issueDate: "2026-01-01",
        dueDate: "2026-12-31",
        items: [{ description: "bench", quantity: "1", unitPriceMinor: 10n ** 9n }]
      })
      invoices.push((yield* Invoices.issueInvoice(fm, { invoiceId: draft.id })).id)
    }
  }
  const pay = (i: number) =>
    Payments.recordPayment(
      fm,
      {
        invoiceId: invoices[(i * 50 + Math.floor(i / concurrency)) % invoices.length]!,
        amountMinor: 1n,
        currency: "KZT",
        method: "CASH"
      },
      { idempotencyKey: `bench-${i}-${randomUUID()}` }
    )
  yield* Effect.forEach(Array.from({ length: 20 }, (_, i) => i), pay, { discard: true }) // warm-up
  const started = performance.now()
  yield* Effect.forEach(Array.from({ length: count }, (_, i) => i), pay, { concurrency, discard: true })
  const seconds = (performance.now() - started) / 1000
  console.log(
    `${process.env["DATABASE_URL"] ? "server" : "pglite"}: recordPayment ×${count}, concurrency ${concurrency}: ${
      (count / seconds).toFixed(0)
    } payments/s, ${(seconds * 1000 / count).toFixed(2)} ms each (wall)`
  )
})

await Effect.runPromise(program.pipe(Effect.provide(platform)) as Effect.Effect<void>)
process.exit(0)
