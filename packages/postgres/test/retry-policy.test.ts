import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Random } from "effect"
import * as fc from "fast-check"
import { defaultRetryPolicy, retryDelay } from "../src/Database.ts"
import * as SqlState from "../src/SqlState.ts"
import { SqlError, UniqueViolation, SerializationError, ConstraintError } from "effect/sql/SqlError"

const serverError = (code: string, constraint?: string) =>
  Object.assign(new Error("server"), { code, constraint, table: "t", schema: "s" })

describe("retry policy", () => {
  it("the backoff is exponential with equal jitter, capped, for any attempt and seed", () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 40 }), fc.integer(), (attempt, seed) => {
      const d = Math.min(defaultRetryPolicy.maxDelayMillis, defaultRetryPolicy.baseDelayMillis * 2 ** (attempt - 1))
      const delay = Duration.toMillis(
        Effect.runSync(retryDelay(defaultRetryPolicy, attempt).pipe(Random.withSeed(seed)))
      )
      expect(delay).toBeGreaterThanOrEqual(d / 2)
      expect(delay).toBeLessThanOrEqual(d)
    }))
  })

  it("only 40001, 40P01, 55P03 and a duplicate idempotency key are retryable", () => {
    const classify = (code: string, constraint?: string) =>
      SqlState.isRetryable(new SqlError({ reason: new SerializationError({ cause: serverError(code, constraint) }) }))
    expect(["40001", "40P01", "55P03"].map((c) => classify(c))).toEqual([true, true, true])
    expect(classify("23505", SqlState.idempotencyConstraint)).toBe(true)
    expect(["23505", "23514", "23P01", "42501", "57014", "08006", "XX000"].map((c) => classify(c))).toEqual(
      Array(7).fill(false)
    )
  })

  it("23505 maps to Conflict naming the constraint; 23514 / 23P01 to ConstraintViolation; others to nothing", () => {
    const unique = SqlState.toDomainError(
      new SqlError({
        reason: new UniqueViolation({
          cause: serverError("23505", "items_code_unique"),
          constraint: "items_code_unique"
        })
      })
    )
    expect(unique?._tag).toBe("Conflict")
    expect(unique?._tag === "Conflict" && unique.entity).toBe("s.t")
    const check = SqlState.toDomainError(
      new SqlError({ reason: new ConstraintError({ cause: serverError("23514", "qty_positive") }) })
    )
    expect(check?._tag === "ConstraintViolation" && [check.kind, check.constraint]).toEqual(["check", "qty_positive"])
    const exclusion = SqlState.toDomainError(
      new SqlError({ reason: new ConstraintError({ cause: serverError("23P01", "no_overlap") }) })
    )
    expect(exclusion?._tag === "ConstraintViolation" && exclusion.kind).toBe("exclusion")
    expect(SqlState.toDomainError(new SqlError({ reason: new SerializationError({ cause: serverError("40001") }) })))
      .toBeUndefined()
  })
})
