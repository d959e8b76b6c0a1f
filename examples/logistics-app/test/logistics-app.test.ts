/** The main example runs end to end on embedded PGlite and prints a ledger that ends at the balance. */
import { execFileSync } from "node:child_process"
import { join } from "node:path"
import { expect, it } from "vitest"

it("npx pnpm example: migrates PGlite, runs the billing flow and the jobs, prints the ledger", () => {
  const env = { ...process.env }
  delete env["DATABASE_URL"] // the README's command on a machine without a server
  const out = execFileSync(process.execPath, [join(import.meta.dirname, "../src/main.ts")], { encoding: "utf8", env })
  console.log("[logistics-app test] target=pglite")
  expect(out).toContain("on embedded PGlite (in memory): migrated")
  expect(out).toContain("markOverdueInvoices → INV-2026-002 Overdue")
  expect(out).toMatch(/ {2}5 {2}InvoiceIssued +15000\.00 KZT +15000\.00 KZT/)
  expect(out).toContain("balance 15000.00 KZT, holds 0.00 KZT")
  expect(out).toMatch(/outbox: \d+ events/)
}, 120_000)
