/**
 * The append-only audit log (TEN-07): every create, update and delete records who did it, in which
 * tenant, to which entity, the old and new values and the fields that changed. Entries are written in
 * the command's unit of work and never updated or deleted.
 */
import { Context, Effect, Layer, Schema } from "effect"
import { IdGenerator, UserId } from "./Ids.ts"
import { MemoryStore } from "./MemoryStore.ts"
import { Tenant, sameTenant } from "./Tenant.ts"

export const AuditAction = Schema.Literals(["CREATE", "UPDATE", "DELETE"])
export type AuditAction = typeof AuditAction.Type

export const AuditEntry = Schema.Struct({
  id: Schema.String,
  tenant: Tenant,
  actorId: UserId,
  /** The command that made the change, e.g. `billing.recordPayment`. */
  command: Schema.String,
  entityType: Schema.String,
  entityId: Schema.String,
  action: AuditAction,
  oldValues: Schema.NullOr(Schema.Json),
  newValues: Schema.NullOr(Schema.Json),
  changedFields: Schema.Array(Schema.String),
  /** UTC epoch milliseconds. */
  at: Schema.Number
})
export type AuditEntry = typeof AuditEntry.Type

/** What a command reports about one entity it changed; the pipeline adds who, when and the diff. */
export interface AuditChange {
  readonly entityType: string
  readonly entityId: string
  readonly action: AuditAction
  readonly oldValues: Schema.Json | null
  readonly newValues: Schema.Json | null
}

/**
 * The one builder of audit changes every context uses: CREATE when there is no `before`, DELETE when
 * there is no `after` (a soft delete passes its row as `after` and says `action: "DELETE"`), else UPDATE.
 * Values are JSON already: entities go through `entityJson` (their schema), views through
 * `Idempotency.canonicalJson`; secrets are stripped by the caller before.
 */
export const change = (
  entityType: string,
  entityId: string,
  before: Schema.Json | null,
  after: Schema.Json | null,
  action: AuditAction = before === null ? "CREATE" : after === null ? "DELETE" : "UPDATE"
): AuditChange => ({ entityType, entityId, action, oldValues: before, newValues: after })

const encoders = new Map<unknown, (value: unknown) => unknown>()

/**
 * `value` as JSON through its schema, the encoder built once per schema. Checks are off: audited
 * values are entities, checked when they were constructed, and encoding only has to turn them into
 * JSON (re-running every filter doubled the cost of a command).
 */
export const entityJson = <A>(schema: Schema.Codec<A, unknown>, value: A): Schema.Json => {
  let encode = encoders.get(schema)
  if (!encode) {
    encode = Schema.encodeSync(Schema.toCodecJson(schema as Schema.Codec<unknown, unknown>), {
      disableChecks: true
    }) as (value: unknown) => unknown
    encoders.set(schema, encode)
  }
  return encode(value) as Schema.Json
}

/**
 * The audit change of one entity, named by its schema's identifier, encoded by its schema. The action
 * follows from which side is null, as in `change`; a soft delete passes `"DELETE"` with the tombstone
 * (its `deletedAt` set) as `after`: the row stays, so the entry says what it became.
 */
export const entityChange = <A extends { readonly id: string }>(
  schema: Schema.Codec<A, unknown>,
  before: A | null,
  after: A | null,
  action?: AuditAction
): AuditChange => {
  const subject = (after ?? before)!
  return change(
    (schema as unknown as { readonly identifier?: string }).identifier ?? "Entity",
    subject.id,
    before === null ? null : entityJson(schema, before),
    after === null ? null : entityJson(schema, after),
    action
  )
}

/** Top-level fields whose JSON differs between the old and the new values. */
export const changedFields = (oldValues: Schema.Json | null, newValues: Schema.Json | null): ReadonlyArray<string> => {
  const before = asObject(oldValues)
  const after = asObject(newValues)
  const keys = Object.keys(before)
  for (const k of Object.keys(after)) if (!Object.hasOwn(before, k)) keys.push(k)
  return keys.sort().filter((k) => !jsonEqual(before[k], after[k]))
}

const asObject = (v: Schema.Json | null | undefined): Record<string, Schema.Json | undefined> =>
  v !== null && v !== undefined && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, Schema.Json>) : {}

/** Structural equality of JSON values (what `JSON.stringify(a) === JSON.stringify(b)` says, without the strings). */
const jsonEqual = (a: Schema.Json | undefined, b: Schema.Json | undefined): boolean => {
  if (a === b) return true
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return false
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false
    return true
  }
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined)
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined)
  if (ka.length !== kb.length) return false
  for (let i = 0; i < ka.length; i++) {
    const k = ka[i]!
    if (ka[i] !== kb[i] || !jsonEqual((a as Record<string, Schema.Json>)[k], (b as Record<string, Schema.Json>)[k])) {
      return false
    }
  }
  return true
}

export interface AuditQuery {
  readonly limit?: number
}

export class AuditLog extends Context.Service<
  AuditLog,
  {
    readonly append: (entries: ReadonlyArray<AuditEntry>) => Effect.Effect<void>
    readonly byEntity: (
      tenant: Tenant,
      entityType: string,
      entityId: string,
      query?: AuditQuery
    ) => Effect.Effect<ReadonlyArray<AuditEntry>>
    readonly byActor: (
      tenant: Tenant,
      actorId: UserId,
      query?: AuditQuery
    ) => Effect.Effect<ReadonlyArray<AuditEntry>>
  }
>()("@erpkit/kernel/AuditLog") {
  static readonly layerMemory = Layer.effect(
    AuditLog,
    Effect.map(MemoryStore, (store) => {
      const rows = store.table<{ readonly seq: number; readonly entry: AuditEntry }>("platform.audit_log")
      let seq = 0
      const query = (predicate: (e: AuditEntry) => boolean, q: AuditQuery = {}) =>
        Effect.map(
          rows.find((r) => predicate(r.entry)),
          (found) =>
            [...found].sort((a, b) => a.seq - b.seq).slice(0, q.limit ?? Number.MAX_SAFE_INTEGER).map((r) => r.entry)
        )
      return {
        append: (entries) =>
          store.transaction(
            Effect.forEach(entries, (entry) => rows.put(entry.id, { seq: ++seq, entry }), { discard: true })
          ),
        byEntity: (tenant, entityType, entityId, q) =>
          query((e) => sameTenant(e.tenant, tenant) && e.entityType === entityType && e.entityId === entityId, q),
        byActor: (tenant, actorId, q) => query((e) => sameTenant(e.tenant, tenant) && e.actorId === actorId, q)
      }
    })
  )
}

export const entryFor = (
  context: { readonly tenant: Tenant; readonly actorId: UserId; readonly command: string; readonly at: number },
  change: AuditChange
): Effect.Effect<AuditEntry, never, IdGenerator> =>
  Effect.map(IdGenerator.use((g) => g.next), (id) => ({
    id,
    ...context,
    ...change,
    changedFields: [...changedFields(change.oldValues, change.newValues)]
  }))
