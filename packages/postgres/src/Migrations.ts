/**
 * Plain-SQL migrations, one Postgres schema per bounded context, run by effect's `Migrator`.
 *
 * A context contributes a `MigrationSet`: its schema name and its ordered SQL files
 * (`migrations/<schema>/<NNNN>_<name>.sql`). Each set keeps its own bookkeeping table
 * (`public.erpkit_migrations_<schema>`), so contexts number their migrations independently.
 * The whole run holds a transaction-scoped advisory lock, so several processes (or parallel test
 * files) migrating the same database wait for each other; a second run finds nothing to do.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
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
  /** Ordered by id. For `fromDirectory` sets, read from disk on first access, never at import time. */
  readonly migrations: ReadonlyArray<SqlMigration>
}

const fileName = /^(\d+)_([A-Za-z0-9_-]+)\.sql$/

const readMigrations = (path: string): ReadonlyArray<SqlMigration> =>
  readdirSync(path).flatMap((file) => {
    const match = fileName.exec(file)
    return match === null
      ? []
      : [{ id: Number(match[1]), name: match[2]!, sql: readFileSync(join(path, file), "utf8") }]
  }).sort((a, b) => a.id - b.id)

/**
 * The `migrations/<schema>` folder shipped with this package, under the nearest directory above this
 * module that holds a `package.json` (the package root). In the repository this module is
 * `src/Migrations.ts`; in the published package it is bundled into some file of `dist/`, wherever the
 * bundler puts its chunks.
 */
const bundledDirectory = (schema: string): string | undefined => {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir)
    if (parent === dir) return undefined
    dir = parent
  }
  const candidate = join(dir, "migrations", schema)
  return existsSync(candidate) ? candidate : undefined
}

/**
 * Where a set's files are. Context modules name their folder relative to their source file
 * (`new URL("../../migrations/billing", import.meta.url)`); once bundled into `dist/` that URL points
 * outside the package, so a missing `…/migrations/<schema>` folder falls back to the bundled one.
 */
const resolveDirectory = (schema: string, directory: URL | string): string => {
  const path = typeof directory === "string" ? directory : fileURLToPath(directory)
  if (existsSync(path)) return path
  const bundled = join("migrations", schema)
  const fallback = path.replace(/[\\/]+$/, "").endsWith(bundled) ? bundledDirectory(schema) : undefined
  if (fallback !== undefined) return fallback
  throw new Error(`erpkit: no migrations directory for schema "${schema}" at ${path}`)
}

/**
 * A set read from the `<NNNN>_<name>.sql` files of a directory, ordered by number. Lazy: the directory
 * is listed on first access to `migrations` (importing a module that declares a set touches no file),
 * and every matching file is picked up, so adding a migration is adding a file.
 */
export const fromDirectory = (schema: string, directory: URL | string): MigrationSet => {
  let loaded: ReadonlyArray<SqlMigration> | undefined
  return {
    schema,
    get migrations() {
      loaded ??= readMigrations(resolveDirectory(schema, directory))
      return loaded
    }
  }
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
  Effect.flatMap(
    SqlClient.SqlClient,
    (sql) => Effect.forEach(splitStatements(script), (statement) => sql.unsafe(statement).unprepared, { discard: true })
  )

const schemaName = /^[a-z][a-z0-9_]{0,40}$/

/** The bookkeeping table of a set (unchanged since the first release: existing databases depend on it). */
export const bookkeepingTable = (set: MigrationSet): string => `erpkit_migrations_${set.schema}`

/** A set's migrations, failing with a `MigrationError` if its name is unsafe or its files unreadable. */
const load = (set: MigrationSet): Effect.Effect<ReadonlyArray<SqlMigration>, Migrator.MigrationError> =>
  schemaName.test(set.schema)
    ? Effect.try({
      try: () => set.migrations,
      catch: (cause) =>
        new Migrator.MigrationError({
          kind: "ImportError",
          message: `cannot read the ${set.schema} migrations: ${String(cause)}`,
          cause
        })
    })
    : Effect.fail(new Migrator.MigrationError({ kind: "BadState", message: `invalid schema name ${set.schema}` }))

/** Applies the pending migrations of each set, in order; returns what ran as `<schema>/<id>_<name>`. */
export const run = (
  sets: ReadonlyArray<MigrationSet>
): Effect.Effect<ReadonlyArray<string>, Migrator.MigrationError | SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const migrator = Migrator.make({})
    const applied: Array<string> = []
    yield* sql.withTransaction(Effect.gen(function*() {
      yield* sql`SELECT pg_advisory_xact_lock(hashtextextended('erpkit.migrations', 0))`
      for (const set of sets) {
        const migrations = yield* load(set)
        const loader = Migrator.fromRecord(
          Object.fromEntries(migrations.map((m) => [`${m.id}_${m.name}`, runScript(m.sql)]))
        )
        const ran = yield* migrator({ loader, table: bookkeepingTable(set) })
        applied.push(...ran.map(([id, name]) => `${set.schema}/${id}_${name}`))
      }
    }))
    return applied
  })

/** One migration as the bookkeeping table records it. */
export interface MigrationRef {
  readonly id: number
  readonly name: string
}

/** Where a set stands on a database: what its bookkeeping table records, and what `run` would apply. */
export interface SetStatus {
  readonly schema: string
  readonly applied: ReadonlyArray<MigrationRef>
  readonly pending: ReadonlyArray<MigrationRef>
}

/** The rows of a set's bookkeeping table; none when the table does not exist yet. */
const appliedOf = (set: MigrationSet): Effect.Effect<ReadonlyArray<MigrationRef>, SqlError, SqlClient.SqlClient> =>
  Effect.gen(function*() {
    const sql = yield* SqlClient.SqlClient
    const table = bookkeepingTable(set)
    const [found] = yield* sql<{ exists: boolean }>`SELECT to_regclass(${table}) IS NOT NULL AS exists`
    if (found?.exists !== true) return []
    const rows = yield* sql<{ migration_id: number; name: string }>`SELECT migration_id, name FROM ${
      sql(table)
    } ORDER BY migration_id`.withoutTransform
    return rows.map((row) => ({ id: row.migration_id, name: row.name }))
  })

/**
 * What is applied and what is pending for each set, changing nothing. Pending follows the `Migrator`'s
 * rule: every migration numbered above the highest applied one.
 */
export const status = (
  sets: ReadonlyArray<MigrationSet>
): Effect.Effect<ReadonlyArray<SetStatus>, Migrator.MigrationError | SqlError, SqlClient.SqlClient> =>
  Effect.forEach(sets, (set) =>
    Effect.gen(function*() {
      const migrations = yield* load(set)
      const applied = yield* appliedOf(set)
      const latest = applied.reduce((max, m) => Math.max(max, m.id), 0)
      const pending = migrations.filter((m) => m.id > latest).map(({ id, name }) => ({ id, name }))
      return { schema: set.schema, applied, pending }
    }))
