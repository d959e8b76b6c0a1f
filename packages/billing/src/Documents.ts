/**
 * Document commands: render an invoice (a new version each time) and the Bill of Lading of a confirmed
 * shipment (X-05, once per shipment).
 */
// `Actor`, `Errors` and `Ids` are imported as types so declaration emit can name the kernel types commands infer.
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import { type Actor, Command, type Errors, type Ids } from "@erpkit/kernel"
import { Effect, Option, Schema } from "effect"
import * as BillingEvent from "./BillingEvent.ts"
import { BillOfLadingExists } from "./BillingError.ts"
import * as Document from "./Document.ts"
import { DocumentRepository } from "./DocumentRepository.ts"
import { DocumentId, InvoiceId } from "./Ids.ts"
import { audit, freshIds } from "./internal/command.ts"
import * as Invoice from "./Invoice.ts"
import { InvoiceRepository } from "./InvoiceRepository.ts"
import { permissions } from "./Permissions.ts"
import { Text } from "./Values.ts"

const encodeInvoice = Schema.encodeSync(Schema.toCodecJson(Invoice.Invoice))
const encodeBillOfLading = Schema.encodeSync(Schema.toCodecJson(Document.BillOfLadingData))

const created = (d: Document.Document) => ({
  result: d,
  events: [
    BillingEvent.draft({
      _tag: "DocumentCreated",
      documentId: d.id,
      kind: d.kind,
      sourceId: d.sourceId,
      documentNumber: d.documentNumber,
      version: d.version
    })
  ],
  changes: [audit(Document.Document, null, d)]
})

/** Renders the invoice as it is now into a new document version (1, 2, …). */
export const generateInvoiceDocument = Command.make({
  name: "billing.generateInvoiceDocument",
  input: Schema.Struct({ invoiceId: InvoiceId }),
  output: Document.Document,
  permission: permissions.documentGenerate,
  handler: Effect.fnUntraced(function*(input, context) {
    const invoice = yield* (yield* InvoiceRepository).get(context.tenant, input.invoiceId)
    const documents = yield* DocumentRepository
    const previous = yield* documents.latest(context.tenant, "Invoice", invoice.id)
    const [id] = yield* freshIds(DocumentId, 1)
    const document = new Document.Document({
      id: id!,
      tenant: context.tenant,
      kind: "Invoice",
      documentNumber: invoice.invoiceNumber,
      sourceId: invoice.id,
      version: Option.match(previous, { onNone: () => 1, onSome: (d) => d.version + 1 }),
      title: `Invoice ${invoice.invoiceNumber}`,
      contentType: "text/plain",
      body: Document.renderInvoice(invoice),
      data: encodeInvoice(invoice) as Schema.Json,
      createdAt: context.now
    })
    yield* documents.insert(context.tenant, document)
    return created(document)
  })
})

/**
 * X-05 (billing side): the Bill of Lading of a confirmed shipment, from the shipment data the caller
 * passes in (billing cannot read inventory; the process reacting to the confirmation does). Idempotent
 * per shipment: called again with the same data it returns the existing document and writes nothing;
 * with different data for the same shipment it is `BillOfLadingExists` (a shipment has one Bill of Lading).
 */
export const createBillOfLading = Command.make({
  name: "billing.createBillOfLading",
  input: Document.BillOfLadingData,
  output: Document.Document,
  permission: permissions.documentGenerate,
  handler: Effect.fnUntraced(function*(input, context) {
    const documents = yield* DocumentRepository
    const data = encodeBillOfLading(input) as Schema.Json
    const existing = yield* documents.latest(context.tenant, "BillOfLading", input.shipmentId)
    if (Option.isSome(existing)) {
      if (JSON.stringify(existing.value.data) === JSON.stringify(data)) return { result: existing.value }
      return yield* new BillOfLadingExists({
        shipmentId: input.shipmentId,
        documentId: existing.value.id,
        documentNumber: existing.value.documentNumber
      })
    }
    const [id] = yield* freshIds(DocumentId, 1)
    const document = new Document.Document({
      id: id!,
      tenant: context.tenant,
      kind: "BillOfLading",
      documentNumber: Document.billOfLadingNumber(input),
      sourceId: input.shipmentId,
      version: 1,
      title: `Bill of Lading ${input.shipmentNumber}`,
      contentType: "text/plain",
      body: Document.renderBillOfLading(input),
      data,
      createdAt: context.now
    })
    yield* documents.insert(context.tenant, document)
    return created(document)
  })
})

export const getDocument = Command.query({
  name: "billing.getDocument",
  input: Schema.Struct({ documentId: DocumentId }),
  permission: permissions.documentRead,
  handler: (input, context) => DocumentRepository.use((documents) => documents.get(context.tenant, input.documentId))
})

export const listDocuments = Command.query({
  name: "billing.listDocuments",
  input: Schema.Struct({ kind: Document.DocumentKind, sourceId: Text(100) }),
  permission: permissions.documentRead,
  handler: (input, context) =>
    DocumentRepository.use((documents) => documents.listBySource(context.tenant, input.kind, input.sourceId))
})
