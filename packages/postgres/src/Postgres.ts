/**
 * Layers that put erpkit on Postgres: the SQL client, `PgDatabase` (unit of work, tenancy, retries),
 * the kernel ports (`UnitOfWork`, `Outbox`, `AuditLog`, `Idempotency`) and the context modules a host
 * adds (each brings its migrations and its repositories).
 *
 *   Postgres.layer({ url })             a server (pool of `maxConnections`, LISTEN/NOTIFY available)
 *   Postgres.layerEmbedded({ dataDir }) PGlite in process (one connection, polling relay; PGlite is an
 *                                       optional peer dependency, loaded only when this layer builds)
 *   Postgres.layerFromEnv()             DATABASE_URL when set, else embedded in memory
 *
 * Migrations run when the layer builds (`migrate: false` to skip); they are idempotent and serialized
 * by an advisory lock.
 */
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { type AuditLog, type Idempotency, type Outbox, UnitOfWork } from "@erpkit/kernel"
import { PgClient } from "@effect/sql-pg"
import type { SqlClient } from "effect/sql"
import type { MigrationError } from "effect/sql/Migrator"
import type { SqlError } from "effect/sql/SqlError"
import { type DatabaseOptions, PgDatabase } from "./Database.ts"
import * as Embedded from "./Embedded.ts"
import * as Migrations from "./Migrations.ts"
import * as PgAuditLog from "./platform/PgAuditLog.ts"
import * as PgIdempotency from "./platform/PgIdempotency.ts"
import * as PgOutbox from "./platform/PgOutbox.ts"
import { ListenCapability } from "./platform/Relay.ts"
import { RelaySignal } from "./platform/RelaySignal.ts"

export type ConnectionConfig = { readonly url: string; readonly maxConnections?: number } | {
  readonly host: string
  readonly port?: number
  readonly database?: string
  readonly username?: string
  readonly password?: string
  readonly ssl?: boolean
  readonly maxConnections?: number
}

/**
 * A bounded context's Postgres adapter: its schema's migrations and a layer of its repositories,
 * built over `PgDatabase` (use `db.inTenant(tenant)` first thing in every repository method); it may
 * use any platform service (the kernel ports included).
 */
export interface PgModule<S = never> {
  readonly name: string
  readonly migrations: Migrations.MigrationSet
  readonly layer: Layer.Layer<S, never, PlatformServices>
}

/** The services one module provides. A naked type parameter, so it distributes over a union of modules. */
export type ServicesOf<P> = P extends PgModule<infer S> ? S : never

/** The services a list of modules provides: the union over every module (of any number of kinds). */
export type ModuleServices<M extends ReadonlyArray<PgModule<any>>> = ServicesOf<M[number]>

export interface LayerOptions<M extends ReadonlyArray<PgModule<any>> = []> extends DatabaseOptions {
  readonly modules?: M
  /** Run pending migrations while the layer builds. Default true. */
  readonly migrate?: boolean
}

/** What `Postgres.layer*` provides besides the modules' services. */
export type PlatformServices =
  | PgClient.PgClient
  | SqlClient.SqlClient
  | PgDatabase
  | RelaySignal
  | ListenCapability
  | UnitOfWork.UnitOfWork
  | Outbox.Outbox
  | AuditLog.AuditLog
  | Idempotency.Idempotency

export type LayerError = SqlError | MigrationError

/** The kernel ports on Postgres, over a `PgDatabase`. */
export const layerPorts = Layer.mergeAll(
  Layer.effect(UnitOfWork.UnitOfWork, Effect.map(PgDatabase, (db) => ({ transaction: db.transaction }))),
  PgOutbox.layer,
  PgAuditLog.layer,
  PgIdempotency.layer
).pipe(Layer.provideMerge(RelaySignal.layer))

/** The migration sets of the platform and the given modules, in order. */
export const migrationSets = (
  modules: ReadonlyArray<PgModule<any>> = []
): ReadonlyArray<Migrations.MigrationSet> => [Migrations.platform, ...modules.map((m) => m.migrations)]

/** Applies pending migrations with the current `SqlClient`; returns what ran. */
export const migrate = (modules: ReadonlyArray<PgModule<any>> = []) => Migrations.run(migrationSets(modules))

const clientConfig = (config: ConnectionConfig): PgClient.PgPoolConfig => {
  const pool = { maxConnections: config.maxConnections ?? 10, applicationName: "erpkit" }
  if ("url" in config) return { ...pool, url: Redacted.make(config.url) }
  return {
    ...pool,
    host: config.host,
    port: config.port ?? 5432,
    database: config.database ?? "postgres",
    username: config.username ?? "postgres",
    ...(config.password === undefined ? {} : { password: Redacted.make(config.password) }),
    ...(config.ssl === undefined ? {} : { ssl: config.ssl })
  }
}

/** Everything above a client layer: migrations, `PgDatabase`, the ports and the modules. */
const platformOver = <M extends ReadonlyArray<PgModule<any>>>(
  client: Layer.Layer<PgClient.PgClient | SqlClient.SqlClient, LayerError>,
  listen: boolean,
  options: LayerOptions<M>
): Layer.Layer<PlatformServices | ModuleServices<M>, LayerError> => {
  const modules = options.modules ?? ([] as unknown as M)
  const migrations = options.migrate === false ? Layer.empty : Layer.effectDiscard(migrate(modules))
  const database = PgDatabase.layer(options)
  const moduleLayers = modules.reduce(
    (acc: Layer.Layer<any, never, any>, m: PgModule<any>) => Layer.merge(acc, m.layer),
    Layer.empty as unknown as Layer.Layer<any, never, any>
  )
  return moduleLayers.pipe(
    Layer.provideMerge(layerPorts),
    Layer.provideMerge(database),
    Layer.provideMerge(Layer.succeed(ListenCapability, { available: listen })),
    Layer.provideMerge(migrations),
    Layer.provideMerge(client)
  ) as Layer.Layer<PlatformServices | ModuleServices<M>, LayerError>
}

/** A Postgres server. */
export const layer = <const M extends ReadonlyArray<PgModule<any>> = []>(
  config: ConnectionConfig,
  options: LayerOptions<M> = {}
) => platformOver(PgClient.layer(clientConfig(config)), true, options)

/** PGlite in process: in memory, or persisted to `dataDir`. */
export const layerEmbedded = <const M extends ReadonlyArray<PgModule<any>> = []>(
  embedded: Embedded.EmbeddedOptions = {},
  options: LayerOptions<M> = {}
) =>
  platformOver(
    Layer.unwrap(
      Effect.map(
        Embedded.start(embedded),
        (server) =>
          PgClient.layer({
            ...server.endpoint,
            username: "postgres",
            database: "postgres",
            maxConnections: 1,
            applicationName: "erpkit"
          })
      )
    ),
    false,
    options
  )

/** `DATABASE_URL` when set, else PGlite in memory (`ERPKIT_PGLITE_DIR` to persist). */
export const layerFromEnv = <const M extends ReadonlyArray<PgModule<any>> = []>(options: LayerOptions<M> = {}) =>
  Layer.unwrap(Effect.gen(function*() {
    const url = yield* Config.option(Config.String("DATABASE_URL"))
    const dir = yield* Config.option(Config.String("ERPKIT_PGLITE_DIR"))
    return Option.isSome(url) && url.value !== ""
      ? layer({ url: url.value }, options)
      : layerEmbedded(Option.isSome(dir) ? { dataDir: dir.value } : {}, options)
  })).pipe(Layer.orDie)
