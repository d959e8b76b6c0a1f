/**
 * The back-office page in a real headless browser (Debian's chromium driven by playwright-core): sign
 * in through the form, see the tenant's invoices and the ledger of an account.
 */
import { chromium, type Browser } from "playwright-core"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { findChromium } from "./chromium.ts"
import { memberSignedIn, run, signUpAndIn, startServer } from "./support.ts"

const browserPath = findChromium()
if ("skip" in browserPath) console.warn(`[http-api page test] skipped: ${browserPath.skip}`)

describe.skipIf("skip" in browserPath)("http-api: the back-office page in chromium", () => {
  let server: Awaited<ReturnType<typeof startServer>>
  let browser: Browser
  beforeAll(async () => {
    server = await startServer()
    browser = await chromium.launch({
      executablePath: "path" in browserPath ? browserPath.path : "",
      args: ["--no-sandbox"]
    })
  })
  afterAll(async () => {
    await browser?.close()
    await server?.dispose()
  })

  it("signs in, lists the invoices and shows the account's ledger", async () => {
    const admin = await signUpAndIn(server.url, "page")
    const finance = await memberSignedIn(server.url, admin, "Finance Manager")
    const account = await run(
      finance.api.billing.openAccount({ payload: { customerId: crypto.randomUUID(), currency: "KZT" }, headers: {} })
    )
    await run(
      finance.api.billing.setCreditTerms({
        payload: { accountId: account.id, creditLimitMinor: "1000000", isCreditApproved: true },
        headers: {}
      })
    )
    const draft = await run(
      finance.api.billing.createInvoice({
        payload: {
          accountId: account.id,
          invoiceNumber: "PAGE-1",
          issueDate: "2026-11-21",
          dueDate: "2026-12-21",
          items: [{ description: "Freight", quantity: "1", unitPriceMinor: "10000" }]
        },
        headers: {}
      })
    )
    await run(finance.api.billing.issueInvoice({ payload: { invoiceId: draft.id }, headers: {} }))

    const page = await browser.newPage()
    await page.goto(server.url)
    await page.fill("input[name=email]", admin.email)
    await page.fill("input[name=password]", "wrong password")
    await page.click("button[type=submit]")
    await expect.poll(() => page.textContent("#sign-in-error")).toBe("Wrong e-mail or password.")

    await page.fill("input[name=password]", admin.password)
    await page.click("button[type=submit]")
    await page.waitForSelector("#office:not([hidden])")
    expect(await page.textContent("#who")).toBe(admin.email)
    await page.waitForSelector("#ledger tbody tr")
    const invoices = await page.$$eval(
      "#invoices tbody tr",
      (rows) => rows.map((r) => [...r.children].map((c) => c.textContent))
    )
    expect(invoices).toEqual([["PAGE-1", "Sent", "2026-12-21", "112.00", "0.00", "ledger"]])
    const ledger = await page.$$eval(
      "#ledger tbody tr",
      (rows) => rows.map((r) => [...r.children].map((c) => c.textContent))
    )
    expect(ledger).toEqual([["1", "InvoiceIssued", "112.00", "112.00"]])
    expect(await page.textContent("#ledger-account")).toBe(account.id)
  })
})
