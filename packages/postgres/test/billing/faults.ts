/**
 * Faults for the billing workload: backends of the app's pool killed from an admin connection
 * (`pg_terminate_backend`), and ledger writes that overrun a 20 ms `statement_timeout` (57014).
 * Both are decided by seeded generators, so a run's fault schedule is reproducible.
 */
import { Context, Effect, Random, Ref } from "effect"
import { SqlClient } from "effect/sql"
import { LedgerRepository } from "@erpkit/billing"

type Ctx = Context.Context<any>

/**
 * Ledger appends that first sleep in SQL past a 20 ms statement_timeout, one in `every` (counted by a
 * counter shared by all workers: deterministic, unlike a random draw inside the command, whose
 * context the runner replaces).
 */
export const withStatementTimeouts = (
  context: Ctx,
  every: number,
  hits: Ref.Ref<number>,
  appends: Ref.Ref<number>
): Ctx => {
  const real = Context.get(context, LedgerRepository.LedgerRepository)
  const sql = Context.get(context, SqlClient.SqlClient)
  return Context.add(context, LedgerRepository.LedgerRepository, {
    ...real,
    append: (tenant, transactions) =>
      Effect.gen(function*() {
        const n = yield* Ref.updateAndGet(appends, (x) => x + 1)
        if (n % every === 0) {
          yield* Ref.update(hits, (x) => x + 1)
          yield* Effect.orDie(sql`SELECT set_config('statement_timeout', '20ms', true)`)
          yield* Effect.orDie(sql`SELECT pg_sleep(0.2)`)
        }
        yield* real.append(tenant, transactions)
      })
  })
}

/**
 * Kills one random backend of the app's pool (application_name 'erpkit') every 30–120 ms until
 * interrupted; counts the kills. The pauses pace the faults (they are not waits for time to pass),
 * and their lengths come from `seed`.
 */
export const killer = (admin: SqlClient.SqlClient, kills: Ref.Ref<number>, seed: number) =>
  Effect.forever(Effect.gen(function*() {
    yield* Effect.sleep(`${yield* Random.nextIntBetween(30, 120)} millis`)
    const pids = yield* Effect.orDie(admin<{ readonly pid: number }>`
      SELECT pid FROM pg_stat_activity
      WHERE datname = current_database() AND application_name = 'erpkit' AND pid <> pg_backend_pid() ORDER BY pid`)
    if (pids.length === 0) return
    const victim = pids[yield* Random.nextIntBetween(0, pids.length - 1)]!.pid
    const rows = yield* Effect.orDie(
      admin<{ readonly killed: boolean }>`SELECT pg_terminate_backend(${victim}) AS killed`
    )
    if (rows[0]?.killed === true) yield* Ref.update(kills, (n) => n + 1)
  })).pipe(Random.withSeed(seed))
