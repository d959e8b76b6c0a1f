/**
 * (c) erpkit: `Payments.recordPayment` through `Postgres.layer` with the billing module, an idempotency
 * key per command; and the seed (accounts and Sent invoices created through erpkit's own commands, so
 * the hand-written baseline pays exactly the rows erpkit made).
 */
import { Effect, Layer, ManagedRuntime } from "effect"
import { Actor, Ids, type Tenant } from "@erpkit/kernel"
import { ClientAccounts, grants, Invoices, Payments } from "@erpkit/billing"
import { billingModule, Postgres } from "@erpkit/postgres"
import { randomUUID } from "node:crypto"
import type { Fixture } from "./handwritten.ts"

export const runtime = (url: string, maxConnections: number) =>
  ManagedRuntime.make(
    Layer.mergeAll(
      Postgres.layer({ url, maxConnections }, { modules: [billingModule] }),
      Ids.IdGenerator.layerUuidV7,
      Actor.Authorization.layerStatic(grants)
    ).pipe(Layer.orDie)
  )

export type Runtime = ReturnType<typeof runtime>

const actorOf = (f: Fixture): Actor.Actor => ({
  userId: f.userId as Ids.UserId,
  roles: ["Finance Manager"],
  tenant: { organizationId: f.organizationId, workspaceId: f.workspaceId } as Tenant.Tenant
})

/** A fresh tenant with one account per client and `invoices` Sent invoices each. */
export const seed = (rt: Runtime, clients: number, invoices: number): Promise<Fixture> => {
  const f0 = { organizationId: randomUUID(), workspaceId: randomUUID(), userId: randomUUID(), invoicesByClient: [] }
  const actor = actorOf(f0)
  return rt.runPromise(Effect.gen(function*() {
    const invoicesByClient: Array<Array<string>> = []
    for (let c = 0; c < clients; c++) {
      const account = yield* ClientAccounts.openAccount(actor, { customerId: randomUUID(), currency: "KZT" })
      yield* ClientAccounts.setCreditTerms(actor, {
        accountId: account.id,
        creditLimitMinor: 10n ** 14n,
        isCreditApproved: true
      })
      const ids: Array<string> = []
      for (let i = 0; i < invoices; i++) {
        const draft = yield* Invoices.createInvoice(actor, {
          accountId: account.id,
          invoiceNumber: `B-${randomUUID()}`,
          issueDate: "2026-01-01",
          dueDate: "2026-12-31",
          items: [{ description: "bench", quantity: "1", unitPriceMinor: 10n ** 10n }]
        })
        ids.push((yield* Invoices.issueInvoice(actor, { invoiceId: draft.id })).id)
      }
      invoicesByClient.push(ids)
    }
    return { ...f0, invoicesByClient } as Fixture
  }) as Effect.Effect<Fixture>)
}

/** One payment of 1 minor unit with a fresh idempotency key. */
export const pay = (rt: Runtime, f: Fixture, invoiceId: string, key: string): Promise<unknown> =>
  rt.runPromise(
    Payments.recordPayment(
      actorOf(f),
      { invoiceId, amountMinor: 1n, currency: "KZT", method: "CASH" },
      { idempotencyKey: key }
    ) as Effect.Effect<unknown>
  )
