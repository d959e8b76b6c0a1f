/**
 * `erpkit migrate`, built with effect's CLI module:
 *
 *   erpkit migrate [--module identity --module billing] [--dry-run]   apply pending migrations
 *   erpkit migrate status [--module …]                                what is applied and what is pending
 *
 * Every command targets `--database-url` (or DATABASE_URL), else the embedded PGlite persisted to
 * `--pglite-dir` (or ERPKIT_PGLITE_DIR), else an in-memory PGlite (only useful as a smoke test).
 * The platform's migrations always run first; then the chosen modules' (all by default), in the order
 * of `modules` below, whatever the order of the flags.
 */
import { Config, Console, Effect, type Layer, Option } from "effect"
import { CliError, Command, Flag } from "effect/cli"
import type { SqlClient } from "effect/sql"
import { billingModule } from "./billing/index.ts"
import { identityModule } from "./identity/index.ts"
import * as Migrations from "./Migrations.ts"
import * as Postgres from "./Postgres.ts"

/** The context modules the CLI knows, in the order their migrations run (after the platform's). */
export const modules = { identity: identityModule, billing: billingModule } as const

type ModuleName = keyof typeof modules
const moduleNames = Object.keys(modules) as ReadonlyArray<ModuleName>

/** The migration sets to act on: the platform, then the chosen modules (all when none is named). */
export const selectSets = (chosen: ReadonlyArray<ModuleName>): ReadonlyArray<Migrations.MigrationSet> =>
  Postgres.migrationSets(
    moduleNames.filter((name) => chosen.length === 0 || chosen.includes(name)).map((name) => modules[name])
  )

const nonEmpty = (value: Option.Option<string>) => Option.filter(value, (v) => v.trim() !== "")

/** Flags every `migrate` command shares (accepted before or after `status`). */
const sharedFlags = {
  module: Flag.Literals("module", moduleNames).pipe(
    Flag.atLeast(0),
    Flag.withDescription(
      `a module to migrate (repeatable; default all: ${moduleNames.join(", ")}); the platform always runs`
    )
  ),
  databaseUrl: Flag.String("database-url").pipe(
    Flag.withFallbackConfig(Config.String("DATABASE_URL")),
    Flag.optional,
    Flag.map(nonEmpty),
    Flag.withDescription("a PostgreSQL server (default: $DATABASE_URL)")
  ),
  pgliteDir: Flag.Directory("pglite-dir").pipe(
    Flag.withFallbackConfig(Config.String("ERPKIT_PGLITE_DIR")),
    Flag.optional,
    Flag.map(nonEmpty),
    Flag.withDescription("the embedded PGlite's data directory, when no server is given (default: $ERPKIT_PGLITE_DIR)")
  )
}

type Target = { readonly databaseUrl: Option.Option<string>; readonly pgliteDir: Option.Option<string> }

/** The target as printed: a server (password hidden) or the embedded database. */
export const describeTarget = (target: Target): string =>
  Option.match(target.databaseUrl, {
    onSome: (url) => `server ${url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")}`,
    onNone: () =>
      Option.match(target.pgliteDir, { onSome: (dir) => `embedded (${dir})`, onNone: () => "embedded (in memory)" })
  })

/**
 * Runs `effect` with a `SqlClient` on the target (migrations off: the command decides what runs). Any
 * failure, or defect such as PGlite not being installed, becomes a `UserError`: the CLI prints its
 * message and exits 1.
 */
const onTarget = <A, E>(target: Target, effect: Effect.Effect<A, E, SqlClient.SqlClient>) => {
  const database: Layer.Layer<Postgres.PlatformServices, Postgres.LayerError> = Option.match(target.databaseUrl, {
    onSome: (url) => Postgres.layer({ url, maxConnections: 1 }, { migrate: false }),
    onNone: () =>
      Postgres.layerEmbedded(
        Option.match(target.pgliteDir, { onSome: (dataDir) => ({ dataDir }), onNone: () => ({}) }),
        { migrate: false }
      )
  })
  const failed = (cause: unknown) =>
    new CliError.UserError({ cause, userMessage: `erpkit migrate: ${describeTarget(target)}: ${messageOf(cause)}` })
  return effect.pipe(
    Effect.provide(database),
    Effect.mapError(failed),
    Effect.catchDefect((defect) => Effect.fail(failed(defect)))
  )
}

const messageOf = (cause: unknown): string =>
  typeof cause === "object" && cause !== null && "message" in cause && typeof cause.message === "string" &&
    cause.message !== ""
    ? cause.message
    : String(cause)

const refs = (status: ReadonlyArray<Migrations.SetStatus>, which: "applied" | "pending") =>
  status.flatMap((set) => set[which].map((m) => `${set.schema}/${m.id}_${m.name}`))

/** `erpkit migrate` without its handler: the flags, which `status` reads by yielding it. */
const migrateFlags = Command.make("migrate", {
  dryRun: Flag.Boolean("dry-run").pipe(
    Flag.withDefault(false),
    Flag.withDescription("list what would be applied, change nothing")
  )
}).pipe(Command.withSharedFlags(sharedFlags))

/** `erpkit migrate status`: one line per migration, applied `[x]` or pending `[ ]`. */
const status = Command.make("status", {}, () =>
  Effect.gen(function*() {
    const { module, ...target } = yield* migrateFlags
    const sets = yield* onTarget(target, Migrations.status(selectSets(module)))
    const lines = sets.flatMap((
      set
    ) => [
      ...set.applied.map((m) => `  [x] ${set.schema}/${m.id}_${m.name}`),
      ...set.pending.map((m) => `  [ ] ${set.schema}/${m.id}_${m.name}`)
    ])
    yield* Console.log(
      [
        `erpkit migrate status: ${describeTarget(target)}`,
        ...lines,
        `${refs(sets, "applied").length} applied, ${refs(sets, "pending").length} pending`
      ].join("\n")
    )
  })).pipe(Command.withDescription("Show which migrations are applied and which are pending; changes nothing"))

/** `erpkit migrate`: applies what is pending, or with `--dry-run` only lists it. */
const migrate = migrateFlags.pipe(
  Command.withHandler(({ dryRun, module, databaseUrl, pgliteDir }) =>
    Effect.gen(function*() {
      const target = { databaseUrl, pgliteDir }
      const sets = selectSets(module)
      const where = describeTarget(target)
      if (dryRun) {
        const pending = refs(yield* onTarget(target, Migrations.status(sets)), "pending")
        yield* Console.log(
          pending.length === 0
            ? `erpkit migrate: ${where} is up to date`
            : `erpkit migrate --dry-run: ${where}: would apply ${pending.join(", ")}`
        )
        return
      }
      const applied = yield* onTarget(target, Migrations.run(sets))
      yield* Console.log(
        applied.length === 0
          ? `erpkit migrate: ${where} is up to date`
          : `erpkit migrate: ${where}: applied ${applied.join(", ")}`
      )
    })
  ),
  Command.withDescription("Apply pending migrations: the platform's, then each module's (identity, billing)"),
  Command.withSubcommands([status])
)

/** The `erpkit` command line. */
export const command = Command.make("erpkit").pipe(
  Command.withDescription("erpkit's database tooling"),
  Command.withSubcommands([migrate])
)
