/**
 * Short command flows over the composed layers (src/layers.ts): the commands neither know nor care
 * that one of their ports is the host's own. The rows land in the `MapStore`, never in the memory
 * table of the replaced port, and a failed unit of work leaves the `MapStore` as it was.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Billing from "@erpkit/billing"
import { ClientAccounts, Invoices, Jobs, Payments } from "@erpkit/billing"
import { Access, Sessions } from "@erpkit/identity"
import { openTenant, registerVerified } from "@erpkit/identity/testing"
import { Actor, Errors, Ids, MemoryStore, type Tenant, UnitOfWork } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { Cause, Effect, Exit, Layer } from "effect"
import { TestClock } from "effect/testing"
import * as MapClientAccountRepository from "../src/MapClientAccountRepository.ts"
import { MapStore } from "../src/MapStore.ts"
import { layerBilling, layerIdentity, layerPlatform } from "../src/layers.ts"

const staff = (tenant: Tenant.Tenant, role: Actor.Role, n: number): Actor.Actor => ({
  userId: `0e000000-0000-7000-8000-00000000000${n}` as Ids.UserId,
  roles: [role],
  tenant
})
const manager = staff(tenantA, "Accounts Manager", 1)
const finance = staff(tenantA, "Finance Manager", 2)
const customerId = (n: number) => `0f000000-0000-7000-8000-00000000000${n}` as Ids.CustomerId

/** How many rows the `MapStore` and the memory store hold in a table of each. */
const rowCounts = (mapTable: string, memoryTable: string) =>
  Effect.gen(function*() {
    const inMap = yield* (yield* MapStore).table<unknown>(mapTable).values
    const inMemory = yield* (yield* MemoryStore.MemoryStore).table<unknown>(memoryTable).all
    return { map: inMap.length, memory: inMemory.length }
  })

/** An approved account with a credit limit of 1 000 000.00 KZT. */
const approvedAccount = (n: number) =>
  Effect.flatMap(
    ClientAccounts.openAccount(manager, { customerId: customerId(n), currency: "KZT" }),
    (opened) =>
      ClientAccounts.setCreditTerms(manager, {
        accountId: opened.id,
        creditLimitMinor: 1_000_000_00n,
        isCreditApproved: true
      })
  )

describe("billing with client accounts in the MapStore", () => {
  it.effect("hold, invoice, payment and the expiry job keep the account right through the replaced port", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(Date.UTC(2026, 10, 21, 4, 0))
      const account = yield* approvedAccount(1)
      const hold = yield* ClientAccounts.reserveCredit(finance, { accountId: account.id, amountMinor: 200_000_00n })
      const draft = yield* Invoices.createInvoice(finance, {
        accountId: account.id,
        invoiceNumber: "INV-2026-001",
        issueDate: "2026-11-21",
        dueDate: "2026-12-21",
        items: [{ description: "Line haul Almaty → Astana", quantity: "1", unitPriceMinor: 150_000_00n }]
      })
      const invoice = yield* Invoices.issueInvoice(finance, { invoiceId: draft.id, holdId: hold.id })
      const paid = yield* Payments.recordPayment(finance, {
        invoiceId: invoice.id,
        amountMinor: invoice.totalMinor,
        currency: "KZT",
        method: "CARD"
      })
      assert.strictEqual(paid.invoice.status, "Paid")
      const lapsing = yield* ClientAccounts.reserveCredit(finance, {
        accountId: account.id,
        amountMinor: 50_000_00n,
        holdTimeoutSeconds: 3_600
      })
      assert.strictEqual((yield* ClientAccounts.getAccount(finance, { accountId: account.id })).holdsMinor, 50_000_00n)
      yield* TestClock.adjust("2 hours")
      const expired = yield* Jobs.expireCreditHolds(Actor.system(tenantA), {})
      assert.deepStrictEqual(expired.holds.map((h) => h.id), [lapsing.id])
      const final = yield* ClientAccounts.getAccount(finance, { accountId: account.id })
      assert.deepStrictEqual([final.balanceMinor, final.holdsMinor], [0n, 0n])
      assert.deepStrictEqual(yield* rowCounts("client_accounts", "billing.client_accounts"), { map: 1, memory: 0 })
    }).pipe(Effect.provide(layerBilling())))

  it.effect("a command that fails inside a unit of work leaves the MapStore account as it was", () =>
    Effect.gen(function*() {
      const account = yield* approvedAccount(2)
      const exit = yield* Effect.exit(
        UnitOfWork.run(
          Effect.andThen(
            ClientAccounts.reserveCredit(finance, { accountId: account.id, amountMinor: 10_000_00n }),
            Effect.fail("the caller gives up" as const)
          )
        )
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(yield* ClientAccounts.getAccount(finance, { accountId: account.id }), account)
    }).pipe(Effect.provide(layerBilling())))

  it.effect("Layer.merge(layerMemory, mine) is not a replacement: memory invoices keep the memory accounts", () =>
    Effect.gen(function*() {
      const naive = Layer.merge(Billing.layerMemory, MapClientAccountRepository.layer)
      const replaced = Billing.layerMemoryWith(MapClientAccountRepository.layer)
      // the memory invoice port looks in the memory accounts, where the account is not: a defect
      const naiveExit = yield* invoiceWithAccount.pipe(Effect.provide(onPlatform(naive)))
      const defect = Exit.isFailure(naiveExit) ? naiveExit.cause.reasons.find(Cause.isDieReason)?.defect : undefined
      assert.isTrue(defect instanceof Errors.NotFound && defect.entity === "ClientAccount")
      assert.isTrue(Exit.isSuccess(yield* invoiceWithAccount.pipe(Effect.provide(onPlatform(replaced)))))
    }))
})

/** `ports` over the platform of src/layers.ts (both stores, the enlisted unit of work). */
const onPlatform = (ports: Layer.Layer<Billing.Repositories, never, MemoryStore.MemoryStore | MapStore>) =>
  ports.pipe(
    Layer.provideMerge(
      Layer.mergeAll(layerPlatform, Ids.IdGenerator.layerUuidV7, Actor.Authorization.layerStatic(Billing.grants))
    )
  )

/** An invoice of a new account, read back with its account through the memory invoice port. */
const invoiceWithAccount = Effect.gen(function*() {
  const account = yield* approvedAccount(3)
  const draft = yield* Invoices.createInvoice(finance, {
    accountId: account.id,
    invoiceNumber: "INV-1",
    issueDate: "2026-11-21",
    dueDate: "2026-12-21",
    items: [{ description: "Storage", quantity: "1", unitPriceMinor: 100n }]
  })
  const invoices = yield* Billing.InvoiceRepository.InvoiceRepository
  return yield* Effect.exit(invoices.getForUpdateWithAccount(tenantA, draft.id))
})

describe("identity with sessions in the MapStore", () => {
  it.effect("sign in and out: the session lives in the MapStore, and logout ends it", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const user = yield* registerVerified(tenant)
      const { session, token } = yield* Sessions.createSession(Actor.system(tenant), { userId: user.id })
      assert.deepStrictEqual(yield* rowCounts("sessions", "auth.sessions"), { map: 1, memory: 0 })
      const signedIn = yield* Sessions.authenticate(Access.anonymous(tenant), { token })
      assert.strictEqual(signedIn.session.id, session.id)
      assert.deepStrictEqual(yield* Sessions.logout(Access.anonymous(tenant), { token }), { deleted: true })
      const refused = yield* Effect.flip(Sessions.authenticate(Access.anonymous(tenant), { token }))
      assert.strictEqual(refused._tag, "SessionInvalid")
      assert.deepStrictEqual(yield* rowCounts("sessions", "auth.sessions"), { map: 0, memory: 0 })
    }).pipe(Effect.provide(layerIdentity())))

  it.effect("a session created in a failed unit of work is not in the MapStore", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const user = yield* registerVerified(tenant)
      const exit = yield* Effect.exit(
        UnitOfWork.run(
          Effect.andThen(
            Sessions.createSession(Actor.system(tenant), { userId: user.id }),
            Effect.fail("the caller gives up" as const)
          )
        )
      )
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(yield* (yield* MapStore).table("sessions").values, [])
    }).pipe(Effect.provide(layerIdentity())))
})
