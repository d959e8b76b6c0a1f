/**
 * Plain-SQL migrations, one Postgres schema per bounded context, run by effect's `Migrator`.
 *
 * A context contributes a `MigrationSet`: its schema name and its ordered SQL files
 * (`migrations/<schema>/<NNNN>_<name>.sql`). Each set keeps its own bookkeeping table
 * (`public.erpkit_migrations_<schema>`), so contexts number their migrations independently.
 * The whole run holds a transaction-scoped advisory lock, so several processes (or parallel test
 * files) migrating the same database wait for each other; a second run finds nothing to do.
 */
import { readdirSync, readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import * as Migrator from "effect/sql/Migrator"
import type { SqlError } from "effect/sql/SqlError"

export interface SqlMigration {
  readonly id: number
  readonly name: string
  readonly sql: string
}

export interface MigrationSet {
  /** The Postgres schema the set owns, e.g. `platform`, `billing`. */
  readonly schema: string
  readonly migrations: ReadonlyArray<SqlMigration>
}

const fileName = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/

/** Reads `<NNNN>_<name>.sql` files of a directory, ordered by number. */
export const fromDirectory = (schema: string, directory: URL | string): MigrationSet => {
  const path = typeof directory === "string" ? directory : fileURLToPath(directory)
  const migrations = readdirSync(path)
    .flatMap((file) => {
      const match = fileName.exec(file)
      return match === null ? [] : [{ id: Number(match[1]), name: match[2]!, sql: readFileSync(`${path}/${file}`, "utf8") }]
    })
    .sort((a, b) => a.id - b.id)
  return { schema, migrations }
}

/** The platform schema: outbox, deliveries, audit log, idempotency keys, roles and policies. */
export const platform: MigrationSet = fromDirectory("platform", new URL("../migrations/platform", import.meta.url))

/**
 * Splits a SQL script into statements at top-level semicolons, respecting quotes, dollar quotes and
 * comments (the extended protocol accepts one statement per query).
 */
export const splitStatements = (script: string): ReadonlyArray<string> => {
  const statements: Array<string> = []
  let start = 0
  let i = 0
  const push = (end: number) => {
    const text = script.slice(start, end).trim()
    if (text.replace(/--[^\n]*/g, "").trim().length > 0) statements.push(text)
  }
  while (i < script.length) {
    const c = script[i]!
    const rest = script.slice(i)
    if (c === "-" && script[i + 1] === "-") {
      const end = script.indexOf("\n", i)
      i = end === -1 ? script.length : end + 1
    } else if (c === "/" && script[i + 1] === "*") {
      const end = script.indexOf("*/", i + 2)
      i = end === -1 ? script.length : end + 2
    } else if (c === "'" || c === "\"") {
      let j = i + 1
      while (j < script.length && !(script[j] === c && script[j + 1] !== c)) j += script[j] === c ? 2 : 1
      i = j + 1
    } else if (c === "$" && /^\$[A-Za-z_]*\$/.test(rest)) {
      const tag = /^\$[A-Za-z_]*\$/.exec(rest)![0]
      const end = script.indexOf(tag, i + tag.length)
      i = end === -1 ? script.length : end + tag.length
    } else if (c === ";") {
      push(i)
      start = i + 1
      i++
    } else {
      i++
    }
  }
  push(script.length)
  return statements
}

const runScript = (script: string): Effect.Effect<void, SqlError, SqlClient.SqlClient> =>
  Effect.flatMap(SqlClient.SqlClient, (sql) =>
    Effect.forEach(splitStatements(script), (statement) => sql.unsafe(statement).unprepared, { discard: true })
  )

const schemaName = /^[a-z][a-z0-9_]{0,40}$/

/** Applies the pending migrations of each set, in order; returns what ran as `<schema>/<id>_<name>`. */
export const run = (sets: ReadonlyArray<MigrationSet>): Effect.Effect<ReadonlyArray<string>, Migrator.MigrationError | SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const migrator = Migrator.make({})
    const applied: Array<string> = []
    yield* sql.withTransaction(Effect.gen(function*() {
      yield* sql`SELECT pg_advisory_xact_lock(hashtextextended('erpkit.migrations', 0))`
      for (const set of sets) {
        if (!schemaName.test(set.schema)) {
          return yield* new Migrator.MigrationError({ kind: "BadState", message: `invalid schema name ${set.schema}` })
        }
        const loader = Migrator.fromRecord(
          Object.fromEntries(set.migrations.map((m) => [`${m.id}_${m.name}`, runScript(m.sql)]))
        )
        const ran = yield* migrator({ loader, table: `erpkit_migrations_${set.schema}` })
        applied.push(...ran.map(([id, name]) => `${set.schema}/${id}_${name}`))
      }
    }))
    return applied
  })
