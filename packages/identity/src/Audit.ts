/**
 * Audit queries (TEN-07) over the kernel's append-only `AuditLog`, with identity's permission and
 * the actor's tenant as the scope: another tenant's entries are never returned.
 */
import { type Effect, Schema } from "effect"
import { AuditLog, Command, Ids, Text } from "@erpkit/kernel"
import * as Permissions from "./Permissions.ts"

const Limit = Schema.optionalKey(
  Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isBetween({ minimum: 1, maximum: 1000 })))
)
const Name = Schema.String.pipe(Schema.check(Schema.isNonEmpty(), Schema.isMaxLength(200), Text.storable))

export const auditByEntity = Command.query({
  name: "identity.auditByEntity",
  input: Schema.Struct({ entityType: Name, entityId: Name, limit: Limit }),
  permission: Permissions.auditRead,
  handler: (input, ctx): Effect.Effect<ReadonlyArray<AuditLog.AuditEntry>, never, AuditLog.AuditLog> =>
    AuditLog.AuditLog.use((log) =>
      log.byEntity(
        ctx.tenant,
        input.entityType,
        input.entityId,
        input.limit === undefined ? {} : { limit: input.limit }
      )
    )
})

export const auditByActor = Command.query({
  name: "identity.auditByActor",
  input: Schema.Struct({ actorId: Ids.UserId, limit: Limit }),
  permission: Permissions.auditRead,
  handler: (input, ctx): Effect.Effect<ReadonlyArray<AuditLog.AuditEntry>, never, AuditLog.AuditLog> =>
    AuditLog.AuditLog.use((log) =>
      log.byActor(ctx.tenant, input.actorId, input.limit === undefined ? {} : { limit: input.limit })
    )
})
