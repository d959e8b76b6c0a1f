/**
 * Why constructing an `Invoice` costs ≈ 11 µs: Schema's struct parser builds its output by adding one
 * property at a time through a shared helper (keyed stores). V8 turns an object that grows that way past
 * ≈ 16 properties into a dictionary-mode object, and `Schema.Class`'s constructor then copies it into
 * the instance with `Object.assign`, which is several times slower from a dictionary than from an
 * ordinary object. An upstream matter (effect 4.1.0); erpkit leaves it alone (docs/performance.md).
 *
 *   npx -y pnpm@10 exec node bench/schema/struct-copy.ts
 *
 * Prints the time to copy the parser's output for `Invoice`'s fields against copying an object with the
 * same fields (ratio from the same run), and `new Invoice` for scale.
 */
import { Schema } from "effect"
import { Invoice } from "../../packages/billing/src/Invoice.ts"

const microsPerCall = (f: () => unknown, calls = 200_000): number => {
  for (let i = 0; i < calls / 10; i++) f()
  const started = performance.now()
  for (let i = 0; i < calls; i++) f()
  return ((performance.now() - started) * 1000) / calls
}

const invoice = Invoice.make(
  {
    id: "019a0000-0000-7000-8000-000000000001",
    tenant: {
      organizationId: "019a0000-0000-7000-8000-000000000002",
      workspaceId: "019a0000-0000-7000-8000-000000000003"
    },
    accountId: "019a0000-0000-7000-8000-000000000004",
    customerId: "019a0000-0000-7000-8000-000000000005",
    invoiceNumber: "INV-1",
    status: "Sent",
    currency: "KZT",
    issueDate: "2026-01-01",
    dueDate: "2026-12-31",
    lines: [],
    subtotalMinor: 100n,
    discountMinor: 0n,
    taxMinor: 12n,
    totalMinor: 112n,
    amountPaidMinor: 0n,
    amountCreditedMinor: 0n,
    depositAmountMinor: null,
    depositPaidAt: null,
    creditHoldId: null,
    remindersSent: [],
    notes: null,
    voidReason: null,
    createdAt: 1,
    updatedAt: 1,
    sentAt: 1,
    viewedAt: null,
    paidAt: null,
    voidedAt: null,
    deletedAt: null
  } as unknown as Parameters<typeof Invoice.make>[0]
)
const props = { ...invoice }
// what `new Invoice(props)` does: parse with the class's struct, then copy the output into the instance
const parsed = Schema.Struct(Invoice.fields).make(props)
const fromParsed = microsPerCall(() => Object.assign({}, parsed))
const fromOrdinary = microsPerCall(() => Object.assign({}, props))
console.log(
  `Invoice's ${Object.keys(props).length} fields: copying the struct parser's output ${fromParsed.toFixed(2)} µs, ` +
    `an ordinary object with the same fields ${fromOrdinary.toFixed(2)} µs (${(fromParsed / fromOrdinary).toFixed(1)}×)`
)
console.log(`new Invoice (parse with checks + copy): ${microsPerCall(() => new Invoice(props), 50_000).toFixed(2)} µs`)
