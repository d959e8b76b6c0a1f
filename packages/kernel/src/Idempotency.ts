/**
 * Idempotency keys: a command sent again with the same key and the same input returns the first
 * result without doing anything; the same key with different input fails with `IdempotencyKeyReused`. The record
 * is written in the command's unit of work, so a key is taken exactly when its effect committed.
 */
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex, utf8ToBytes } from "@noble/hashes/utils.js"
import { Context, Effect, Layer, type Option, Schema } from "effect"
import { MemoryStore } from "./MemoryStore.ts"
import { storable } from "./Text.ts"
import { type Tenant, key as tenantKey } from "./Tenant.ts"

export const IdempotencyKey = Schema.String.pipe(
  Schema.check(Schema.isMinLength(1), Schema.isMaxLength(200), storable),
  Schema.brand("IdempotencyKey")
)
export type IdempotencyKey = typeof IdempotencyKey.Type

export interface IdempotencyRecord {
  readonly command: string
  /** SHA-256 (hex) of the command name and its canonical JSON input. */
  readonly requestHash: string
  /** The first result, JSON-encoded with the command's output schema. */
  readonly result: Schema.Json
}

export class Idempotency extends Context.Service<Idempotency, {
  readonly find: (tenant: Tenant, key: IdempotencyKey) => Effect.Effect<Option.Option<IdempotencyRecord>>
  /**
   * What `Command.make` asks at the start of a command's unit of work: `find`, except that an adapter
   * may answer `None` without reading, provided it makes up for it: a `save` of a key that is taken
   * then fails so that the unit of work is retried, and so does `confirmAbsent` after a failed handler;
   * the retry answers truthfully (Postgres does this on a first attempt: a new key costs no read).
   * The memory reference reads.
   */
  readonly findForCommand: (tenant: Tenant, key: IdempotencyKey) => Effect.Effect<Option.Option<IdempotencyRecord>>
  /**
   * Called when the handler of a command failed after `findForCommand` answered `None`: an adapter
   * that did not read then must find out now and, when the key is taken, make the unit of work run
   * again (by a defect its unit of work retries: it passes through any enclosing code that handles the
   * command's typed errors), so that the retry replays. The memory reference read; it does nothing.
   */
  readonly confirmAbsent: (tenant: Tenant, key: IdempotencyKey) => Effect.Effect<void>
  /** Stores the record; a key that is already taken is a defect here (`find` runs first in the same unit of work). */
  readonly save: (tenant: Tenant, key: IdempotencyKey, record: IdempotencyRecord) => Effect.Effect<void>
}>()("@erpkit/kernel/Idempotency") {
  static readonly layerMemory = Layer.effect(
    Idempotency,
    Effect.map(MemoryStore, (store) => {
      const rows = store.table<IdempotencyRecord>("platform.idempotency_keys")
      const id = (tenant: Tenant, key: IdempotencyKey) => `${tenantKey(tenant)}/${key}`
      return {
        find: (tenant, key) => rows.get(id(tenant, key)),
        findForCommand: (tenant, key) => rows.get(id(tenant, key)),
        confirmAbsent: () => Effect.void,
        save: (tenant, key, record) => rows.put(id(tenant, key), record)
      }
    })
  )
}

/** Canonical JSON: object keys sorted, bigints as decimal strings, so equal inputs hash equally. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v === "bigint") return v.toString()
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      return Object.fromEntries(
        Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      )
    }
    return v
  })

/**
 * SHA-256 (hex) of the command name and its canonical input. Synchronous (`@noble/hashes`, audited,
 * no platform API): WebCrypto's `digest` is asynchronous, and its promise round trip per command cost
 * more than the hash itself (docs/performance.md).
 */
export const requestHash = (command: string, input: unknown): string =>
  bytesToHex(sha256(utf8ToBytes(`${command}\n${canonicalJson(input)}`)))
