/**
 * A point in time: UTC epoch milliseconds, an integer, read from effect's `Clock` (never `Date.now`).
 * Every context's timestamps (`createdAt`, `expiresAt`, …) use it; business dates, which are calendar
 * dates in the tenant's time zone, are `LocalDate` instead. Postgres stores it as `timestamptz`.
 */
import { Schema } from "effect"

export const Instant = Schema.Number.pipe(Schema.check(Schema.isInt()))
export type Instant = typeof Instant.Type
