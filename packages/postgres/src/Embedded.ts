/**
 * The embedded database: PGlite (Postgres compiled to WASM, in process) served by
 * `PGLiteSocketServer`, so the very same `@effect/sql-pg` client and adapter code run on it. PGlite is
 * a single session: the pool must use one connection, and LISTEN is not available (the relay polls
 * and is woken in process instead).
 *
 * PGlite accepts any login as superuser without a password, so it is served on a Unix socket inside a
 * fresh private directory (mode 0700): only this OS user can reach it. On Windows, where that is not
 * available, it listens on a random loopback TCP port.
 *
 * PGlite is an optional peer dependency: it is imported here, when an embedded database starts, so a
 * host that only talks to a server never loads (nor needs to install) it.
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { PGlite } from "@electric-sql/pglite"
import type { PGLiteSocketServer } from "@electric-sql/pglite-socket"
import { Effect, type Scope } from "effect"

export interface EmbeddedOptions {
  /** A directory to persist to; omitted: in memory, gone when the scope closes. */
  readonly dataDir?: string
}

/** Where the client connects: a Unix socket path, or a loopback host and port. */
export type EmbeddedEndpoint = { readonly path: string } | { readonly host: string; readonly port: number }

export interface EmbeddedServer {
  readonly endpoint: EmbeddedEndpoint
  readonly db: PGlite
}

const missing = `the embedded database needs PGlite, an optional peer dependency of @erpkit/postgres:
  npm install @electric-sql/pglite @electric-sql/pglite-socket
(or connect to a server: Postgres.layer({ url }), or DATABASE_URL for layerFromEnv and the erpkit CLI)`

/** Loads PGlite and its socket server on first use; a clear error when they are not installed. */
const loadPglite = async () => {
  try {
    const [{ PGlite }, { PGLiteSocketServer }] = await Promise.all([
      import("@electric-sql/pglite"),
      import("@electric-sql/pglite-socket")
    ])
    return { PGlite, PGLiteSocketServer }
  } catch (cause) {
    const code = (cause as { code?: unknown }).code
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") throw new Error(missing, { cause })
    throw cause
  }
}

const listen = async (
  db: PGlite,
  PGLiteSocketServer: typeof import("@electric-sql/pglite-socket").PGLiteSocketServer
): Promise<{ server: PGLiteSocketServer; endpoint: EmbeddedEndpoint; dir?: string }> => {
  if (process.platform === "win32") {
    const server = new PGLiteSocketServer({ db, host: "127.0.0.1", port: 0, maxConnections: 1 })
    await server.start()
    return { server, endpoint: { host: "127.0.0.1", port: Number(server.getServerConn().split(":").pop()) } }
  }
  const dir = mkdtempSync(join(tmpdir(), "erpkit-pglite-"))
  const path = join(dir, ".s.PGSQL.5432")
  const server = new PGLiteSocketServer({ db, path, maxConnections: 1 })
  await server.start()
  return { server, endpoint: { path }, dir }
}

/** Starts PGlite and its socket server for the lifetime of the scope. */
export const start = (options: EmbeddedOptions = {}): Effect.Effect<EmbeddedServer, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(async () => {
      const { PGlite, PGLiteSocketServer } = await loadPglite()
      const db = options.dataDir === undefined
        ? await PGlite.create()
        : await PGlite.create({ dataDir: options.dataDir })
      const { server, endpoint, dir } = await listen(db, PGLiteSocketServer)
      return { endpoint, db, server, dir }
    }),
    ({ db, server, dir }) => Effect.promise(async () => {
      await server.stop()
      await db.close()
      if (dir !== undefined) rmSync(dir, { recursive: true, force: true })
    })
  )
