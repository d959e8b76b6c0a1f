/**
 * Idempotency keys: a command sent again with the same key and the same input returns the first
 * result without doing anything; the same key with different input fails with `Conflict`. The record
 * is written in the command's unit of work, so a key is taken exactly when its effect committed.
 */
import { Context, Effect, Layer, Option, Schema } from "effect"
import { MemoryStore } from "./MemoryStore.ts"
import { noNul } from "./Text.ts"
import { type Tenant, key as tenantKey } from "./Tenant.ts"

export const IdempotencyKey = Schema.String.pipe(
  Schema.check(Schema.isMinLength(1), Schema.isMaxLength(200), noNul),
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
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
    }
    return v
  })

/** The SHA-256 round constants (FIPS 180-4 §4.2.2). */
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2
])
const W = new Uint32Array(64)
const encoder = new TextEncoder()

/**
 * SHA-256 (hex) of the UTF-8 bytes of `text`, synchronously: the kernel imports only `effect`, and
 * `crypto.subtle.digest` is asynchronous (a thread-pool round trip per command costs more than hashing
 * a few hundred bytes here).
 */
export const sha256Hex = (text: string): string => {
  const data = encoder.encode(text)
  const length = data.length
  const padded = new Uint8Array((((length + 8) >>> 6) + 1) << 6)
  padded.set(data)
  padded[length] = 0x80
  const view = new DataView(padded.buffer)
  view.setUint32(padded.length - 8, Math.floor(length / 0x20000000), false)
  view.setUint32(padded.length - 4, (length << 3) >>> 0, false)
  let h0 = 0x6a09e667, h1 = 0xbb67ae85, h2 = 0x3c6ef372, h3 = 0xa54ff53a
  let h4 = 0x510e527f, h5 = 0x9b05688c, h6 = 0x1f83d9ab, h7 = 0x5be0cd19
  for (let offset = 0; offset < padded.length; offset += 64) {
    for (let t = 0; t < 16; t++) W[t] = view.getUint32(offset + t * 4, false)
    for (let t = 16; t < 64; t++) {
      const w15 = W[t - 15]!, w2 = W[t - 2]!
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3)
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10)
      W[t] = (W[t - 16]! + s0 + W[t - 7]! + s1) | 0
    }
    let a = h0, b = h1, c = h2, d = h3, e = h4, f = h5, g = h6, h = h7
    for (let t = 0; t < 64; t++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))
      const ch = (e & f) ^ (~e & g)
      const t1 = (h + S1 + ch + K[t]! + W[t]!) | 0
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))
      const maj = (a & b) ^ (a & c) ^ (b & c)
      const t2 = (S0 + maj) | 0
      h = g
      g = f
      f = e
      e = (d + t1) | 0
      d = c
      c = b
      b = a
      a = (t1 + t2) | 0
    }
    h0 = (h0 + a) | 0
    h1 = (h1 + b) | 0
    h2 = (h2 + c) | 0
    h3 = (h3 + d) | 0
    h4 = (h4 + e) | 0
    h5 = (h5 + f) | 0
    h6 = (h6 + g) | 0
    h7 = (h7 + h) | 0
  }
  let hex = ""
  for (const word of [h0, h1, h2, h3, h4, h5, h6, h7]) hex += (word >>> 0).toString(16).padStart(8, "0")
  return hex
}

export const requestHash = (command: string, input: unknown): Effect.Effect<string> =>
  Effect.sync(() => sha256Hex(`${command}\n${canonicalJson(input)}`))
