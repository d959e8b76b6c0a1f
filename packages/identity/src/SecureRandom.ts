/**
 * Secure randomness and hashing for tokens and codes. Domain code never calls `crypto` directly for
 * secrets: it asks `SecureRandom`, which is the platform CSPRNG in production and a deterministic
 * generator in tests (so a test can predict a token, and runs are reproducible).
 */
import { Context, Effect, Layer, Ref } from "effect"

export class SecureRandom extends Context.Service<SecureRandom, {
  /** `length` random bytes. */
  readonly bytes: (length: number) => Effect.Effect<Uint8Array>
}>()("@erpkit/identity/SecureRandom") {
  /** `crypto.getRandomValues`, the platform CSPRNG. */
  static readonly layerLive = Layer.succeed(SecureRandom, {
    bytes: (length) => Effect.sync(() => crypto.getRandomValues(new Uint8Array(length)))
  })

  /**
   * NOT SECURE. Deterministic bytes for tests: a xorshift32 stream from `seed`. Every call gets fresh
   * bytes, so tokens stay unique within a run.
   */
  static readonly layerDeterministic = (seed = 1) =>
    Layer.effect(
      SecureRandom,
      Effect.map(Ref.make((seed >>> 0) || 1), (state) => ({
        bytes: (length: number) =>
          Ref.modify(state, (s) => {
            const out = new Uint8Array(length)
            let x = s
            for (let i = 0; i < length; i++) {
              x ^= x << 13
              x >>>= 0
              x ^= x >>> 17
              x ^= x << 5
              x >>>= 0
              out[i] = x & 0xff
            }
            return [out, x] as const
          })
      }))
    )
}

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")

/** An unguessable bearer token: 32 random bytes (256 bits), hex. */
export const token: Effect.Effect<string, never, SecureRandom> = Effect.map(SecureRandom.use((r) => r.bytes(32)), hex)

/**
 * `length` uniformly random decimal digits. Rejection sampling (bytes ≥ 250 are drawn again) keeps
 * every digit equally likely; a plain `byte % 10` would favour 0–5.
 */
export const digits = (length: number): Effect.Effect<string, never, SecureRandom> =>
  Effect.gen(function*() {
    let out = ""
    // Bound: each byte is accepted with p = 250/256, so a few rounds suffice; 64 rounds is astronomically safe.
    for (let round = 0; round < 64 && out.length < length; round++) {
      const bytes = yield* SecureRandom.use((r) => r.bytes(length * 2))
      for (const b of bytes) {
        if (b < 250 && out.length < length) out += String(b % 10)
      }
    }
    if (out.length < length) return yield* Effect.die(new Error("SecureRandom produced no usable bytes"))
    return out
  })

/** SHA-256 of the UTF-8 text, lower-case hex. Tokens and codes are stored only in this form. */
export const sha256Hex = (text: string): Effect.Effect<string> =>
  Effect.promise(async () => {
    return hex(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text))))
  })

/** Equal-time string comparison, defined with the codes it checks (`Verification`). */
export { constantTimeEqual } from "./Verification.ts"
