/**
 * Summarises a V8 `.cpuprofile`: self time by function and by package, top entries.
 *   node bench/payments/top.ts profile.cpuprofile [--n 40]
 */
import { readFileSync } from "node:fs"

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: Array<number> }
const file = process.argv[2]!
const n = Number(process.argv[process.argv.indexOf("--n") + 1] || 40)
const profile = JSON.parse(readFileSync(file, "utf8")) as { nodes: Array<Node>; samples: Array<number>; timeDeltas: Array<number> }
const byId = new Map(profile.nodes.map((x) => [x.id, x]))
const self = new Map<number, number>()
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
// percentages are of the busy samples (idle left out)
const idle = profile.nodes.filter((x) => x.callFrame.functionName === "(idle)").map((x) => x.id)
for (const id of idle) self.delete(id)
const total = [...self.values()].reduce((a, b) => a + b, 0)
const pkg = (url: string) => {
  const m = /node_modules\/\.pnpm\/([^/]+)\//.exec(url)
  if (m) return `${m[1]!.replace(/_effect@.*$/, "")}/${url.replace(/^.*\/dist\//, "")}`
  const own = /packages\/([^/]+)\/src\/(.+)$/.exec(url)
  return own ? `${own[1]}/${own[2]}` : url === "" ? "(native/gc)" : url.replace(/^.*\//, "")
}
const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v)
const fns = new Map<string, number>()
const pkgs = new Map<string, number>()
for (const [id, t] of self) {
  const f = byId.get(id)!.callFrame
  add(fns, `${f.functionName || "(anon)"} ${pkg(f.url)}:${f.lineNumber + 1}`, t)
  add(pkgs, pkg(f.url), t)
}
const show = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`)
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) console.log(`${(100 * v / total).toFixed(1).padStart(5)}%  ${k}`)
}
// inclusive: every function on a sample's stack, once per sample
const parent = new Map<number, number>()
for (const x of profile.nodes) for (const c of x.children ?? []) parent.set(c, x.id)
const keyOf = (id: number) => {
  const f = byId.get(id)!.callFrame
  return `${f.functionName || "(anon)"} ${pkg(f.url)}:${f.lineNumber + 1}`
}
const inclusive = new Map<string, number>()
for (const [id, t] of self) {
  const seen = new Set<string>()
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) seen.add(keyOf(at))
  for (const k of seen) add(inclusive, k, t)
}
// by the nearest frame of our own code (packages/*/src) on the stack: what our functions cost with the
// library code they call synchronously; "(no own frame)" is the Effect runtime, sql-pg I/O and Node itself
const nearestOwn = new Map<string, number>()
const unowned = new Map<string, number>()
for (const [id, t] of self) {
  let at: number | undefined = id
  while (at !== undefined && !/packages\/[^/]+\/src\//.test(byId.get(at)!.callFrame.url)) at = parent.get(at)
  add(nearestOwn, at === undefined ? "(no own frame)" : keyOf(at), t)
  if (at === undefined) add(unowned, pkg(byId.get(id)!.callFrame.url), t)
}
show("by package", pkgs)
show("by function (self)", fns)
if (process.argv.includes("--inclusive")) show("by function (inclusive)", inclusive)
if (process.argv.includes("--own")) {
  show("by nearest own frame", nearestOwn)
  show("(no own frame), by package", unowned)
}
