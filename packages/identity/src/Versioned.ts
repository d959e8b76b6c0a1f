/**
 * Optimistic concurrency for the mutable aggregates (users, organizations, workspaces, employees,
 * departments, settings). A command writes the record one version after the one it read; the
 * repository accepts the write only if the stored row is still at the version that was read, so two
 * commands that both read version 3 cannot both write version 4 (Postgres:
 * `UPDATE … SET …, version = $v WHERE id = $id AND version = $v - 1`, zero rows → `StaleVersion`).
 */
import { Effect, Schema } from "effect"
import { Errors } from "@erpkit/kernel"

export const Version = Schema.Number.pipe(Schema.check(Schema.isInt(), Schema.isGreaterThanOrEqualTo(1)))

/**
 * `after` stamped one version later than `before`: what a command writes. An entity class's instance
 * stays one (`after` spread from `before` becomes an instance of `before`'s class again), made by the
 * class's constructor, which checks the fields.
 */
export const successor = <A extends { readonly version: number }>(before: A, after: A): A => {
  const make = (after.constructor === Object ? before.constructor : after.constructor) as new(fields: A) => A
  return new make({ ...after, version: before.version + 1 })
}

/** The repository's check: `next` must be exactly one version after the stored row. */
export const checkNext = (
  entity: string,
  stored: { readonly version: number },
  next: { readonly version: number }
): Effect.Effect<void, Errors.StaleVersion> =>
  next.version === stored.version + 1
    ? Effect.void
    : Effect.fail(new Errors.StaleVersion({ entity, storedVersion: stored.version, writtenVersion: next.version }))
