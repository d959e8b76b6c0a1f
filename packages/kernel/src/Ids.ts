/**
 * Branded UUID ids and the `IdGenerator` service. Domain code never calls `crypto` or `Math.random`
 * for ids: it asks `IdGenerator`, which is UUIDv7 (time-ordered, index friendly) in production and a
 * counter in tests, so runs are reproducible.
 */
import { Clock, Context, Effect, Layer, Ref, Schema } from "effect"

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/

/** A lower-case UUID string (any version), the storage form of every id. */
export const Uuid = Schema.String.pipe(
  Schema.check(Schema.isPattern(uuidPattern, { message: "must be a lower-case UUID" }))
)

/** Declares the branded id schema of one entity. */
export const makeId = <const B extends string>(brand: B) =>
  Uuid.pipe(
    (Schema.brand as <K extends string>(id: K) => <S extends typeof Uuid>(s: S) => Schema.brand<S["Rebuild"], K>)(brand)
  )

// Ids that several contexts share live here; each context brands its own private ids.
export const OrganizationId = makeId("OrganizationId")
export type OrganizationId = typeof OrganizationId.Type
export const WorkspaceId = makeId("WorkspaceId")
export type WorkspaceId = typeof WorkspaceId.Type
export const UserId = makeId("UserId")
export type UserId = typeof UserId.Type
export const CustomerId = makeId("CustomerId")
export type CustomerId = typeof CustomerId.Type
export const ProductId = makeId("ProductId")
export type ProductId = typeof ProductId.Type
export const EventId = makeId("EventId")
export type EventId = typeof EventId.Type

export class IdGenerator extends Context.Service<IdGenerator, {
  /** A fresh UUID; callers brand it with the entity's schema. */
  readonly next: Effect.Effect<string>
}>()("@erpkit/kernel/IdGenerator") {
  /** UUIDv7: 48 bits of Clock milliseconds, then 74 random bits (RFC 9562). */
  static readonly layerUuidV7 = Layer.succeed(IdGenerator, {
    next: Effect.map(Clock.currentTimeMillis, (millis) => uuidV7(millis, randomBytes10()))
  })

  /**
   * Deterministic ids for tests: UUIDv7-shaped, ordered, `…-000000000001`, `…-000000000002`, …
   * `seed` separates generators so two test layers never collide.
   */
  static readonly layerSequential = (seed = 0) =>
    Layer.effect(
      IdGenerator,
      Effect.map(Ref.make(0n), (counter) => ({
        next: Effect.map(Ref.updateAndGet(counter, (n) => n + 1n), (n) => sequentialUuid(seed, n))
      }))
    )
}

/**
 * 10 fresh random bytes, taken from a pool refilled by `crypto.getRandomValues` (one call per 409 ids:
 * the call's fixed cost is far above that of copying 10 bytes). Every byte is handed out once.
 */
const randomPool = new Uint8Array(4096)
let randomOffset = randomPool.length
/** 10 random bytes, viewed in the pool (the caller reads them at once; the pool refills after 4 KiB). */
const randomBytes10 = (): Uint8Array => {
  if (randomOffset + 10 > randomPool.length) {
    crypto.getRandomValues(randomPool)
    randomOffset = 0
  }
  const bytes = randomPool.subarray(randomOffset, randomOffset + 10)
  randomOffset += 10
  return bytes
}

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"))

/** Formats a UUIDv7 from a millisecond timestamp (48 bits) and 10 random bytes. */
export const uuidV7 = (millis: number, random: Uint8Array): string => {
  // 48-bit timestamp as 12 hex digits: the high 16 bits and the low 32 bits (exact in float arithmetic)
  const high = Math.floor(millis / 0x1_0000_0000)
  const low = millis - high * 0x1_0000_0000
  const ts = high.toString(16).padStart(4, "0") + low.toString(16).padStart(8, "0")
  const r = random
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-${HEX[(r[0]! & 0x0f) | 0x70]}${HEX[r[1]!]}-${
    HEX[(r[2]! & 0x3f) | 0x80]
  }${HEX[r[3]!]}-${HEX[r[4]!]}${HEX[r[5]!]}${HEX[r[6]!]}${HEX[r[7]!]}${HEX[r[8]!]}${HEX[r[9]!]}`
}

const sequentialUuid = (seed: number, n: bigint): string => {
  const seedHex = seed.toString(16).padStart(8, "0").slice(-8)
  const counterHex = n.toString(16).padStart(12, "0").slice(-12)
  return `${seedHex}-0000-7000-8000-${counterHex}`
}

/** A fresh id branded with `schema`'s brand. */
export const nextId = <S extends { readonly Type: string }>(_schema: S): Effect.Effect<S["Type"], never, IdGenerator> =>
  IdGenerator.use((g) => g.next) as Effect.Effect<S["Type"], never, IdGenerator>
