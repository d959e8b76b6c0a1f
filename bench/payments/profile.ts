/**
 * CPU profile of erpkit's `recordPayment` alone (no baselines): seeds like run.ts, warms up, then runs
 * `--clients` loops (of `--impl erpkit|hand`) for `--seconds`. Run it under `--cpu-prof` to see where the client CPU goes:
 *
 *   npx -y pnpm@10 exec node --cpu-prof --cpu-prof-dir=/tmp/erpkit-prof bench/payments/profile.ts -- --clients 8 --seconds 8
 *   npx -y pnpm@10 exec node bench/payments/top.ts /tmp/erpkit-prof/*.cpuprofile --own
 */
import { randomUUID } from "node:crypto"
import * as Erpkit from "./erpkit.ts"
import * as Hand from "./handwritten.ts"

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback
}
const clients = Number(arg("clients", "8"))
const seconds = Number(arg("seconds", "8"))
const url = process.env["DATABASE_URL"]?.replace(/\/[^/]*$/, "/erpkit_bench") ?? "postgres://postgres@127.0.0.1:5432/erpkit_bench"

const impl = arg("impl", "erpkit")
const rt = Erpkit.runtime(url, clients)
const fixture = await Erpkit.seed(rt, clients, 20)
const hands = impl === "hand" ? await Promise.all(Array.from({ length: clients }, () => Hand.connect(url))) : []
const pay = (c: number, invoiceId: string, key: string) =>
  impl === "hand" ? Hand.pay(hands[c]!, fixture, invoiceId, 1n, key) : Erpkit.pay(rt, fixture, invoiceId, key)
const loop = async (secs: number) => {
  const deadline = performance.now() + secs * 1000
  let done = 0
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let i = 0; performance.now() < deadline; i++) {
      await pay(c, fixture.invoicesByClient[c]![i % 20]!, `p-${randomUUID()}`)
      done++
    }
  }))
  return done / secs
}
await loop(2)
const cpu0 = process.cpuUsage()
const tps = await loop(seconds)
const cpu = process.cpuUsage(cpu0)
const per = (us: number) => (us / 1000 / (tps * seconds)).toFixed(2)
console.log(`${impl}: ${tps.toFixed(0)} tps, client CPU ${per(cpu.user + cpu.system)} ms/tx (user ${per(cpu.user)}, system ${per(cpu.system)})`)
await Promise.all(hands.map((h) => h.end()))
await rt.dispose()
process.exit(0)
