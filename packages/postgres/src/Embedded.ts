/**
 * The embedded database: PGlite (Postgres compiled to WASM, in process) served on a loopback port by
 * `PGLiteSocketServer`, so the very same `@effect/sql-pg` client and adapter code run on it. PGlite is
 * a single session: the pool must use one connection, and LISTEN is not available (the relay polls
 * and is woken in process instead).
 */
import { PGlite } from "@electric-sql/pglite"
import { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import { Effect, type Scope } from "effect"

export interface EmbeddedOptions {
  /** A directory to persist to; omitted: in memory, gone when the scope closes. */
  readonly dataDir?: string
}

export interface EmbeddedServer {
  readonly host: string
  readonly port: number
  readonly db: PGlite
}

/** Starts PGlite and its socket server for the lifetime of the scope. */
export const start = (options: EmbeddedOptions = {}): Effect.Effect<EmbeddedServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const db = options.dataDir === undefined ? await PGlite.create() : await PGlite.create({ dataDir: options.dataDir })
      const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 1 })
      await server.start()
      const port = Number(server.getServerConn().split(":").pop())
      return { host: "127.0.0.1", port, db, server }
    }),
    ({ db, server }) => Effect.promise(async () => {
      await server.stop()
      await db.close()
    })
  )
