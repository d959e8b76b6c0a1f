/**
 * Test targets for any suite that should run on Postgres (this package's tests, the contexts' contract
 * suites): PGlite always, and the server named by DATABASE_URL when set, each with a database of its
 * own per test file, so parallel files never collide: a fresh in-memory PGlite, or
 * `CREATE DATABASE erpkit_test_<random>` dropped (FORCE) when the layer is released.
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

const databaseUrl = process.env["DATABASE_URL"]

const redact = (url: string): string => url.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@")

const extras = (grants: Actor.Grants = {}) => Layer.mergeAll(Ids.IdGenerator.layerUuidV7, Actor.Authorization.layerStatic(grants))

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
    yield* Effect.acquireRelease(admin(`CREATE DATABASE ${name}`), () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`))
    const target = new URL(url)
    target.pathname = `/${name}`
    return target.toString()
  })

const server = (url: string): Target => ({
  name: "server",
  label: `target=server ${redact(url)} (fresh database per test file)`,
  layer: (options = {}) =>
    Layer.merge(
      Layer.unwrap(Effect.map(freshDatabase(url), (fresh) => Postgres.layer({ url: fresh, maxConnections: 12 }, options))).pipe(Layer.orDie),
      extras(options.grants)
    )
})

/** PGlite always; the server too when DATABASE_URL is set. Prints which ran. */
export const targets = (file: string): ReadonlyArray<Target> => {
  const all = databaseUrl === undefined || databaseUrl === "" ? [pglite] : [pglite, server(databaseUrl)]
  for (const t of all) console.log(`[postgres tests] ${file}: ${t.label}`)
  if (all.length === 1) console.log(`[postgres tests] ${file}: DATABASE_URL not set, server target not run`)
  return all
}

/** A tenant no other test uses. */
export const freshTenant = (): Tenant.Tenant => ({
  organizationId: randomUUID() as Tenant.Tenant["organizationId"],
  workspaceId: randomUUID() as Tenant.Tenant["workspaceId"]
})
