/**
 * What a failed attempt of a unit of work means, read from its cause once the transaction is over:
 *
 * | in the cause                                        | becomes                                              |
 * |-----------------------------------------------------|------------------------------------------------------|
 * | a retryable SQL error or a `RetryUnitOfWork` defect | `RetryTransaction` (retried, see `Retry`)            |
 * | a lost connection (class 08, 57P01–57P03, closed)   | `StorageUnavailable`: `not-applied` before COMMIT was sent,
 * `unknown` once it was |
 * | anything else                                       | the cause as it is (typed errors, defects)           |
 *
 * A lost connection next to a domain failure (the connection dropped during ROLLBACK) reports the
 * domain failure alone (`UnitOfWork.settleStorageFailure`): no COMMIT was sent, the refusal stands.
 */
import { Cause } from "effect"
import { Errors, UnitOfWork } from "@erpkit/kernel"
import { isSqlError, type SqlError } from "effect/sql/SqlError"
import * as SqlState from "../SqlState.ts"
import { RetryTransaction } from "./Retry.ts"

const askedRetry = (cause: Cause.Cause<unknown>): SqlState.RetryUnitOfWork | undefined => {
  for (const reason of cause.reasons) {
    if (Cause.isDieReason(reason) && reason.defect instanceof SqlState.RetryUnitOfWork) return reason.defect
  }
  return undefined
}

const retryOf = (cause: Cause.Cause<unknown>): RetryTransaction | undefined => {
  const sqlError = SqlState.findSqlErrors(cause).find(SqlState.isRetryable)
  if (sqlError !== undefined) {
    return new RetryTransaction({ sqlState: SqlState.sqlState(sqlError) ?? "", reason: sqlError.message })
  }
  const asked = askedRetry(cause)
  return asked === undefined
    ? undefined
    : new RetryTransaction({ sqlState: "retry-unit-of-work", reason: asked.reason })
}

/** A SQL error that failed (BEGIN, COMMIT) is a defect like one that died in a port: neither is the domain's. */
const sqlFailuresAsDefects = <E>(cause: Cause.Cause<E | SqlError>): Cause.Cause<Exclude<E, SqlError>> =>
  cause.reasons.some((r) => Cause.isFailReason(r) && isSqlError(r.error))
    ? Cause.fromReasons(
      cause.reasons.map((r) => (Cause.isFailReason(r) && isSqlError(r.error) ? Cause.makeDieReason(r.error) : r))
    ) as Cause.Cause<Exclude<E, SqlError>>
    : cause as Cause.Cause<Exclude<E, SqlError>>

/** The `StorageUnavailable` a lost connection means, given whether COMMIT had been sent. */
export const unavailable = (error: SqlError, committing: boolean): Errors.StorageUnavailable =>
  new Errors.StorageUnavailable({
    retryable: true,
    outcome: committing ? "unknown" : "not-applied",
    sqlState: SqlState.sqlState(error) ?? "connection-lost",
    reason: error.message
  })

/**
 * The cause an attempt reports: `RetryTransaction` when it may be retried, one `StorageUnavailable`
 * (or the domain failure it came with) when the connection was lost, else `cause` unchanged.
 */
export const attemptCause = <E>(
  failed: Cause.Cause<E | SqlError>,
  committing: boolean
): Cause.Cause<Exclude<E, SqlError> | RetryTransaction | Errors.StorageUnavailable> => {
  const cause = sqlFailuresAsDefects(failed)
  const lost = SqlState.findSqlErrors(cause).find(SqlState.isConnectionLost)
  if (lost === undefined) {
    const retry = retryOf(cause)
    return retry === undefined ? UnitOfWork.settleStorageFailure(cause) : Cause.fail(retry)
  }
  return UnitOfWork.settleStorageFailure(Cause.combine(cause, Cause.die(unavailable(lost, committing))))
}
