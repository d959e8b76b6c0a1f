/**
 * The one timestamp convention of the Postgres adapters. The domain holds instants as UTC epoch
 * milliseconds (`number`); a `timestamptz` column is
 *
 * - written from a `Date` parameter built from those milliseconds (`toTimestamptz`), and
 * - read back as the `Date` the driver decodes it to, turned into milliseconds (`fromTimestamptz`).
 *
 * Both directions are exact (timestamptz has microsecond precision, the values are whole
 * milliseconds). A nullable column takes the `…OrNull` forms and an explicit `::timestamptz` cast on
 * the parameter (a `null` parameter carries no type). Rows that travel as JSON (`jsonb_to_recordset`)
 * carry milliseconds as numbers and convert in SQL with `epochMillisToTimestamptz`.
 *
 * The billing and platform adapters follow it. The identity adapters still convert in SQL
 * (`identity/shared.ts`: `timestamp(db, ms)` → `to_timestamp(ms / 1000)`, `millis(column, alias)` →
 * `round(extract(epoch …) * 1000)::float8`, `toMillis`); adopting this convention there means writing
 * `${toTimestamptzOrNull(ms)}::timestamptz` where `timestamp(db, ms)` is, selecting the bare column
 * where `millis(…)` is, and decoding with `fromTimestamptz[OrNull]` where `toMillis` is.
 */

/** epoch milliseconds → a timestamptz parameter. */
export const toTimestamptz = (millis: number): Date => new Date(millis)

export const toTimestamptzOrNull = (millis: number | null): Date | null => (millis === null ? null : new Date(millis))

/** a timestamptz column (decoded by the driver as a `Date`) → epoch milliseconds. */
export const fromTimestamptz = (value: Date): number => value.getTime()

export const fromTimestamptzOrNull = (value: Date | null): number | null => (value === null ? null : value.getTime())

/**
 * SQL turning the bigint expression `expression` (epoch milliseconds) into a timestamptz; `expression` is trusted SQL.
 */
export const epochMillisToTimestamptz = (expression: string): string =>
  `timestamptz 'epoch' + ${expression} * interval '1 millisecond'`
