/**
 * Port: documents (`billing.documents`). Append-only: a rendering is never changed; a new one is a new
 * version. `(tenant, kind, source_id, version)` is unique; `insert` maps a clash to `DocumentExists`
 * (two concurrent first renderings of one shipment: one commits, the other fails and its caller
 * retries, finding the first).
 */
import { type Errors, MemoryStore, type Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer, Option } from "effect"
import { DocumentExists } from "./BillingError.ts"
import type { Document, DocumentKind } from "./Document.ts"
import type { DocumentId } from "./Ids.ts"
import { defaultListLimit, rowKey, sortBy, tables, tenantTable } from "./internal/memory.ts"

export class DocumentRepository extends Context.Service<DocumentRepository, {
  readonly insert: (tenant: Tenant.Tenant, document: Document) => Effect.Effect<void, DocumentExists>
  readonly get: (tenant: Tenant.Tenant, id: DocumentId) => Effect.Effect<Document, Errors.NotFound>
  /** The highest version of (kind, source), if any. */
  readonly latest: (
    tenant: Tenant.Tenant,
    kind: DocumentKind,
    sourceId: string
  ) => Effect.Effect<Option.Option<Document>>
  /** Every version of (kind, source), oldest first (at most 1000). */
  readonly listBySource: (
    tenant: Tenant.Tenant,
    kind: DocumentKind,
    sourceId: string
  ) => Effect.Effect<ReadonlyArray<Document>>
}>()("@erpkit/billing/DocumentRepository") {
  static readonly layerMemory = Layer.effect(
    DocumentRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = tenantTable<Document>(store, tables.documents, "Document")
      // The (kind, source, version) key is the uniqueness constraint.
      const versions = store.table<string>(`${tables.documents}#version`)
      const listBySource = (tenant: Tenant.Tenant, kind: DocumentKind, sourceId: string) =>
        Effect.map(
          rows.find(tenant, (d) => d.kind === kind && d.sourceId === sourceId),
          (found) => sortBy(found, (d) => d.version).slice(0, defaultListLimit)
        )
      return {
        insert: (tenant, document) =>
          store.transaction(Effect.gen(function*() {
            const key = rowKey(tenant, `${document.kind}/${document.sourceId}/${document.version}`)
            if (Option.isSome(yield* versions.get(key))) {
              return yield* new DocumentExists({
                kind: document.kind,
                sourceId: document.sourceId,
                version: document.version
              })
            }
            yield* rows.insert(tenant, document)
            yield* versions.put(key, document.id)
          })),
        get: rows.get,
        latest: (tenant, kind, sourceId) =>
          Effect.map(
            rows.find(tenant, (d) => d.kind === kind && d.sourceId === sourceId),
            (found) => Option.fromNullishOr(sortBy(found, (d) => -d.version)[0])
          ),
        listBySource
      }
    })
  )
}
