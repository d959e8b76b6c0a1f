/**
 * CPU profile of erpkit's `recordPayment` alone (no baselines): seeds like run.ts, warms up, then runs
 * `--clients` loops (of `--impl erpkit|hand`) for `--seconds` (`--pin`: the database on a core of its own, as
 * run.ts). Run it under `--cpu-prof` to see where the client CPU goes:
 *
 * npx -y pnpm@10 exec node --cpu-prof --cpu-prof-dir=/tmp/erpkit-prof bench/payments/profile.ts -- --clients 8
 * --seconds 8
 *   npx -y pnpm@10 exec node bench/payments/top.ts /tmp/erpkit-prof/*.cpuprofile --own
 */
import { randomUUID } from "node:crypto"
import * as Erpkit from "./erpkit.ts"
import * as Hand from "./handwritten.ts"
import { arg, benchUrl, ensureDatabase, pinCores, timed } from "./harness.ts"

const clients = Number(arg("clients", "8"))
const seconds = Number(arg("seconds", "8"))
const impl = arg("impl", "erpkit")
const url = benchUrl.toString()

await ensureDatabase()
if (process.argv.includes("--pin")) pinCores()
const rt = Erpkit.runtime(url, clients)
const fixture = await Erpkit.seed(rt, clients, 20)
const hands = impl === "hand" ? await Promise.all(Array.from({ length: clients }, () => Hand.connect(url))) : []
const pay = (c: number, i: number) => {
  const invoiceId = fixture.invoicesByClient[c]![i % 20]!
  return impl === "hand"
    ? Hand.pay(hands[c]!, fixture, invoiceId, 1n, `p-${randomUUID()}`)
    : Erpkit.pay(rt, fixture, invoiceId, `p-${randomUUID()}`)
}
await timed(clients, 2, pay) // warm-up
const cpu0 = process.cpuUsage()
const tps = await timed(clients, seconds, pay)
const cpu = process.cpuUsage(cpu0)
const per = (us: number) => (us / 1000 / (tps * seconds)).toFixed(2)
console.log(
  `${impl}: ${tps.toFixed(0)} tps, client CPU ${per(cpu.user + cpu.system)} ms/tx (user ${per(cpu.user)}, system ${
    per(cpu.system)
  })`
)
await Promise.all(hands.map((h) => h.end()))
await rt.dispose()
process.exit(0)
