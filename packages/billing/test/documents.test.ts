import { Outbox } from "@erpkit/kernel"
import { tenantA } from "@erpkit/kernel/testing"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Documents, Payments } from "../src/index.ts"
import { customerUser, financeManager, openAccount, sentInvoice, snapshot, system } from "../src/testing/index.ts"
import { failure, failureTag, fresh } from "./helpers.ts"

const shipmentId = "0e000000-0000-7000-8000-000000000042"

const shipment = {
  shipmentId,
  shipmentNumber: "SHP-2026-0042",
  shipper: { name: "Prometric Warehouse", address: "Almaty, Suyunbay 2\nGate 4" },
  consignee: { name: "Stone Forest LLP", address: "Astana, Kabanbay Batyr 11" },
  carrier: "KTZ Express",
  trackingNumber: "KTZ123",
  shipDate: "2026-03-10",
  lines: [
    { description: "Granite slab", quantity: "4", unit: "pcs", weightKg: "320.5" },
    { description: "Mounting kit", quantity: "2.5", weightKg: "12" },
    { description: "Manual", quantity: "1" }
  ]
}

describe("documents", () => {
  it.effect("X-05 a confirmed shipment gets one Bill of Lading record, rendered deterministically, once", () =>
    fresh(Effect.gen(function*() {
      const first = yield* Documents.createBillOfLading(system(), shipment)
      expect([first.kind, first.documentNumber, first.sourceId, first.version, first.contentType]).toEqual([
        "BillOfLading",
        "BOL-SHP-2026-0042",
        shipmentId,
        1,
        "text/plain"
      ])
      expect(first.body).toBe(
        [
          "BILL OF LADING BOL-SHP-2026-0042",
          `Shipment: SHP-2026-0042 (${shipmentId})`,
          "Ship date: 2026-03-10",
          "Shipper: Prometric Warehouse",
          "  Almaty, Suyunbay 2",
          "  Gate 4",
          "Consignee: Stone Forest LLP",
          "  Astana, Kabanbay Batyr 11",
          "Carrier: KTZ Express",
          "Tracking number: KTZ123",
          "",
          "# | Description | Quantity | Unit | Weight (kg)",
          "1 | Granite slab | 4 | pcs | 320.5",
          "2 | Mounting kit | 2.5 | pcs | 12",
          "3 | Manual | 1 | pcs | -",
          "",
          "Lines: 3",
          "Total weight (kg): 332.5",
          ""
        ].join("\n")
      )
      // the process may deliver the confirmation twice: same record, nothing written
      const before = yield* snapshot
      expect(yield* Documents.createBillOfLading(system(), shipment)).toEqual(first)
      expect(yield* snapshot).toEqual(before)
      // other data for the same shipment is a conflict, not a second Bill of Lading
      expect(yield* failure(Documents.createBillOfLading(system(), { ...shipment, carrier: "Other" }))).toMatchObject({
        _tag: "BillOfLadingExists",
        shipmentId: shipment.shipmentId
      })
      expect(yield* snapshot).toEqual(before)
      expect(yield* Documents.listDocuments(financeManager(), { kind: "BillOfLading", sourceId: shipmentId })).toEqual([
        first
      ])
      const events = yield* Outbox.Outbox.use((o) => o.list(tenantA, { type: "billing.DocumentCreated" }))
      expect(events.map((e) => e.aggregateId)).toEqual([first.id])
      expect(
        yield* failureTag(
          Documents.createBillOfLading(customerUser(), {
            ...shipment,
            shipmentId: "0e000000-0000-7000-8000-000000000043"
          })
        )
      ).toBe("Forbidden")
      expect(yield* failureTag(Documents.createBillOfLading(system(), { ...shipment, lines: [] }))).toBe(
        "ValidationError"
      )
    })))

  it.effect("an invoice document is the invoice rendered as plain text; rendering again adds a version", () =>
    fresh(Effect.gen(function*() {
      const account = yield* openAccount({ creditLimitMinor: 100_000n })
      const invoice = yield* sentInvoice(account.id, 1_000n, { issueDate: "2026-03-01", dueDate: "2026-03-31" })
      const v1 = yield* Documents.generateInvoiceDocument(financeManager(), { invoiceId: invoice.id })
      expect([v1.kind, v1.documentNumber, v1.version]).toEqual(["Invoice", invoice.invoiceNumber, 1])
      expect(v1.body).toBe(
        [
          `INVOICE ${invoice.invoiceNumber}`,
          "Status: Sent",
          `Customer: ${invoice.customerId}`,
          `Client account: ${account.id}`,
          "Issue date: 2026-03-01",
          "Due date: 2026-03-31",
          "",
          "# | Description | Quantity | Unit | Unit price | Discount | Tax | Total",
          "1 | Freight | 1 | pcs | 10.00 KZT | 0.00 KZT | 1.20 KZT | 11.20 KZT",
          "",
          "Subtotal: 10.00 KZT",
          "Discount: 0.00 KZT",
          "Tax: 1.20 KZT",
          "Total: 11.20 KZT",
          "Paid: 0.00 KZT",
          "Credited: 0.00 KZT",
          "Balance due: 11.20 KZT",
          "Amount outstanding: 11.20 KZT",
          ""
        ].join("\n")
      )
      yield* Payments.recordPayment(financeManager(), {
        invoiceId: invoice.id,
        amountMinor: 1_120n,
        currency: "KZT",
        method: "CASH"
      })
      const v2 = yield* Documents.generateInvoiceDocument(financeManager(), { invoiceId: invoice.id })
      expect(v2.version).toBe(2)
      expect(v2.body).toContain("Status: Paid")
      expect(v2.body).toContain("Amount outstanding: 0.00 KZT")
      expect(
        (yield* Documents.listDocuments(customerUser(), { kind: "Invoice", sourceId: invoice.id })).map((d) =>
          d.version
        )
      ).toEqual([1, 2])
      expect(yield* Documents.getDocument(customerUser(), { documentId: v1.id })).toEqual(v1)
    })))
})
