/**
 * Baseline (a): pgbench's built-in TPC-B-like script (5 statements per transaction) on the same
 * server, same client counts, same duration as the erpkit runs.
 */
import { execFileSync } from "node:child_process"

export interface PgbenchTarget {
  readonly host: string
  readonly port: number
  readonly user: string
  readonly database: string
}

const args = (t: PgbenchTarget) => ["-h", t.host, "-p", String(t.port), "-U", t.user]

/** Creates (once) and initializes the pgbench tables at scale `scale` in `t.database`. */
export const initialize = (t: PgbenchTarget, scale: number): void => {
  try {
    execFileSync("createdb", [...args(t), t.database], { stdio: "ignore" })
  } catch {
    // already exists
  }
  execFileSync("pgbench", [...args(t), "-i", "-q", "-s", String(scale), t.database], { stdio: "ignore" })
}

/** Transactions per second of the TPC-B-like script with `clients` connections for `seconds`. */
export const run = (t: PgbenchTarget, clients: number, seconds: number): number => {
  const out = execFileSync("pgbench", [
    ...args(t),
    "-c",
    String(clients),
    "-j",
    String(Math.min(clients, 2)),
    "-T",
    String(seconds),
    "-M",
    "prepared",
    "-n",
    t.database
  ], { encoding: "utf8" })
  const match = /tps = ([\d.]+) \((?:without initial connection time|excluding connections establishing)\)/.exec(out) ??
    /tps = ([\d.]+)/.exec(out)
  if (!match) throw new Error(`could not read tps from pgbench output:\n${out}`)
  return Number(match[1])
}
