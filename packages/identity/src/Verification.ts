/**
 * E-mail verification codes (seed 001 `email_verifications`, AUTH-20): typed, expiring (24 h by
 * default), single use. Only a salted SHA-256 of the code is stored; checks compare hashes in
 * constant time.
 */
import { Result, Schema } from "effect"
import { Ids, Instant } from "@erpkit/kernel"
import { VerificationFailed } from "./IdentityError.ts"

export const VerificationId = Ids.makeId("VerificationId")
export type VerificationId = typeof VerificationId.Type

export const VerificationType = Schema.Literals(["registration", "password_reset", "email_change"])
export type VerificationType = typeof VerificationType.Type

/**
 * Compares two strings in time that depends only on their lengths, never on where they first
 * differ, so an attacker cannot find a stored hash byte by byte.
 */
export const constantTimeEqual = (a: string, b: string): boolean => {
  const length = Math.max(a.length, b.length)
  let diff = a.length ^ b.length
  for (let i = 0; i < length; i++) diff |= (a.charCodeAt(i) | 0) ^ (b.charCodeAt(i) | 0)
  return diff === 0
}

export const defaultTtlMillis = 24 * 60 * 60 * 1000
export const codeLength = 8

export class Verification extends Schema.Class<Verification>("Verification")({
  id: VerificationId,
  /** The uniqueness key of the address the code was sent to (see `Email.keyOf`). */
  emailKey: Schema.String,
  /** SHA-256 hex of `${id}:${code}`: the id salts it, so equal codes hash differently. */
  codeHash: Schema.String,
  userId: Schema.NullOr(Ids.UserId),
  type: VerificationType,
  usedAt: Schema.NullOr(Instant.Instant),
  expiresAt: Instant.Instant,
  createdAt: Instant.Instant
}) {}

/** What the hash covers; `SecureRandom.sha256Hex` of this is stored. */
export const hashInput = (id: VerificationId, code: string): string => `${id}:${code}`

/**
 * Checks one stored code against the hash of the offered one. Order matters: a used or expired code
 * says so only when the offered code matched, so the answer leaks nothing about unmatched codes.
 */
export const check = (
  v: Verification,
  offeredHash: string,
  now: number
): Result.Result<Verification, VerificationFailed> => {
  if (!constantTimeEqual(v.codeHash, offeredHash)) return Result.fail(new VerificationFailed({ reason: "mismatch" }))
  if (v.usedAt !== null) return Result.fail(new VerificationFailed({ reason: "used" }))
  if (v.expiresAt <= now) return Result.fail(new VerificationFailed({ reason: "expired" }))
  return Result.succeed(new Verification({ ...v, usedAt: now }))
}

export const isExpired = (v: Verification, now: number): boolean => v.expiresAt <= now
