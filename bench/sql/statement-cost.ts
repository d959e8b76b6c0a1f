/**
 * Client CPU per statement: `@effect/sql-pg` (what erpkit's adapter runs on) against the `pg` driver (the
 * hand-written baseline), both running the same transaction of 3 tiny prepared statements (BEGIN,
 * 3 × SELECT, COMMIT = 5 round trips) from `--clients` concurrent loops. Shows what a round trip costs
 * the client, so what removing one more from `recordPayment` could still save.
 *
 *   npx -y pnpm@10 exec node bench/sql/statement-cost.ts [--clients 8] [--seconds 5] [--rounds 2]
 */
import { PgClient } from "@effect/sql-pg"
import { Effect, ManagedRuntime, Redacted } from "effect"
import { SqlClient } from "effect/sql"
import pg from "pg"
import { arg, benchUrl, ensureDatabase, timed } from "../payments/harness.ts"

const clients = Number(arg("clients", "8"))
const seconds = Number(arg("seconds", "5"))
const rounds = Number(arg("rounds", "2"))
const statementsPerTransaction = 5

/** `transaction` from `clients` loops for `seconds`: transactions per second, client CPU µs per statement. */
const measure = async (transaction: (client: number) => Promise<unknown>) => {
  const cpu0 = process.cpuUsage()
  const tps = await timed(clients, seconds, transaction)
  const cpu = process.cpuUsage(cpu0)
  return { tps, micros: (cpu.user + cpu.system) / (tps * seconds) / statementsPerTransaction }
}

await ensureDatabase()
const url = benchUrl.toString()
const runtime = ManagedRuntime.make(PgClient.layer({ url: Redacted.make(url), maxConnections: clients }))
const sql = await runtime.runPromise(Effect.gen(function*() {
  return yield* SqlClient.SqlClient
}))
const effectTransaction = sql.withTransaction(Effect.gen(function*() {
  yield* sql`SELECT set_config('erpkit.bench', ${"x"}, true)`
  yield* sql`SELECT 1 AS one WHERE ${1} = 1`
  yield* sql`SELECT 2 AS two WHERE ${2} = 2`
}))
const drivers = await Promise.all(Array.from({ length: clients }, async () => {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  return client
}))
const driverTransaction = async (c: number) => {
  const client = drivers[c]!
  await client.query("BEGIN")
  await client.query({ name: "a", text: "SELECT set_config('erpkit.bench', $1, true)", values: ["x"] })
  await client.query({ name: "b", text: "SELECT 1 AS one WHERE $1 = 1", values: [1] })
  await client.query({ name: "c", text: "SELECT 2 AS two WHERE $1 = 2", values: [2] })
  await client.query("COMMIT")
}

const effectSide = () => measure(() => runtime.runPromise(effectTransaction))
const driverSide = () => measure(driverTransaction)
await effectSide() // warm-up
await driverSide()
for (let round = 1; round <= rounds; round++) {
  const effect = await effectSide()
  const driver = await driverSide()
  console.log(
    `round ${round}, ${clients} clients: @effect/sql-pg ${effect.micros.toFixed(1)} µs/statement (${
      effect.tps.toFixed(0)
    } tx/s), ` +
      `pg ${driver.micros.toFixed(1)} µs/statement (${driver.tps.toFixed(0)} tx/s), ratio ${
        (effect.micros / driver.micros).toFixed(2)
      }×`
  )
}
await Promise.all(drivers.map((client) => client.end()))
await runtime.dispose()
