/**
 * The errors every context shares. Each is data (a `Schema.TaggedError`) carrying the figures that
 * explain it, so hosts can match on `_tag` and show a precise message.
 */
import { Schema, SchemaIssue } from "effect"

/** One problem found while decoding untrusted input: where it is and what is wrong. */
export const ValidationIssue = Schema.Struct({ path: Schema.Array(Schema.String), message: Schema.String })
export type ValidationIssue = typeof ValidationIssue.Type

/** Untrusted input did not decode; nothing was written. */
export class ValidationError
  extends Schema.TaggedError<ValidationError>()("ValidationError", { issues: Schema.Array(ValidationIssue) })
{
  override get message(): string {
    return this.issues.map((i) => `${i.path.length ? i.path.join(".") : "(root)"}: ${i.message}`).join("; ")
  }

  /** A validation error for one field, for domain checks that are not expressible as a schema. */
  static at(path: ReadonlyArray<string>, message: string): ValidationError {
    return new ValidationError({ issues: [{ path: [...path], message }] })
  }
}

const standardFormatter = SchemaIssue.makeFormatterStandardSchemaV1()

/** Turns a Schema decoding issue into a `ValidationError` with one entry per failing path. */
export const fromSchemaIssue = (issue: SchemaIssue.Issue): ValidationError => {
  const formatted = standardFormatter(issue)
  return new ValidationError({
    issues: formatted.issues.map((i) => ({
      path: (i.path ?? []).map((segment) =>
        String(typeof segment === "object" && segment !== null ? segment.key : segment)
      ),
      message: i.message
    }))
  })
}

export class NotFound extends Schema.TaggedError<NotFound>()("NotFound", { entity: Schema.String, id: Schema.String }) {
  override get message(): string {
    return `${this.entity} ${this.id} not found`
  }
}

export class Forbidden extends Schema.TaggedError<Forbidden>()("Forbidden", {
  permission: Schema.String,
  actorId: Schema.String,
  roles: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `actor ${this.actorId} (${this.roles.join(", ") || "no role"}) lacks ${this.permission}`
  }
}

export class InvalidTransition extends Schema.TaggedError<InvalidTransition>()("InvalidTransition", {
  machine: Schema.String,
  from: Schema.String,
  to: Schema.String
}) {
  override get message(): string {
    return `${this.machine}: no transition ${this.from} → ${this.to}`
  }
}

/** The record is in a terminal state (or otherwise frozen) and cannot be changed. */
export class Immutable extends Schema.TaggedError<Immutable>()("Immutable", {
  entity: Schema.String,
  id: Schema.String,
  state: Schema.String
}) {
  override get message(): string {
    return `${this.entity} ${this.id} is ${this.state} and cannot be modified`
  }
}

/** A uniqueness rule, optimistic version check or idempotency key clash. */
export class Conflict
  extends Schema.TaggedError<Conflict>()("Conflict", { entity: Schema.String, reason: Schema.String })
{
  override get message(): string {
    return `${this.entity}: ${this.reason}`
  }
}

/**
 * An idempotency key came back with a different request (another command, or other input): the
 * first request's effect stands and nothing was done for this one. Send a new key for a new request.
 */
export class IdempotencyKeyReused extends Schema.TaggedError<IdempotencyKeyReused>()("IdempotencyKeyReused", {
  key: Schema.String,
  /** The command the key was first used for. */
  command: Schema.String
}) {
  override get message(): string {
    return `idempotency key ${this.key} was used for another request (first by ${this.command})`
  }
}

/**
 * An idempotency key came back with the same request, whose command succeeded the first time; but its
 * result held a one-time secret (a bearer token, a verification code) that is stored nowhere, so it
 * cannot be given again. The first request's effect stands: do not retry; start over (sign in again,
 * ask for a new code) if the first reply was lost.
 */
export class ReplayWithheld
  extends Schema.TaggedError<ReplayWithheld>()("ReplayWithheld", { key: Schema.String, command: Schema.String })
{
  override get message(): string {
    return `idempotency key ${this.key} was used by ${this.command}, which succeeded;` +
      " its result held a one-time secret, which is not kept"
  }
}

/**
 * An optimistic write was based on a version that is no longer the stored one: someone changed the
 * record since it was read. Read it again and decide again.
 */
export class StaleVersion extends Schema.TaggedError<StaleVersion>()("StaleVersion", {
  entity: Schema.String,
  storedVersion: Schema.Number,
  writtenVersion: Schema.Number
}) {
  override get message(): string {
    return `${this.entity}: stale write: stored version ${this.storedVersion}, written ${this.writtenVersion}`
  }
}

/**
 * What a host should assume about a command that met `StorageUnavailable`:
 * - `not-applied`: nothing was committed (the failure came before COMMIT was sent); the command may
 *   be sent again, ideally with the same idempotency key.
 * - `unknown`: the connection was lost while COMMIT was in flight, so it may or may not have been
 *   committed; send the command again WITH THE SAME idempotency key (a committed first attempt is then
 *   replayed, not repeated). Without a key, look the effect up before repeating it.
 */
export const StorageOutcome = Schema.Literals(["not-applied", "unknown"])
export type StorageOutcome = typeof StorageOutcome.Type

/**
 * The store could not be reached or gave up (connection lost, backend terminated, retries of a
 * transient conflict exhausted): an infrastructure failure, not a decision of the domain. `retryable`
 * says whether sending the command again can succeed; `outcome` whether it may have taken effect.
 */
export class StorageUnavailable extends Schema.TaggedError<StorageUnavailable>()("StorageUnavailable", {
  retryable: Schema.Boolean,
  outcome: StorageOutcome,
  /** SQLSTATE or driver condition behind it (e.g. `57P01`, `08006`, `connection-lost`), `""` if none. */
  sqlState: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `storage unavailable (${this.outcome}${this.retryable ? ", retryable" : ""}): ${this.reason}`
  }
}
