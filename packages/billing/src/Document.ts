/**
 * Documents (`billing.documents`): rendered invoices and Bills of Lading, kept as records with a
 * plain-text body. Rendering is a pure, deterministic function of the data: the same invoice or
 * shipment always renders to the same bytes (no clock, no locale: ISO dates, amounts via
 * `Money.format`, quantities via `Quantity.format`). Hosts turn the text into PDF or HTML if they like.
 *
 * Versions: an invoice may be rendered again (after a payment, say): each rendering is a new version
 * 1, 2, 3 … of the same source. A Bill of Lading has exactly one version per shipment.
 */
import { Ids, LocalDate, Money, Quantity, Tenant } from "@erpkit/kernel"
import { Schema } from "effect"
import { DocumentId, ShipmentId } from "./Ids.ts"
import * as Invoice from "./Invoice.ts"
import { Instant, PositiveQuantity, Text } from "./Values.ts"

export const DocumentKind = Schema.Literals(["Invoice", "BillOfLading"])
export type DocumentKind = typeof DocumentKind.Type

export class Document extends Schema.Class<Document>("Document")({
  id: DocumentId,
  tenant: Tenant.Tenant,
  kind: DocumentKind,
  /** The invoice number, or "BOL-<shipment number>". */
  documentNumber: Schema.String,
  /** The invoice id or the shipment id. */
  sourceId: Schema.String,
  /** 1, 2, 3 … per (kind, source); unique. */
  version: Schema.Int.pipe(Schema.check(Schema.isGreaterThanOrEqualTo(1))),
  title: Schema.String,
  contentType: Schema.Literal("text/plain"),
  body: Schema.String,
  /** What was rendered, as JSON (for a Bill of Lading: the shipment data the caller passed). */
  data: Schema.Json,
  createdAt: Instant
}) {}

const money = (amountMinor: bigint, currency: Invoice.Invoice["currency"]) =>
  Money.format(Money.make(amountMinor, currency))

/** Columns separated by " | ", so the text stays readable and diffable without padding rules. */
const row = (cells: ReadonlyArray<string>) => cells.join(" | ")

/** The invoice as plain text: header, one row per line, totals. */
export const renderInvoice = (i: Invoice.Invoice): string => {
  const c = i.currency
  const lines = i.lines.map((l, n) =>
    row([
      String(n + 1),
      l.description,
      Quantity.format(l.quantity),
      l.unit,
      money(l.unitPriceMinor, c),
      money(l.discountMinor, c),
      money(l.taxMinor, c),
      money(l.totalMinor, c)
    ])
  )
  return [
    `INVOICE ${i.invoiceNumber}`,
    `Status: ${i.status}`,
    `Customer: ${i.customerId}`,
    `Client account: ${i.accountId}`,
    `Issue date: ${i.issueDate}`,
    `Due date: ${i.dueDate}`,
    "",
    row(["#", "Description", "Quantity", "Unit", "Unit price", "Discount", "Tax", "Total"]),
    ...lines,
    "",
    `Subtotal: ${money(i.subtotalMinor, c)}`,
    `Discount: ${money(i.discountMinor, c)}`,
    `Tax: ${money(i.taxMinor, c)}`,
    `Total: ${money(i.totalMinor, c)}`,
    `Paid: ${money(i.amountPaidMinor, c)}`,
    `Credited: ${money(i.amountCreditedMinor, c)}`,
    `Balance due: ${money(Invoice.balanceDue(i), c)}`,
    `Amount outstanding: ${money(Invoice.amountOutstanding(i), c)}`,
    ...(i.depositAmountMinor === null
      ? []
      : [`Deposit: ${money(i.depositAmountMinor, c)}${i.depositPaidAt === null ? "" : " (paid)"}`]),
    ...(i.notes === null ? [] : ["", `Notes: ${i.notes}`]),
    ""
  ].join("\n")
}

export const Party = Schema.Struct({ name: Text(200), address: Text(1000) })

export const BillOfLadingLine = Schema.Struct({
  description: Text(2000),
  quantity: PositiveQuantity,
  /** Default "pcs". */
  unit: Schema.optionalKey(Text(20)),
  weightKg: Schema.optionalKey(PositiveQuantity),
  productId: Schema.optionalKey(Ids.ProductId)
})

/** A confirmed shipment's data, as the process that reacts to the confirmation passes it in. */
export const BillOfLadingData = Schema.Struct({
  shipmentId: ShipmentId,
  shipmentNumber: Text(50),
  customerId: Schema.optionalKey(Ids.CustomerId),
  shipper: Party,
  consignee: Party,
  carrier: Schema.optionalKey(Text(200)),
  trackingNumber: Schema.optionalKey(Text(100)),
  shipDate: LocalDate.LocalDate,
  lines: Schema.Array(BillOfLadingLine).pipe(Schema.check(Schema.isMinLength(1), Schema.isMaxLength(500))),
  notes: Schema.optionalKey(Text(5000))
})
export type BillOfLadingData = typeof BillOfLadingData.Type

export const billOfLadingNumber = (data: BillOfLadingData): string => `BOL-${data.shipmentNumber}`

/** The Bill of Lading as plain text: parties, carrier, one row per line, total weight and pieces. */
export const renderBillOfLading = (data: BillOfLadingData): string => {
  const weights = data.lines.reduce((s, l): bigint => s + (l.weightKg ?? 0n), 0n)
  const party = (
    label: string,
    p: typeof Party.Type
  ) => [`${label}: ${p.name}`, ...p.address.split("\n").map((a) => `  ${a}`)]
  return [
    `BILL OF LADING ${billOfLadingNumber(data)}`,
    `Shipment: ${data.shipmentNumber} (${data.shipmentId})`,
    `Ship date: ${data.shipDate}`,
    ...(data.customerId === undefined ? [] : [`Customer: ${data.customerId}`]),
    ...party("Shipper", data.shipper),
    ...party("Consignee", data.consignee),
    `Carrier: ${data.carrier ?? "-"}`,
    `Tracking number: ${data.trackingNumber ?? "-"}`,
    "",
    row(["#", "Description", "Quantity", "Unit", "Weight (kg)"]),
    ...data.lines.map((l, n) =>
      row([
        String(n + 1),
        l.description,
        Quantity.format(l.quantity),
        l.unit ?? "pcs",
        l.weightKg === undefined ? "-" : Quantity.format(l.weightKg)
      ])
    ),
    "",
    `Lines: ${data.lines.length}`,
    `Total weight (kg): ${Quantity.format(Quantity.fromMilli(weights))}`,
    ...(data.notes === undefined ? [] : ["", `Notes: ${data.notes}`]),
    ""
  ].join("\n")
}
