/**
 * Test targets for any suite that should run on Postgres (this package's tests, the contexts' contract
 * suites): PGlite, and a real server, each with a database of its own per test file, so parallel files
 * never collide: a fresh in-memory PGlite, or `CREATE DATABASE erpkit_test_<random>` dropped (FORCE)
 * when the layer is released. The server is DATABASE_URL when set, else the embedded PostgreSQL the
 * postgres project's global setup (`test/global-setup.ts`) started for the run and named in
 * ERPKIT_TEST_SERVER_URL. Concurrency and fault suites take `serverTarget`, which fails loudly
 * rather than fall back to PGlite (one connection: it would serialize every race away).
 *
 *   for (const target of targets("billing-contract.test.ts")) {
 *     layer(target.layer({ modules: [billingModule], grants }), { excludeTestServices: true })(target.name, (it) => …)
 *   }
 */
import { randomUUID } from "node:crypto"
import { Effect, Layer, Redacted } from "effect"
import { Actor, Ids, type Tenant } from "@erpkit/kernel"
import { PgClient } from "@effect/sql-pg"
import { SqlClient } from "effect/sql"
import * as Postgres from "../Postgres.ts"

export interface Target {
  readonly name: "pglite" | "server"
  readonly label: string
  /** The platform (and the given modules) on a database of its own, plus ids and static grants. */
  readonly layer: <const M extends ReadonlyArray<Postgres.PgModule<any>> = []>(
    options?: Postgres.LayerOptions<M> & { readonly grants?: Actor.Grants }
  ) => Layer.Layer<Postgres.PlatformServices | Postgres.ModuleServices<M> | Ids.IdGenerator | Actor.Authorization>
}

/** The server to test against and how to name it: DATABASE_URL, else the run's embedded server. */
const serverUrl = (): { readonly url: string; readonly origin: string } | undefined => {
  // the global setup sets this (and DATABASE_URL to the same) only when DATABASE_URL was not given
  const embedded = process.env["ERPKIT_TEST_SERVER_URL"]
  if (embedded !== undefined && embedded !== "") {
    return { url: embedded, origin: "embedded PostgreSQL started by the test run" }
  }
  const given = process.env["DATABASE_URL"]
  if (given !== undefined && given !== "") return { url: given, origin: "DATABASE_URL" }
  return undefined
}

const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")

const extras = (grants: Actor.Grants = {}) =>
  Layer.mergeAll(Ids.IdGenerator.layerUuidV7, Actor.Authorization.layerStatic(grants))

const pglite: Target = {
  name: "pglite",
  label: "target=pglite (in-memory PGlite per test file)",
  layer: (options = {}) => Layer.merge(Postgres.layerEmbedded({}, options).pipe(Layer.orDie), extras(options.grants))
}

/** A database created for this test file and dropped (FORCE) when its layer is released. */
const freshDatabase = (url: string) =>
  Effect.gen(function*() {
    const name = `erpkit_test_${randomUUID().replaceAll("-", "").slice(0, 16)}`
    const admin = (statement: string) =>
      Effect.gen(function*() {
        const sql = yield* SqlClient.SqlClient
        yield* sql.unsafe(statement).unprepared
      }).pipe(Effect.provide(PgClient.layer({ url: Redacted.make(url), maxConnections: 1 })), Effect.orDie)
    yield* Effect.acquireRelease(
      admin(`CREATE DATABASE ${name}`),
      () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
    )
    const target = new URL(url)
    target.pathname = `/${name}`
    return target.toString()
  })

const server = (url: string, origin: string): Target => ({
  name: "server",
  label: `target=server ${redact(url)} (${origin}; fresh database per test file)`,
  layer: (options = {}) =>
    Layer.merge(
      Layer.unwrap(
        Effect.map(freshDatabase(url), (fresh) => Postgres.layer({ url: fresh, maxConnections: 12 }, options))
      ).pipe(Layer.orDie),
      extras(options.grants)
    )
})

/**
 * PGlite, and the server (DATABASE_URL or the run's embedded one). Prints which ran. Outside the
 * postgres project's run (no global setup) and without DATABASE_URL, the server target is missing and
 * that is printed too.
 */
export const targets = (file: string): ReadonlyArray<Target> => {
  const s = serverUrl()
  const all = s === undefined ? [pglite] : [pglite, server(s.url, s.origin)]
  for (const t of all) console.log(`[postgres tests] ${file}: ${t.label}`)
  if (s === undefined) {
    console.log(
      `[postgres tests] ${file}: no server (DATABASE_URL unset and no embedded server started): server target not run`
    )
  }
  return all
}

/**
 * The server target alone, for suites that are meaningless on one connection (races, killed
 * backends, roles): throws, failing the file, when there is no server, never falls back to PGlite.
 */
export const serverTarget = (file: string): Target => {
  const s = serverUrl()
  if (s === undefined) {
    throw new Error(
      `${file} needs a real PostgreSQL server: set DATABASE_URL, or run it through vitest's postgres project, ` +
        "whose global setup starts an embedded one"
    )
  }
  const target = server(s.url, s.origin)
  console.log(`[postgres tests] ${file}: ${target.label}`)
  return target
}

/** A tenant no other test uses. */
export const freshTenant = (): Tenant.Tenant => ({
  organizationId: randomUUID() as Tenant.Tenant["organizationId"],
  workspaceId: randomUUID() as Tenant.Tenant["workspaceId"]
})
