/**
 * Writes nobody waits for, queued in the unit of work and sent together as ONE statement of
 * data-modifying CTEs before the unit of work's next statement or its COMMIT (docs/performance.md).
 */
import { Effect } from "effect"
import type { SqlClient } from "effect/sql"
import type { Statement } from "effect/sql/Statement"
import * as SqlState from "../SqlState.ts"

/**
 * A write whose result nobody waits for: one INSERT or UPDATE (no WITH of its own) whose every error is
 * a defect. `PgDatabase.write` queues it; the queue goes to the server as ONE statement (a
 * data-modifying CTE per write) right before the next statement of the unit of work, or before
 * COMMIT. All writes of one flush see the same snapshot, so a write to a table that already has a
 * queued write flushes the queue first (`tables`).
 */
export interface DeferredWrite {
  /** Tables the statement writes or reads. */
  readonly tables: ReadonlyArray<string>
  readonly statement: Statement<any>
  /**
   * When set, the statement ends with RETURNING and must return exactly `rows` rows, else the unit of work dies with
   * `error()`.
   */
  readonly expect?: { readonly rows: number; readonly error: () => unknown }
}

const expectRows = (write: DeferredWrite, rows: number): Effect.Effect<void> =>
  write.expect === undefined || write.expect.rows === rows ? Effect.void : Effect.die(write.expect.error())

/** Runs one write at once and checks its row count. */
export const runChecked = (write: DeferredWrite): Effect.Effect<void> =>
  Effect.flatMap(SqlState.orDie(write.statement), (rows) => expectRows(write, rows.length))

/** Sends the queued writes as ONE statement (a data-modifying CTE each) and checks their row counts. */
export const flush = (sql: SqlClient.SqlClient, pending: Array<DeferredWrite>): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (pending.length === 0) return Effect.void
    const writes = pending.splice(0)
    if (writes.length === 1) return runChecked(writes[0]!)
    const checked = writes.flatMap((w, i) => (w.expect === undefined ? [] : [i]))
    const ctes = writes.map((w, i) => sql`${sql.literal(`w${i}`)} AS (${w.statement})`)
    const counts = checked.length === 0
      ? sql`1 AS none`
      : sql.join(", ", false)(checked.map((i) => sql.literal(`(SELECT count(*) FROM w${i})::int AS w${i}`)))
    return Effect.flatMap(
      SqlState.orDie(sql<Record<string, number>>`WITH ${sql.join(", ", false)(ctes)} SELECT ${counts}`),
      (rows) => Effect.forEach(checked, (i) => expectRows(writes[i]!, rows[0]?.[`w${i}`] ?? 0), { discard: true })
    )
  })

/** Whether `write` touches a table a queued write touches (then the queue is flushed first). */
export const overlaps = (pending: ReadonlyArray<DeferredWrite>, write: DeferredWrite): boolean =>
  pending.some((p) => p.tables.some((t) => write.tables.includes(t)))
