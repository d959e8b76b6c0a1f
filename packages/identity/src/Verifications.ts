/**
 * Issuing and consuming e-mail verification codes (AUTH-20). Issuing is for trusted code (the
 * host's mailer runs as the system actor); consuming is public, since holding the code is the proof.
 */
import { Clock, Effect, Schema } from "effect"
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import { type AuditLog, Command, Errors, Ids, Instant, Text, UnitOfWork } from "@erpkit/kernel"
import { homeOnly } from "./Access.ts"
import { created, updated } from "./Changes.ts"
import * as Email from "./Email.ts"
import { expiresAfter, IdentityConfig } from "./IdentityConfig.ts"
import { VerificationFailed } from "./IdentityError.ts"
import * as Permissions from "./Permissions.ts"
import { digits, sha256Hex } from "./SecureRandom.ts"
import { UserRepository } from "./UserRepository.ts"
import * as Verification from "./Verification.ts"
import { VerificationRepository } from "./VerificationRepository.ts"

/** How many of the newest codes for one address and purpose a check looks at. */
export const candidatesMax = 5

/** The stored record without its hash: what audit entries and results show. */
export const audited = ({ codeHash: _, ...rest }: Verification.Verification) => rest

export const IssuedCode = Schema.Struct({
  id: Verification.VerificationId,
  /** The plain code, returned once: send it, do not store it. */
  code: Schema.String,
  expiresAt: Instant.Instant
})
export type IssuedCode = typeof IssuedCode.Type

/** Creates and stores a code; returns it in plain with the stored record. */
export const issue = (emailKey: string, type: Verification.VerificationType, userId: Ids.UserId | null, now: number) =>
  Effect.gen(function*() {
    const config = yield* IdentityConfig
    const id = yield* Ids.nextId(Verification.VerificationId)
    const code = yield* digits(Verification.codeLength)
    const verification = new Verification.Verification({
      id,
      emailKey,
      codeHash: yield* sha256Hex(Verification.hashInput(id, code)),
      userId,
      type,
      usedAt: null,
      expiresAt: expiresAfter(now, config.verificationTtlMillis),
      createdAt: now
    })
    yield* VerificationRepository.use((r) => r.insert(verification))
    return {
      issued: { id, code, expiresAt: verification.expiresAt } satisfies IssuedCode,
      change: created("Verification", id, audited(verification))
    }
  })

/**
 * Checks `code` against the newest codes for the address and purpose and marks the match used. A
 * match that is used or expired says so; no match at all is `mismatch`, also when no code was ever
 * sent, so the answer does not tell whether an address has codes (or an account).
 */
export const consume = (emailKey: string, type: Verification.VerificationType, code: string, now: number) =>
  Effect.gen(function*() {
    const repo = yield* VerificationRepository
    const candidates = (yield* repo.listFor(emailKey, type)).slice(0, candidatesMax)
    let failure = new VerificationFailed({ reason: "mismatch" })
    for (const candidate of candidates) {
      const result = Verification.check(candidate, yield* sha256Hex(Verification.hashInput(candidate.id, code)), now)
      if (result._tag === "Failure") {
        if (result.failure.reason !== "mismatch") failure = result.failure
        continue
      }
      // Conditional update: a concurrent use of the same code loses here (single use).
      if (!(yield* repo.markUsed(candidate.id, now))) return yield* new VerificationFailed({ reason: "used" })
      return {
        verification: result.success,
        change: updated("Verification", candidate.id, audited(candidate), audited(result.success))
      }
    }
    return yield* failure
  })

/** A code as typed (storable text, at most 64 characters). */
export const CodeInput = Text.Bounded(64)

/**
 * A code for `email` (system actor: the host's mailer sends it). The code is returned to the caller,
 * so for an existing user only the home organization (or the system) may ask: a password reset code
 * in another organization's hands would hand it the account.
 */
export const issueVerificationCode = Command.make({
  name: "identity.issueVerificationCode",
  input: Schema.Struct({ email: Email.EmailInput, type: Verification.VerificationType }),
  output: IssuedCode,
  // the code is shown once (only its hash is stored): a replay must not hand it out again
  resultHoldsSecret: true,
  permission: Permissions.verificationIssue,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const email = yield* Effect.fromResult(Email.normalize(input.email))
    const user = yield* UserRepository.use((r) => r.findByEmailKey(email.key))
    if (user._tag === "Some") yield* homeOnly(ctx.actor, ctx.tenant, user.value, Permissions.verificationIssue)
    const { issued, change } = yield* issue(email.key, input.type, user._tag === "Some" ? user.value.id : null, ctx.now)
    return { result: issued, changes: [change] }
  })
})

export const ConsumedCode = Schema.Struct({
  verificationId: Verification.VerificationId,
  userId: Schema.NullOr(Ids.UserId),
  type: Verification.VerificationType
})

/** Public: proves possession of a code (e.g. before a password reset), once. */
export const consumeVerificationCode = Command.make({
  name: "identity.consumeVerificationCode",
  input: Schema.Struct({ email: Email.EmailInput, type: Verification.VerificationType, code: CodeInput }),
  output: ConsumedCode,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const email = yield* Effect.fromResult(Email.normalize(input.email))
    const { verification, change } = yield* consume(email.key, input.type, input.code.trim(), ctx.now)
    return {
      result: { verificationId: verification.id, userId: verification.userId, type: verification.type },
      changes: [change]
    }
  })
})

/** Job: deletes expired codes, one bounded set-based statement per run; how many. */
export const deleteExpiredVerifications = Effect.gen(function*() {
  const now = yield* Clock.currentTimeMillis
  const { cleanupBatchSizeMax } = yield* IdentityConfig
  return yield* UnitOfWork.run(VerificationRepository.use((r) => r.deleteExpired(now, cleanupBatchSizeMax)))
}).pipe(Effect.withSpan("identity.deleteExpiredVerifications"))
