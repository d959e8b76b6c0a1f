/**
 * The payments benchmark: in ONE run, at 1 and 8 concurrent clients for the same duration each,
 *
 *   (a) pgbench's TPC-B-like built-in script (5 statements on 4 tables),
 *   (b) the payment transaction erpkit performs, hand-written on the `pg` driver (handwritten.ts),
 *   (c) erpkit's `Payments.recordPayment` through `Postgres.layer` + the billing module,
 *
 * in `rounds` interleaved rounds (the order rotates each round); the table shows the median tps and the
 * ratios erpkit / hand-written and erpkit / pgbench from those medians. Round trips per transaction
 * are counted on the wire (wire.ts) before timing; CPU per transaction is this process's
 * (`process.cpuUsage`) and the local postgres processes' (/proc), median over the rounds. `--write` puts the result
 * into docs/performance.md.
 *
 *   npx -y pnpm@10 bench                                   # 10 s per measurement, 3 rounds
 *   npx -y pnpm@10 bench -- --seconds 5 --rounds 1 --clients 1,8 --write
 *   npx -y pnpm@10 bench -- --pin --write   # Node on CPU 0, postgres on the others (harness.ts, pinCores)
 *
 * DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test) names the server; the benchmark uses
 * the database `erpkit_bench` there (BENCH_DATABASE), created when missing.
 */
import { execFileSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import * as os from "node:os"
import * as Erpkit from "./erpkit.ts"
import { arg, benchUrl, database, ensureDatabase, pinCores, postgresProcesses, timed } from "./harness.ts"
import * as Hand from "./handwritten.ts"
import * as Pgbench from "./pgbench.ts"
import * as Wire from "./wire.ts"

const seconds = Number(arg("seconds", process.env["BENCH_SECONDS"] ?? "10"))
const rounds = Number(arg("rounds", process.env["BENCH_ROUNDS"] ?? "3"))
const clientCounts = arg("clients", "1,8").split(",").map(Number)
const write = process.argv.includes("--write")
const only = arg("only", "pgbench,hand,erpkit").split(",")
const pin = process.argv.includes("--pin")
/** The block of docs/performance.md that `--write` replaces: one per core layout. */
const block = pin ? "bench-pinned" : "bench"

const url = benchUrl.toString()

/** CPU seconds used so far by every `postgres` process of this machine (server on localhost only). */
const serverCpu = (): number => {
  let ticks = 0
  for (const { stat } of postgresProcesses()) {
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    ticks += Number(fields[11]) + Number(fields[12]) // utime, stime (fields 14, 15)
  }
  return ticks / 100
}

interface Measured {
  readonly tps: number
  /** CPU milliseconds per transaction: this Node process, and the postgres processes. */
  readonly clientMs: number
  readonly serverMs: number
}

const measured = async (
  count: () => Promise<{ readonly tps: number; readonly seconds: number }>,
  ownCpu: boolean
): Promise<Measured> => {
  const cpu0 = process.cpuUsage()
  const srv0 = serverCpu()
  const { seconds: secs, tps } = await count()
  const cpu = process.cpuUsage(cpu0)
  const n = tps * secs
  return {
    tps,
    clientMs: ownCpu ? (cpu.user + cpu.system) / 1000 / n : NaN,
    serverMs: ((serverCpu() - srv0) * 1000) / n
  }
}

const median = (xs: ReadonlyArray<number>) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

const main = async () => {
  await ensureDatabase()
  if (pin) pinCores() // undone when the process exits
  const maxClients = Math.max(...clientCounts)
  const target: Pgbench.PgbenchTarget = {
    host: benchUrl.hostname,
    port: Number(benchUrl.port || 5432),
    user: decodeURIComponent(benchUrl.username || "postgres"),
    database
  }
  if (only.includes("pgbench")) Pgbench.initialize(target, Math.max(10, maxClients))

  const rt = Erpkit.runtime(url, maxClients)
  console.log(`seeding ${maxClients} accounts × 20 invoices through erpkit …`)
  const fixture = await Erpkit.seed(rt, maxClients, 20)
  const invoice = (c: number, i: number) => fixture.invoicesByClient[c]![i % 20]!
  const hands = await Promise.all(Array.from({ length: maxClients }, () => Hand.connect(url)))

  const withSeconds = (p: Promise<number>) => p.then((tps) => ({ tps, seconds }))
  const run = {
    // pgbench's backends exit when it ends, taking their CPU counters along: its CPU is not reported (the pause lets
    // them go before the next measurement starts)
    pgbench: (clients: number) =>
      measured(async () => ({ tps: Pgbench.run(target, clients, seconds), seconds }), false).then(async (
        m
      ) => (await new Promise((r) => setTimeout(r, 1000)), { ...m, serverMs: NaN })),
    hand: (clients: number) =>
      measured(
        () =>
          withSeconds(
            timed(clients, seconds, (c, i) => Hand.pay(hands[c]!, fixture, invoice(c, i), 1n, `h-${randomUUID()}`))
          ),
        true
      ),
    erpkit: (clients: number) =>
      measured(
        () =>
          withSeconds(timed(clients, seconds, (c, i) => Erpkit.pay(rt, fixture, invoice(c, i), `e-${randomUUID()}`))),
        true
      )
  }

  // warm-up: plans cached, pool connections open, JIT warm
  await timed(maxClients, 2, (c, i) => Hand.pay(hands[c]!, fixture, invoice(c, i), 1n, `w-${randomUUID()}`))
  await timed(maxClients, 2, (c, i) => Erpkit.pay(rt, fixture, invoice(c, i), `w-${randomUUID()}`))

  // round trips per transaction, counted on the wire (a separate connection / runtime through the proxy)
  const wire = await Wire.start(benchUrl.hostname, Number(benchUrl.port || 5432))
  const proxied = new URL(url)
  proxied.hostname = "127.0.0.1"
  proxied.port = String(wire.port)
  const handProxied = await Hand.connect(proxied.toString())
  const rtProxied = Erpkit.runtime(proxied.toString(), 1)
  await Erpkit.pay(rtProxied, fixture, invoice(0, 0), `c-${randomUUID()}`)
  await Hand.pay(handProxied, fixture, invoice(0, 0), 1n, `c-${randomUUID()}`)
  wire.reset()
  for (let i = 0; i < 10; i++) await Hand.pay(handProxied, fixture, invoice(0, i), 1n, `c-${randomUUID()}`)
  const handTrips = wire.count() / 10
  wire.reset()
  for (let i = 0; i < 10; i++) await Erpkit.pay(rtProxied, fixture, invoice(0, i), `c-${randomUUID()}`)
  const erpkitTrips = wire.count() / 10
  await handProxied.end()
  await rtProxied.dispose()
  await wire.close()
  console.log(
    `round trips per payment: hand-written ${handTrips}, erpkit ${erpkitTrips} (pgbench TPC-B: 7 = BEGIN + 5 + END)`
  )

  const impls = (["pgbench", "hand", "erpkit"] as const).filter((k) => only.includes(k))
  const results = new Map<string, Array<number>>()
  const cpus = new Map<string, Array<Measured>>()
  for (let r = 0; r < rounds; r++) {
    for (const clients of clientCounts) {
      const order = impls.map((_, k) => impls[(k + r) % impls.length]!)
      for (const impl of order) {
        const m = await run[impl](clients)
        const key = `${impl}/${clients}`
        results.set(key, [...(results.get(key) ?? []), m.tps])
        cpus.set(key, [...(cpus.get(key) ?? []), m])
        console.log(
          `round ${r + 1}  ${impl.padEnd(7)} clients ${clients}: ${m.tps.toFixed(0)} tps, CPU per transaction: client ${
            m.clientMs.toFixed(2)
          } ms, server ${m.serverMs.toFixed(2)} ms`
        )
      }
    }
  }
  const cpuOf = (impl: string, clients: number, f: (m: Measured) => number) => {
    const xs = cpus.get(`${impl}/${clients}`)
    const m = xs === undefined ? NaN : median(xs.map(f))
    return Number.isNaN(m) ? "n/a" : m.toFixed(2)
  }
  await Promise.all(hands.map((h) => h.end()))
  await rt.dispose()

  const med = (impl: string, clients: number) => {
    const xs = results.get(`${impl}/${clients}`)
    return xs === undefined ? NaN : median(xs)
  }
  const fmt = (x: number) => (Number.isNaN(x) ? "–" : x.toFixed(0))
  const ratio = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? "–" : `${(a / b).toFixed(2)}×`)
  const rows = clientCounts.map((c) => {
    const p = med("pgbench", c), h = med("hand", c), e = med("erpkit", c)
    const all = (impl: string) => (results.get(`${impl}/${c}`) ?? []).map((x) => x.toFixed(0)).join(" / ")
    return `| ${c} | ${fmt(p)} (${all("pgbench")}) | ${fmt(h)} (${all("hand")}) | ${fmt(e)} (${all("erpkit")}) | ${
      ratio(e, h)
    } | ${ratio(e, p)} |`
  })
  const table = [
    "| clients | (a) pgbench TPC-B tps | (b) hand-written pg tps | (c) erpkit recordPayment tps " +
    "| erpkit / hand-written | erpkit / pgbench |",
    `|---|---|---|---|---|---|`,
    ...rows
  ].join("\n")
  const cpuTable = [
    `| clients | implementation | round trips / tx | client CPU ms / tx | server CPU ms / tx |`,
    `|---|---|---|---|---|`,
    ...clientCounts.flatMap((c) =>
      impls.map((impl) =>
        `| ${c} | ${impl === "pgbench" ? "(a) pgbench" : impl === "hand" ? "(b) hand-written" : "(c) erpkit"} | ${
          impl === "pgbench" ? 7 : impl === "hand" ? handTrips : erpkitTrips
        } | ${cpuOf(impl, c, (m) => m.clientMs)} | ${cpuOf(impl, c, (m) => m.serverMs)} |`
      )
    )
  ].join("\n")
  const pgVersion = execFileSync("psql", [url, "-Atc", "SHOW server_version"], { encoding: "utf8" }).trim()
  const info = [
    `- date: ${new Date().toISOString()}`,
    `- machine: ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${
      (os.totalmem() / 2 ** 30).toFixed(1)
    } GiB, ${os.platform()} ${os.release()}, Node ${process.version}`,
    `- server: PostgreSQL ${pgVersion} at ${benchUrl.hostname}:${
      benchUrl.port || 5432
    } (same machine), database ${database}`,
    `- cores: ${
      pin
        ? `Node and pgbench on CPU 0, postgres on the other ${os.cpus().length - 1} (--pin)`
        : "shared by Node, pgbench and postgres"
    }`,
    `- ${seconds} s per measurement, ${rounds} round(s) interleaved (order rotated per round), median shown, ` +
    "every round in parentheses",
    `- round trips per transaction (counted on the wire): pgbench 7, hand-written ${handTrips}, erpkit ${erpkitTrips}`,
    `- command: \`npx -y pnpm@10 bench -- --seconds ${seconds} --rounds ${rounds} --clients ${clientCounts.join(",")}${
      pin ? " --pin" : ""
    }${write ? " --write" : ""}\``
  ].join("\n")
  console.log(`\n${table}\n\n${cpuTable}\n\n${info}`)
  if (write) {
    const path = new URL("../../docs/performance.md", import.meta.url)
    const doc = readFileSync(path, "utf8")
    const marked = new RegExp(`<!-- ${block}:start -->[\\s\\S]*<!-- ${block}:end -->`)
    if (!marked.test(doc)) {
      throw new Error(`docs/performance.md has no <!-- ${block}:start --> … <!-- ${block}:end --> block`)
    }
    writeFileSync(
      path,
      doc.replace(marked, `<!-- ${block}:start -->\n${table}\n\n${cpuTable}\n\n${info}\n<!-- ${block}:end -->`)
    )
    console.log("docs/performance.md updated")
  }
}

await main()
process.exit(0)
