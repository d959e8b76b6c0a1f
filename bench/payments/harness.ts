/**
 * What the benchmark (run.ts) and the profiling run (profile.ts) share: command-line options, the
 * benchmark database on the server, and the timed client loops.
 */
import { execFileSync } from "node:child_process"
import { readdirSync, readFileSync } from "node:fs"
import { availableParallelism } from "node:os"
import pg from "pg"

/** The value after `--name` on the command line, else `fallback`. */
export const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback
}

/** DATABASE_URL (default the local test server) names the server; the benchmark uses its own database there. */
export const baseUrl = new URL(process.env["DATABASE_URL"] || "postgres://postgres@127.0.0.1:5432/test")
export const database = process.env["BENCH_DATABASE"] ?? "erpkit_bench"
export const benchUrl = new URL(baseUrl)
benchUrl.pathname = `/${database}`

/** Creates the benchmark database when it is missing. */
export const ensureDatabase = async (): Promise<void> => {
  const admin = new pg.Client({ connectionString: baseUrl.toString() })
  await admin.connect()
  const exists = await admin.query("SELECT 1 FROM pg_database WHERE datname = $1", [database])
  if (exists.rowCount === 0) await admin.query(`CREATE DATABASE "${database.replaceAll("\"", "\"\"")}"`)
  await admin.end()
}

/** Runs `clients` loops of `step` for `seconds`; returns completed transactions per second. */
export const timed = async (
  clients: number,
  seconds: number,
  step: (client: number, i: number) => Promise<unknown>
): Promise<number> => {
  const deadline = performance.now() + seconds * 1000
  const started = performance.now()
  let done = 0
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; performance.now() < deadline; i++) {
      await step(c, i)
      done++
    }
  }))
  return done / ((performance.now() - started) / 1000)
}

/** This machine's `postgres` processes, each with its `/proc/<pid>/stat` line (a server on localhost only). */
export const postgresProcesses = (): Array<{ readonly pid: number; readonly stat: string }> =>
  readdirSync("/proc").filter((pid) => /^\d+$/.test(pid)).flatMap((pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
      return stat.includes("(postgres)") ? [{ pid: Number(pid), stat }] : []
    } catch {
      return [] // process ended
    }
  })

/**
 * `--pin`: this process (and the pgbench it starts) on CPU 0, the local postgres server (postmaster and
 * backends; new backends inherit it) on the other CPUs, as if the database had cores of its own, until
 * this process exits, which gives the server every CPU back. Needs `taskset` and the right to change the
 * server's affinity (root or its owner).
 */
export const pinCores = (): void => {
  const cpus = availableParallelism()
  if (cpus < 2) throw new Error("--pin needs at least 2 CPUs")
  const setAffinity = (list: string, pid: number) =>
    execFileSync("taskset", ["-apc", list, String(pid)], { stdio: "ignore" })
  const server = postgresProcesses()
  if (server.length === 0) throw new Error("--pin needs the postgres server on this machine")
  setAffinity("0", process.pid)
  for (const { pid } of server) setAffinity(`1-${cpus - 1}`, pid)
  process.once("exit", () => {
    for (const { pid } of postgresProcesses()) {
      try {
        setAffinity(`0-${cpus - 1}`, pid)
      } catch {
        // process ended
      }
    }
  })
}
