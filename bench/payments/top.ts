/**
 * Summarises a V8 `.cpuprofile` (from `node --cpu-prof`): self time by file and by function, and on
 * request by function including callees (`--inclusive`) or by the nearest frame of erpkit's own code
 * (`--own`). Percentages are of the busy samples (idle left out).
 *
 *   npx -y pnpm@10 exec node bench/payments/top.ts profile.cpuprofile [--n 40] [--inclusive] [--own]
 *
 * Effect runs fibers from its run loop, so "inclusive" time of an Effect program is not on its stack;
 * `--own` attributes each sample to the nearest `packages/<name>/src` frame instead (what our
 * functions cost with the library code they call synchronously), and lists what has no such frame
 * (the Effect runtime, sql-pg, Node) by file.
 */
import { readFileSync } from "node:fs"

interface ProfileNode {
  readonly id: number
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number }
  readonly children?: ReadonlyArray<number>
}
interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

const argv = process.argv
const limit = Number(argv[argv.indexOf("--n") + 1] || 40)
const profile = JSON.parse(readFileSync(argv[2]!, "utf8")) as Profile
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const parentOf = new Map(
  profile.nodes.flatMap((node) => (node.children ?? []).map((child) => [child, node.id] as const))
)

/** Self time per profile node, idle left out. */
const selfTime = (): Map<number, number> => {
  const self = new Map<number, number>()
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)))
  for (const node of profile.nodes) if (node.callFrame.functionName === "(idle)") self.delete(node.id)
  return self
}

/** `effect@4.1.0/internal/effect.js`, `billing/Invoice.ts`, or the file name of Node's own code. */
const fileOf = (url: string): string => {
  const library = /node_modules\/\.pnpm\/([^/]+)\//.exec(url)
  if (library) return `${library[1]!.replace(/_effect@.*$/, "")}/${url.replace(/^.*\/dist\//, "")}`
  const own = /packages\/([^/]+)\/src\/(.+)$/.exec(url)
  return own ? `${own[1]}/${own[2]}` : url === "" ? "(native/gc)" : url.replace(/^.*\//, "")
}

const functionOf = (id: number): string => {
  const frame = byId.get(id)!.callFrame
  return `${frame.functionName || "(anon)"} ${fileOf(frame.url)}:${frame.lineNumber + 1}`
}

const isOwn = (id: number) => /packages\/[^/]+\/src\//.test(byId.get(id)!.callFrame.url)

const stackOf = function*(id: number): Generator<number> {
  for (let at: number | undefined = id; at !== undefined; at = parentOf.get(at)) yield at
}

const add = (totals: Map<string, number>, key: string, time: number) => totals.set(key, (totals.get(key) ?? 0) + time)

const self = selfTime()
const busy = [...self.values()].reduce((a, b) => a + b, 0)

const show = (title: string, totals: Map<string, number>) => {
  console.log(`\n${title}`)
  for (const [key, time] of [...totals].sort((a, b) => b[1] - a[1]).slice(0, limit)) {
    console.log(`${((100 * time) / busy).toFixed(1).padStart(5)}%  ${key}`)
  }
}

const byFile = new Map<string, number>()
const byFunction = new Map<string, number>()
for (const [id, time] of self) {
  add(byFile, fileOf(byId.get(id)!.callFrame.url), time)
  add(byFunction, functionOf(id), time)
}
show("by file (self)", byFile)
show("by function (self)", byFunction)

if (argv.includes("--inclusive")) {
  const inclusive = new Map<string, number>()
  for (const [id, time] of self) {
    for (const key of new Set(Array.from(stackOf(id), functionOf))) add(inclusive, key, time)
  }
  show("by function (inclusive: every function on the stack, once per sample)", inclusive)
}

if (argv.includes("--own")) {
  const nearestOwn = new Map<string, number>()
  const unowned = new Map<string, number>()
  for (const [id, time] of self) {
    const own = Array.from(stackOf(id)).find(isOwn)
    if (own === undefined) add(unowned, fileOf(byId.get(id)!.callFrame.url), time)
    add(nearestOwn, own === undefined ? "(no own frame)" : functionOf(own), time)
  }
  show("by nearest own frame", nearestOwn)
  show("(no own frame), by file", unowned)
}
