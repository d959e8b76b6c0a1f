/**
 * How a unit of work is retried: a failed attempt whose cause is transient (40001, 40P01, 55P03, a
 * duplicate idempotency key, a `RetryUnitOfWork` defect) fails with the typed `RetryTransaction`, which
 * `retrying` retries on an Effect `Schedule` (bounded, equal jitter); when the attempts run out it
 * becomes a `StorageUnavailable` (retryable, nothing applied).
 */
import { Duration, Effect, Random, Schedule, Schema } from "effect"
import { Errors } from "@erpkit/kernel"

export interface RetryPolicy {
  /** Attempts in total, the first one included. */
  readonly maxAttempts: number
  readonly baseDelayMillis: number
  readonly maxDelayMillis: number
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 8, baseDelayMillis: 5, maxDelayMillis: 1_000 }

/** Equal jitter: half the exponential delay fixed, half random (from effect's `Random`). */
export const retryDelay = (policy: RetryPolicy, attempt: number): Effect.Effect<Duration.Duration> => {
  const exponential = Math.min(policy.maxDelayMillis, policy.baseDelayMillis * 2 ** Math.max(0, attempt - 1))
  return Effect.map(Random.nextBetween(exponential / 2, exponential), (millis) => Duration.millis(millis))
}

/** At most `maxAttempts - 1` retries, the n-th after `retryDelay(policy, n)`. */
export const retrySchedule = (policy: RetryPolicy): Schedule.Schedule<number> =>
  Schedule.recurs(Math.max(0, policy.maxAttempts - 1)).pipe(
    Schedule.modifyDelay(({ attempt }) => retryDelay(policy, attempt))
  )

/**
 * An attempt of a unit of work met a transient failure and may succeed when run again. Internal to
 * `PgDatabase`: it never leaves the unit of work (retried, or turned into `StorageUnavailable`).
 */
export class RetryTransaction extends Schema.TaggedError<RetryTransaction>()("RetryTransaction", {
  /** The SQLSTATE behind it, or `retry-unit-of-work` for a `RetryUnitOfWork` defect. */
  sqlState: Schema.String,
  reason: Schema.String
}) {}

/** Runs `attempt(n)` for n = 1, 2, … while it fails with `RetryTransaction`, on `retrySchedule(policy)`. */
export const retrying = <A, E, R>(
  policy: RetryPolicy,
  attempt: (n: number) => Effect.Effect<A, E | RetryTransaction, R>
): Effect.Effect<A, E | Errors.StorageUnavailable, R> =>
  Effect.suspend(() => {
    let n = 0
    return Effect.suspend(() => attempt(++n)).pipe(
      Effect.retry({ schedule: retrySchedule(policy), while: (e) => e instanceof RetryTransaction }),
      Effect.catch((error) => Effect.fail(error instanceof RetryTransaction ? exhausted(error, n) : error as E))
    )
  })

const exhausted = (error: RetryTransaction, attempts: number) =>
  new Errors.StorageUnavailable({
    retryable: true,
    outcome: "not-applied",
    sqlState: error.sqlState,
    reason: `gave up after ${attempts} attempts: ${error.reason}`
  })
