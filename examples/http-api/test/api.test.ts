/**
 * The API end to end over a real socket: the typed `HttpApiClient` and plain `fetch` against the
 * server on 127.0.0.1 (port 0), on PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { failure, memberSignedIn, run, signUpAndIn, startServer } from "./support.ts"

type Api = Awaited<ReturnType<typeof signUpAndIn>>["api"]

let server: Awaited<ReturnType<typeof startServer>>
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server?.dispose()
})

/** An account with a credit limit of 1 000.00, approved. */
const openAccount = async (api: Api) => {
  const account = await run(
    api.billing.openAccount({ payload: { customerId: crypto.randomUUID(), currency: "KZT" }, headers: {} })
  )
  await run(
    api.billing.setCreditTerms({
      payload: { accountId: account.id, creditLimitMinor: "100000", isCreditApproved: true },
      headers: {}
    })
  )
  return account
}

/** A draft of 500.00 + 12 % VAT = 560.00. */
const draftInvoice = (api: Api, accountId: string, n: number) =>
  run(
    api.billing.createInvoice({
      payload: {
        accountId,
        invoiceNumber: `INV-${n}`,
        issueDate: "2026-11-21",
        dueDate: "2026-12-21",
        items: [{ description: "Line haul Almaty → Astana", quantity: "1", unitPriceMinor: "50000" }]
      },
      headers: {}
    })
  )

describe("http-api: the back-office flow", () => {
  it("signs up, opens an account, hits the credit limit (409 with figures), pays once per key, reads", async () => {
    const admin = await signUpAndIn(server.url, "flow")
    const me = await run(admin.api.session.me())
    expect(me.actor.roles).toEqual(["Admin"])
    expect(me.actor.tenant.organizationId).toBe(admin.signedUp.organization.organization.id)
    const { api } = await memberSignedIn(server.url, admin, "Finance Manager")

    const account = await openAccount(api)
    const first = await run(
      api.billing.issueInvoice({ payload: { invoiceId: (await draftInvoice(api, account.id, 1)).id }, headers: {} })
    )
    expect(first.status).toBe("Sent")
    expect(first.totalMinor).toBe(56000n)

    const second = await draftInvoice(api, account.id, 2)
    const refused = await failure(api.billing.issueInvoice({ payload: { invoiceId: second.id }, headers: {} }))
    expect(refused).toMatchObject({ _tag: "CreditLimitExceeded", availableMinor: 44000n, requestedMinor: 56000n })

    const pay = () =>
      run(
        api.billing.recordPayment({
          payload: { invoiceId: first.id, amountMinor: "20000", currency: "KZT", method: "BANK_TRANSFER" },
          headers: { "idempotency-key": "bank-ref-4711" }
        })
      )
    const once = await pay()
    const again = await pay()
    expect(again.payment.id).toBe(once.payment.id)
    const payments = await run(api.billing.listPayments({ query: { invoiceId: first.id } }))
    expect(payments.map((p) => p.id)).toEqual([once.payment.id])

    const ledger = await run(api.billing.accountStatement({ query: { accountId: account.id } }))
    expect(ledger.map((t) => [t.kind, t.amountMinor])).toEqual([
      ["InvoiceIssued", 56000n],
      ["PaymentReceived", -20000n]
    ])
    const invoices = await run(api.billing.listInvoices({ query: {} }))
    expect(invoices.map((i) => i.invoiceNumber).sort()).toEqual(["INV-1", "INV-2"])
  })
})
