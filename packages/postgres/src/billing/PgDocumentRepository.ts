/**
 * `DocumentRepository` on the append-only `billing.documents` (SELECT, INSERT only; triggers refuse
 * UPDATE, DELETE and TRUNCATE for every role). `documents_version_key` (tenant, kind, source_id,
 * version) makes a concurrent second rendering of the same version fail: 23505 → `DocumentExists`.
 * `latest` and `listBySource` read that unique index.
 */
import { Effect, Layer, Option } from "effect"
import type { Tenant } from "@erpkit/kernel"
import { BillingError, Document, DocumentRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { assertTenant, defaultListLimit, duplicateAs, type TenantColumns, tenantOf } from "./shared.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"
import * as TenantTable from "../sql/TenantTable.ts"
import { column } from "../sql/TenantTable.ts"

interface DocumentRow extends TenantColumns {
  readonly id: string
  readonly kind: Document.DocumentKind
  readonly documentNumber: string
  readonly sourceId: string
  readonly version: number
  readonly title: string
  readonly contentType: "text/plain"
  readonly body: string
  readonly data: unknown
  readonly createdAt: Date
}

const toDocument = (row: DocumentRow): Document.Document =>
  new Document.Document({
    id: row.id as Document.Document["id"],
    tenant: tenantOf(row),
    kind: row.kind,
    documentNumber: row.documentNumber,
    sourceId: row.sourceId,
    version: row.version,
    title: row.title,
    contentType: row.contentType,
    body: row.body,
    data: row.data as Document.Document["data"],
    createdAt: fromTimestamptz(row.createdAt)
  })

type D = Document.Document

/** `billing.documents` (alias `d`; append-only: a new version is a new row). */
export const documents = TenantTable.make<D, DocumentRow>({
  table: "billing.documents",
  alias: "d",
  entity: "Document",
  columns: [
    column("id", (d) => d.id, { fixed: true }),
    column("kind", (d) => d.kind, { fixed: true }),
    column("document_number", (d) => d.documentNumber, { fixed: true }),
    column("source_id", (d) => d.sourceId, { fixed: true }),
    column("version", (d) => d.version, { fixed: true }),
    column("title", (d) => d.title, { fixed: true }),
    column("content_type", (d) => d.contentType, { fixed: true }),
    column("body", (d) => d.body, { fixed: true }),
    column("data", (d) => JSON.stringify(d.data), { fixed: true, cast: "jsonb" }),
    column("created_at", (d) => toTimestamptz(d.createdAt), { fixed: true })
  ],
  decode: (row) => toDocument(row)
})

type Service = Port.DocumentRepository["Service"]

export const layer = Layer.effect(
  Port.DocumentRepository,
  Effect.map(PgDatabase, (db): Service => {
    const sql = db.sql
    const columns = sql.literal(documents.selectList())
    const select = TenantTable.get(db, documents)
    const bySource = (tenant: Tenant.Tenant, kind: Document.DocumentKind, sourceId: string) =>
      sql`${documents.scope(sql, tenant)} AND d.kind = ${kind} AND d.source_id = ${sourceId}`
    return {
      insert: (tenant, d) =>
        db.inTenant(tenant)(Effect.gen(function*() {
          yield* assertTenant("Document", d.id, tenant, d.tenant)
          yield* Storable.checkOrDie([d.documentNumber, d.sourceId, d.title, d.body, d.data], ["document"])
          yield* duplicateAs(
            "documents_version_key",
            () => new BillingError.DocumentExists({ kind: d.kind, sourceId: d.sourceId, version: d.version })
          )(documents.insert(sql, tenant, d))
        })),
      get: (tenant, id) => select(tenant, id, false),
      latest: (tenant, kind, sourceId) =>
        Storable.findNul(sourceId) !== undefined ?
          Effect.succeed(Option.none()) :
          db.inTenant(tenant)(
            Effect.map(
              SqlState.orDie(
                sql<DocumentRow>`SELECT ${columns} FROM billing.documents d WHERE ${bySource(tenant, kind, sourceId)}
            ORDER BY d.version DESC LIMIT 1`
              ),
              (rows) => Option.map(Option.fromNullishOr(rows[0]), toDocument)
            )
          ),
      listBySource: (tenant, kind, sourceId) =>
        Storable.findNul(sourceId) !== undefined ?
          Effect.succeed([]) :
          db.inTenant(tenant)(
            Effect.map(
              SqlState.orDie(
                sql<DocumentRow>`SELECT ${columns} FROM billing.documents d WHERE ${bySource(tenant, kind, sourceId)}
            ORDER BY d.version LIMIT ${defaultListLimit}`
              ),
              (rows) => rows.map(toDocument)
            )
          )
    }
  })
)
