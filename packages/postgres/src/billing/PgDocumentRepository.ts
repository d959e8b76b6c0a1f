/**
 * `DocumentRepository` on the append-only `billing.documents` (SELECT, INSERT only; triggers refuse
 * UPDATE, DELETE and TRUNCATE for every role). `documents_version_key` (tenant, kind, source_id,
 * version) makes a concurrent second rendering of the same version fail: 23505 → `DocumentExists`.
 * `latest` and `listBySource` read that unique index.
 */
import { Effect, Layer, Option } from "effect"
import { type Tenant } from "@erpkit/kernel"
import { BillingError, Document, DocumentRepository as Port } from "@erpkit/billing"
import { PgDatabase } from "../Database.ts"
import * as SqlState from "../SqlState.ts"
import * as Storable from "../Storable.ts"
import { assertTenant, defaultListLimit, duplicateAs, single, type TenantColumns, tenantOf } from "./shared.ts"
import { fromTimestamptz, toTimestamptz } from "../sql/Timestamps.ts"

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

const documentColumns = `id, organization_id AS "organizationId", workspace_id AS "workspaceId", kind, document_number AS "documentNumber",
  source_id AS "sourceId", version, title, content_type AS "contentType", body, data, created_at AS "createdAt"`

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

export const layer = Layer.effect(
  Port.DocumentRepository,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    const columns = sql.literal(documentColumns)
    const bySource = (tenant: Tenant.Tenant, kind: Document.DocumentKind, sourceId: string) =>
      sql`organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND kind = ${kind} AND source_id = ${sourceId}`

    const service: Port.DocumentRepository["Service"] = {
      insert: (tenant, d) =>
        db.inTenant(tenant)(Effect.gen(function*() {
          yield* assertTenant("Document", d.id, tenant, d.tenant)
          yield* Storable.checkOrDie([d.documentNumber, d.sourceId, d.title, d.body, d.data], ["document"])
          yield* duplicateAs("documents_version_key", () => new BillingError.DocumentExists({ kind: d.kind, sourceId: d.sourceId, version: d.version }))(sql`
            INSERT INTO billing.documents (id, organization_id, workspace_id, kind, document_number, source_id, version, title, content_type, body,
              data, created_at)
            VALUES (${d.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${d.kind}, ${d.documentNumber}, ${d.sourceId}, ${d.version}, ${d.title},
              ${d.contentType}, ${d.body}, ${JSON.stringify(d.data)}::jsonb, ${toTimestamptz(d.createdAt)})`)
        })),
      get: (tenant, id) =>
        db.inTenant(tenant)(Effect.flatMap(
          SqlState.orDie(sql<DocumentRow>`SELECT ${columns} FROM billing.documents
            WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND id = ${id}`),
          (rows) => Effect.map(single<DocumentRow>("Document", id)(rows), toDocument)
        )),
      latest: (tenant, kind, sourceId) =>
        Storable.findNul(sourceId) !== undefined ? Effect.succeed(Option.none()) : db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<DocumentRow>`SELECT ${columns} FROM billing.documents WHERE ${bySource(tenant, kind, sourceId)}
            ORDER BY version DESC LIMIT 1`),
          (rows) => Option.map(Option.fromNullishOr(rows[0]), toDocument)
        )),
      listBySource: (tenant, kind, sourceId) =>
        Storable.findNul(sourceId) !== undefined ? Effect.succeed([]) : db.inTenant(tenant)(Effect.map(
          SqlState.orDie(sql<DocumentRow>`SELECT ${columns} FROM billing.documents WHERE ${bySource(tenant, kind, sourceId)}
            ORDER BY version LIMIT ${defaultListLimit}`),
          (rows) => rows.map(toDocument)
        ))
    }
    return service
  })
)
