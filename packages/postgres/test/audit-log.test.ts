import { describe, expect, layer } from "@effect/vitest"
import { randomUUID } from "node:crypto"
import { Cause, Effect, Exit } from "effect"
import { AuditLog, type Ids } from "@erpkit/kernel"
import { PgDatabase } from "../src/Database.ts"
import * as SqlState from "../src/SqlState.ts"
import { freshTenant, targets } from "./targets.ts"

const entry = (
  tenant: ReturnType<typeof freshTenant>,
  over: Partial<AuditLog.AuditEntry> = {}
): AuditLog.AuditEntry => ({
  id: randomUUID(),
  tenant,
  actorId: randomUUID() as Ids.UserId,
  command: "test.update",
  entityType: "Invoice",
  entityId: randomUUID(),
  action: "UPDATE",
  oldValues: { status: "Draft", note: "it's" },
  newValues: { status: "Sent", note: "it's; DROP TABLE x --" },
  changedFields: ["note", "status"],
  at: 1_763_700_000_456,
  ...over
})

const sqlStateOf = (exit: Exit.Exit<unknown, unknown>): string | undefined => {
  if (!Exit.isFailure(exit)) return undefined
  const [error] = SqlState.findSqlErrors(exit.cause)
  return error === undefined ? undefined : SqlState.sqlState(error)
}

for (const target of targets("audit-log.test.ts")) {
  describe(target.name, () => {
    layer(target.layer(), { excludeTestServices: true, timeout: "120 seconds" })("audit log", (it) => {
      it.effect("TEN-07 entries round-trip, queried by entity and by actor, oldest first, tenant-scoped, limited", () =>
        Effect.gen(function*() {
          const tenant = freshTenant()
          const e1 = entry(tenant, { action: "CREATE", oldValues: null, changedFields: ["note", "status"] })
          const e2 = entry(tenant, { entityId: e1.entityId, actorId: e1.actorId, at: e1.at + 1 })
          const e3 = entry(tenant, { actorId: e1.actorId, action: "DELETE", newValues: null })
          const foreign = entry(freshTenant(), { entityId: e1.entityId, actorId: e1.actorId })
          yield* AuditLog.AuditLog.use((log) => Effect.andThen(log.append([e1, e2, e3]), log.append([foreign])))
          const byEntity = yield* AuditLog.AuditLog.use((log) => log.byEntity(tenant, "Invoice", e1.entityId))
          expect(byEntity).toEqual([e1, e2])
          const byActor = yield* AuditLog.AuditLog.use((log) => log.byActor(tenant, e1.actorId))
          expect(byActor.map((e) => e.id)).toEqual([e1.id, e2.id, e3.id])
          const limited = yield* AuditLog.AuditLog.use((log) => log.byActor(tenant, e1.actorId, { limit: 1 }))
          expect(limited.map((e) => e.id)).toEqual([e1.id])
        }))

      it.effect("TEN-07 the audit log is append-only: UPDATE and DELETE fail through the app role", () =>
        Effect.gen(function*() {
          const db = yield* PgDatabase
          const tenant = freshTenant()
          const e = entry(tenant)
          yield* AuditLog.AuditLog.use((log) => log.append([e]))
          const update = yield* Effect.exit(
            db.inTenant(tenant)(db.sql`UPDATE platform.audit_log SET command = 'forged' WHERE id = ${e.id}`)
          )
          const remove = yield* Effect.exit(
            db.inTenant(tenant)(db.sql`DELETE FROM platform.audit_log WHERE id = ${e.id}`)
          )
          expect(sqlStateOf(update)).toBe("42501")
          expect(sqlStateOf(remove)).toBe("42501")
          const after = yield* AuditLog.AuditLog.use((log) => log.byEntity(tenant, e.entityType, e.entityId))
          expect(after).toEqual([e])
        }))

      it.effect("TEN-07 even the owning login (no SET ROLE) cannot UPDATE, DELETE, TRUNCATE audit rows (trigger)", () =>
        Effect.gen(function*() {
          const db = yield* PgDatabase
          const tenant = freshTenant()
          const e = entry(tenant)
          yield* AuditLog.AuditLog.use((log) => log.append([e]))
          for (const statement of [
            db.sql`UPDATE platform.audit_log SET command = 'forged'`,
            db.sql`DELETE FROM platform.audit_log`,
            db.sql`TRUNCATE platform.audit_log`
          ]) {
            const exit = yield* Effect.exit(statement)
            expect(Exit.isFailure(exit) && Cause.pretty(exit.cause)).toBeTruthy()
            expect(sqlStateOf(exit)).toBe("42501")
          }
          expect((yield* AuditLog.AuditLog.use((log) => log.byEntity(tenant, e.entityType, e.entityId))).length).toBe(1)
        }))
    })
  })
}
