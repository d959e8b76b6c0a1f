#!/usr/bin/env node
/**
 * `erpkit migrate`: applies pending migrations to DATABASE_URL, or to the embedded PGlite
 * (`ERPKIT_PGLITE_DIR` to persist it; without it the embedded database is in memory, useful only as a
 * smoke test). Runs on Node 24 type stripping: `node packages/postgres/src/cli.ts migrate`.
 */
import { Effect, Layer } from "effect"
import { migrate } from "./Postgres.ts"
import * as Postgres from "./Postgres.ts"

const usage = "usage: erpkit migrate   (DATABASE_URL=postgres://… or ERPKIT_PGLITE_DIR=./data for the embedded database)"

const main = async (args: ReadonlyArray<string>): Promise<number> => {
  if (args[0] !== "migrate") {
    console.error(usage)
    return 2
  }
  const target = process.env["DATABASE_URL"] ? "server" : `embedded${process.env["ERPKIT_PGLITE_DIR"] ? ` (${process.env["ERPKIT_PGLITE_DIR"]})` : " (in memory)"}`
  const program = Effect.gen(function*() {
    const applied = yield* migrate()
    return applied
  }).pipe(Effect.provide(Postgres.layerFromEnv({ migrate: false }).pipe(Layer.orDie)))
  const applied = await Effect.runPromise(program)
  console.log(applied.length === 0 ? `erpkit migrate: ${target} is up to date` : `erpkit migrate: ${target}: applied ${applied.join(", ")}`)
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("erpkit migrate failed:", error)
    process.exit(1)
  }
)
