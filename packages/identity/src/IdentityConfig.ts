/**
 * Identity's tunables, with defaults a host can replace (`Layer.succeed(IdentityConfig, {...})`).
 */
import { Context } from "effect"
import type { Actor, Instant } from "@erpkit/kernel"
import { defaultTtlMillis as invitationTtlMillis } from "./Invitation.ts"
import { defaultTtlMillis } from "./Verification.ts"

export interface IdentityConfigShape {
  /** The role a public registration receives (seed 001 `organization_role` default). */
  readonly defaultRole: Actor.Role
  readonly sessionTtlMillis: number
  /** AUTH-20: 24 h by default (seed 001 `expires_at` default). */
  readonly verificationTtlMillis: number
  /** How long an invitation to join an organization can be accepted (7 days by default). */
  readonly invitationTtlMillis: number
  /** TEN-02: also require a valid Kazakhstan BIN check digit (off by default: see `Organization`). */
  readonly binCheckDigit: boolean
  /** Bound of one cleanup job run; the job is idempotent, the scheduler runs it again for the rest. */
  readonly cleanupBatchSizeMax: number
}

export const IdentityConfig = Context.Reference<IdentityConfigShape>("@erpkit/identity/IdentityConfig", {
  defaultValue: () => ({
    defaultRole: "employee",
    sessionTtlMillis: 7 * 24 * 60 * 60 * 1000,
    verificationTtlMillis: defaultTtlMillis,
    invitationTtlMillis,
    binCheckDigit: false,
    cleanupBatchSizeMax: 10_000
  })
})

/**
 * The instant `ttlMillis` after `now`. Rounded because a host may configure a fractional duration
 * and every stored timestamp is an integer `Instant` (the Postgres adapter reads back whole milliseconds).
 */
export const expiresAfter = (now: Instant.Instant, ttlMillis: number): Instant.Instant => now + Math.round(ttlMillis)
