/**
 * The one place where Postgres SQLSTATE codes become erpkit behaviour:
 *
 * | SQLSTATE                      | meaning                          | erpkit                                  |
 * |-------------------------------|----------------------------------|-----------------------------------------|
 * | 40001 serialization_failure   | concurrent transaction conflict  | retry the whole transaction             |
 * | 40P01 deadlock_detected       | deadlock victim                  | retry the whole transaction             |
 * | 55P03 lock_not_available      | `NOWAIT` / `lock_timeout`        | retry the whole transaction             |
 * | 23505 on idempotency_keys     | concurrent duplicate command     | retry (the retry finds the stored result)|
 * | (`RetryUnitOfWork` defect)    | a skipped read is needed         | retry the whole transaction             |
 * | 23505 unique_violation        | duplicate                        | kernel `Conflict`, never retried        |
 * | 23514 check_violation         | CHECK constraint                 | `ConstraintViolation`, never retried    |
 * | 23P01 exclusion_violation     | EXCLUDE constraint (no overlap)  | `ConstraintViolation`, never retried    |
 * | 23503 / 23502                 | foreign key / not null           | `ConstraintViolation`, never retried    |
 * | 08xxx, 57P01–57P03, closed    | connection lost / backend killed | kernel `StorageUnavailable` (typed)     |
 * | retries exhausted             |                                  | `StorageUnavailable`, retryable         |
 * | anything else                 |                                  | defect (a bug)                          |
 *
 * A SQL error may travel as a failure (`SqlError` in the error channel) or as a defect (the kernel
 * ports have no error channel, so they die with it); `findSqlErrors` looks at both. A repository may
 * also ask for a retry itself by dying with `RetryUnitOfWork`. The unit of work reads the cause of a
 * failed attempt once (`database/Outcome.ts`): retries, or reports a lost connection as the kernel's
 * typed `StorageUnavailable`.
 */
import { Cause, Effect, Schema } from "effect"
import { Errors } from "@erpkit/kernel"
import { type SqlError, isSqlError } from "effect/sql/SqlError"

export const retryableCodes: ReadonlySet<string> = new Set(["40001", "40P01", "55P03"])

/** The unique index whose violation means "a concurrent duplicate command committed first". */
export const idempotencyConstraint = "idempotency_keys_pkey"

/**
 * A defect asking for the whole unit of work to run again (within the retry bound): a repository that
 * skipped a read on the first attempt found that it needs it (`PgIdempotency.confirmAbsent`). Being a
 * defect, it passes through the typed error handlers of any enclosing code to the unit of work.
 */
export class RetryUnitOfWork
  extends Schema.TaggedError<RetryUnitOfWork>()("RetryUnitOfWork", { reason: Schema.String })
{}

/** A CHECK, EXCLUDE, foreign key or NOT NULL constraint rejected a write. */
export class ConstraintViolation extends Schema.TaggedError<ConstraintViolation>()("ConstraintViolation", {
  kind: Schema.Literals(["check", "exclusion", "foreign_key", "not_null", "other"]),
  sqlState: Schema.String,
  constraint: Schema.String,
  table: Schema.String,
  detail: Schema.String
}) {
  override get message(): string {
    return `${this.kind} constraint ${this.constraint} on ${this.table} rejected the write (SQLSTATE ${this.sqlState})`
  }
}

/** The Postgres error fields the driver keeps on the cause of every server error. */
export interface PgErrorFields {
  readonly code: string | undefined
  readonly constraint: string | undefined
  readonly table: string | undefined
  readonly schema: string | undefined
  readonly detail: string | undefined
}

const field = (value: unknown, name: string): string | undefined => {
  if (value === null || typeof value !== "object") return undefined
  const v = (value as Record<string, unknown>)[name]
  return typeof v === "string" ? v : undefined
}

export const fields = (error: SqlError): PgErrorFields => {
  const server = (error.reason as { readonly cause?: unknown }).cause
  return {
    code: field(server, "code"),
    constraint: field(server, "constraint") ?? field(error.reason, "constraint"),
    table: field(server, "table"),
    schema: field(server, "schema"),
    detail: field(server, "detail")
  }
}

export const sqlState = (error: SqlError): string | undefined => fields(error).code

/** Whether retrying the whole transaction can succeed. */
export const isRetryable = (error: SqlError): boolean => {
  const f = fields(error)
  if (f.code !== undefined && retryableCodes.has(f.code)) return true
  return f.code === "23505" && f.constraint === idempotencyConstraint
}

/** Every `SqlError` in a cause, failed or died. */
export const findSqlErrors = (cause: Cause.Cause<unknown>): ReadonlyArray<SqlError> =>
  cause.reasons.flatMap((reason) => {
    const value = Cause.isFailReason(reason) ? reason.error : Cause.isDieReason(reason) ? reason.defect : undefined
    return isSqlError(value) ? [value] : []
  })

/** SQLSTATEs of a backend that is going away (terminated, crashed, not accepting connections). */
const shutdownCodes: ReadonlySet<string> = new Set(["57P01", "57P02", "57P03"])

/**
 * Whether the connection is gone: the driver lost or closed it, a class-08 error, or the backend was
 * terminated under it (57P01–57P03). Nothing more can be sent on it, ROLLBACK and COMMIT included.
 */
export const isConnectionLost = (error: SqlError): boolean => {
  if (error.reason._tag === "ConnectionError") return true
  const code = sqlState(error)
  return code !== undefined && (code.startsWith("08") || shutdownCodes.has(code))
}

/**
 * Whether retrying the whole transaction can succeed: a retryable SQL error or `RetryUnitOfWork` in
 * the cause, or the `StorageUnavailable` a unit of work reports when its retries ran out on one.
 */
export const isRetryableCause = (cause: Cause.Cause<unknown>): boolean =>
  findSqlErrors(cause).some(isRetryable) || cause.reasons.some((reason) => {
    const value = Cause.isFailReason(reason) ? reason.error : Cause.isDieReason(reason) ? reason.defect : undefined
    return value instanceof RetryUnitOfWork || (value instanceof Errors.StorageUnavailable && gaveUp(value))
  })

const gaveUp = (error: Errors.StorageUnavailable): boolean =>
  error.retryable && error.outcome === "not-applied" &&
  (retryableCodes.has(error.sqlState) || error.sqlState === "23505" || error.sqlState === "retry-unit-of-work")

const kindOf = (code: string): ConstraintViolation["kind"] =>
  code === "23514"
    ? "check"
    : code === "23P01"
    ? "exclusion"
    : code === "23503"
    ? "foreign_key"
    : code === "23502"
    ? "not_null"
    : "other"

/** The typed error a non-retryable integrity violation maps to, if it is one. */
export const toDomainError = (error: SqlError): Errors.Conflict | ConstraintViolation | undefined => {
  const f = fields(error)
  if (f.code === undefined || !f.code.startsWith("23") || isRetryable(error)) return undefined
  const table = f.schema !== undefined && f.table !== undefined ? `${f.schema}.${f.table}` : f.table ?? "unknown"
  if (f.code === "23505") {
    return new Errors.Conflict({
      entity: table,
      reason: `duplicate key violates ${f.constraint ?? "a unique constraint"}${f.detail ? `: ${f.detail}` : ""}`
    })
  }
  return new ConstraintViolation({
    kind: kindOf(f.code),
    sqlState: f.code,
    constraint: f.constraint ?? "unknown",
    table,
    detail: f.detail ?? ""
  })
}

/**
 * For repository writes: duplicates become `Conflict`, other integrity violations `ConstraintViolation`;
 * every other SQL error (retryable ones included) dies so the unit of work can retry or report it.
 */
export const mapWriteErrors = <A, E, R>(
  effect: Effect.Effect<A, E | SqlError, R>
): Effect.Effect<A, Exclude<E, SqlError> | Errors.Conflict | ConstraintViolation, R> =>
  Effect.catch(effect, (error): Effect.Effect<never, Exclude<E, SqlError> | Errors.Conflict | ConstraintViolation> => {
    if (!isSqlError(error)) return Effect.fail(error as Exclude<E, SqlError>)
    const mapped = toDomainError(error)
    return mapped === undefined ? Effect.die(error) : Effect.fail(mapped)
  })

/** For statements whose port has no error channel: every SQL error is a defect (retryable ones are still retried). */
export const orDie = <A, E, R>(effect: Effect.Effect<A, E | SqlError, R>): Effect.Effect<A, Exclude<E, SqlError>, R> =>
  Effect.catch(effect, (error) => (isSqlError(error) ? Effect.die(error) : Effect.fail(error as Exclude<E, SqlError>)))
