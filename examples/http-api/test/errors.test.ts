/**
 * Error mapping and authentication, checked with plain `fetch` (status and JSON body as any HTTP
 * client sees them) and with the typed client (the same domain error value back).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { failure, memberSignedIn, run, signUpAndIn, startServer, validBin } from "./support.ts"

let server: Awaited<ReturnType<typeof startServer>>
beforeAll(async () => {
  server = await startServer()
})
afterAll(async () => {
  await server?.dispose()
})

/** A JSON request with plain fetch; returns status and parsed body. */
const call = async (
  path: string,
  init: { method?: string; token?: string; body?: unknown; headers?: Record<string, string> } = {}
) => {
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? (init.body === undefined ? "GET" : "POST"),
    headers: {
      ...(init.body === undefined ? {} : { "content-type": "application/json" }),
      ...(init.token === undefined ? {} : { authorization: `Bearer ${init.token}` }),
      ...init.headers
    },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) })
  })
  const text = await response.text()
  return { status: response.status, body: text === "" ? undefined : JSON.parse(text), headers: response.headers }
}

describe("http-api: authentication", () => {
  it("401 without a session, with a junk token, and with a wrong password", async () => {
    expect(await call("/auth/me")).toMatchObject({ status: 401 })
    expect(await call("/billing/invoices", { token: "not-a-token" })).toMatchObject({
      status: 401,
      body: { _tag: "Unauthorized" }
    })
    const admin = await signUpAndIn(server.url, "auth")
    expect(await call("/auth/sign-in", { body: { email: admin.email, password: "wrong password" } })).toMatchObject({
      status: 401,
      body: { _tag: "Unauthorized", reason: "wrong e-mail or password" }
    })
    const again = await call("/auth/sign-up", {
      body: {
        organization: { name: "Again LLP", bin: validBin(), kind: "internal" },
        user: { email: admin.email, name: "Again" },
        password: "long enough password"
      }
    })
    expect(again).toMatchObject({ status: 409, body: { _tag: "EmailTaken" } })
  })

  it("sign-in sets an HttpOnly session cookie that authenticates; sign-out ends the session", async () => {
    const admin = await signUpAndIn(server.url, "cookie")
    const signIn = await call("/auth/sign-in", { body: { email: admin.email, password: admin.password } })
    const cookie = signIn.headers.get("set-cookie") ?? ""
    expect(cookie).toMatch(/^erpkit_session=[^;]+;.*HttpOnly/i)
    const sessionCookie = cookie.split(";")[0]!
    const me = await call("/auth/me", { headers: { cookie: sessionCookie } })
    expect(me).toMatchObject({ status: 200, body: { user: { email: admin.email }, actor: { roles: ["Admin"] } } })
    expect(await call("/auth/sign-out", { method: "POST", headers: { cookie: sessionCookie } })).toMatchObject({
      status: 200
    })
    expect(await call("/auth/me", { headers: { cookie: sessionCookie } })).toMatchObject({ status: 401 })
  })
})

describe("http-api: domain errors → HTTP statuses", () => {
  it("ValidationError → 400 with every issue path, from the command and from HTTP decoding", async () => {
    const admin = await signUpAndIn(server.url, "validation")
    const fromCommand = await call("/billing/accounts", {
      token: admin.token,
      body: { customerId: "nope", currency: "XXX" }
    })
    expect(fromCommand.status).toBe(400)
    expect(fromCommand.body._tag).toBe("ValidationError")
    expect(fromCommand.body.issues.map((i: { path: Array<string> }) => i.path.join("."))).toEqual([
      "customerId",
      "currency"
    ])
    const fromHttp = await call("/billing/accounts", { token: admin.token, body: { customerId: 5, currency: false } })
    expect(fromHttp.status).toBe(400)
    expect(fromHttp.body._tag).toBe("ValidationError")
    expect(fromHttp.body.issues.map((i: { path: Array<string> }) => i.path.join("."))).toEqual([
      "customerId",
      "currency"
    ])
  })

  it("Forbidden → 403 naming the permission; NotFound → 404; the typed client gets the same errors", async () => {
    const admin = await signUpAndIn(server.url, "forbidden")
    const account = await run(
      admin.api.billing.openAccount({ payload: { customerId: crypto.randomUUID(), currency: "KZT" }, headers: {} })
    )
    const forbidden = await call("/billing/accounts/credit-terms", {
      token: admin.token,
      body: { accountId: account.id, creditLimitMinor: "1" }
    })
    expect(forbidden).toMatchObject({
      status: 403,
      body: { _tag: "Forbidden", permission: "billing.account.credit", roles: ["Admin"] }
    })
    expect(
      await failure(
        admin.api.billing.setCreditTerms({ payload: { accountId: account.id, creditLimitMinor: "1" }, headers: {} })
      )
    ).toMatchObject({ _tag: "Forbidden", permission: "billing.account.credit" })
    const missing = crypto.randomUUID()
    expect(await call(`/billing/account?accountId=${missing}`, { token: admin.token })).toMatchObject({
      status: 404,
      body: { _tag: "NotFound", entity: "ClientAccount", id: missing }
    })
  })

  it("IdempotencyKeyReused → 409; other domain rules → 422 Rejected with the domain tag", async () => {
    const admin = await signUpAndIn(server.url, "conflict")
    const body = { customerId: crypto.randomUUID(), currency: "KZT" }
    const headers = { "idempotency-key": "open-1" }
    expect(await call("/billing/accounts", { token: admin.token, body, headers })).toMatchObject({ status: 200 })
    expect(await call("/billing/accounts", { token: admin.token, body, headers })).toMatchObject({ status: 200 })
    expect(await call("/billing/accounts", { token: admin.token, body: { ...body, currency: "USD" }, headers }))
      .toMatchObject({ status: 409, body: { _tag: "IdempotencyKeyReused", key: "open-1" } })
    const duplicate = await call("/billing/accounts", { token: admin.token, body })
    expect(duplicate).toMatchObject({ status: 422, body: { _tag: "Rejected", error: "AccountAlreadyExists" } })
  })

  it("the OpenAPI document declares every mapped status, StorageUnavailable as 503 included", async () => {
    const { body } = await call("/openapi.json")
    const responses = body.paths["/billing/payments"].post.responses
    expect(Object.keys(responses).sort()).toEqual(["200", "400", "401", "403", "404", "409", "422", "503"])
    expect(JSON.stringify(responses["503"])).toContain("StorageUnavailable")
    expect(JSON.stringify(responses["409"])).toContain("CreditLimitExceeded")
    expect((await fetch(`${server.url}/docs`)).status).toBe(200)
  })
})

describe("http-api: tenants come from the session", () => {
  it("another organization's invoice is 404 to read and to pay, with the typed client and with fetch", async () => {
    const a = await memberSignedIn(server.url, await signUpAndIn(server.url, "tenant-a"), "Finance Manager")
    const b = await memberSignedIn(server.url, await signUpAndIn(server.url, "tenant-b"), "Finance Manager")
    const account = await run(
      a.api.billing.openAccount({ payload: { customerId: crypto.randomUUID(), currency: "KZT" }, headers: {} })
    )
    const invoice = await run(
      a.api.billing.createInvoice({
        payload: {
          accountId: account.id,
          invoiceNumber: "A-1",
          issueDate: "2026-11-21",
          dueDate: "2026-12-21",
          items: [{ description: "Freight", quantity: "1", unitPriceMinor: "1000" }]
        },
        headers: {}
      })
    )
    expect(await failure(b.api.billing.getInvoice({ query: { invoiceId: invoice.id } }))).toMatchObject({
      _tag: "NotFound",
      id: invoice.id
    })
    const pay = await call("/billing/payments", {
      token: b.token,
      body: { invoiceId: invoice.id, amountMinor: "1", currency: "KZT", method: "BANK_TRANSFER" }
    })
    expect(pay).toMatchObject({ status: 404, body: { _tag: "NotFound" } })
    // a tenant in the body is no input of any command: ignored, the session's tenant is used
    const smuggled = await call("/billing/accounts", {
      token: b.token,
      body: {
        customerId: crypto.randomUUID(),
        currency: "KZT",
        tenant: account.tenant,
        organizationId: account.tenant.organizationId
      }
    })
    expect(smuggled.status).toBe(200)
    expect(smuggled.body.tenant).not.toEqual(account.tenant)
    expect(await failure(a.api.billing.getAccount({ query: { accountId: smuggled.body.id } }))).toMatchObject({
      _tag: "NotFound"
    })
  })
})
