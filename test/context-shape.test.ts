/**
 * "Shape of a context" (docs/architecture.md): every context package has the same files, the same
 * public names, imports only inside itself by relative path, and no arrow runs back up its levels:
 *
 *   domain (entities, values, machines, invariants, errors, events: pure)
 *     ← ports (`*Repository.ts`: services and their memory layers)
 *       ← commands (modules that run `Command.make` / `Command.query`, or use a port)
 *
 * A file's level is read from what it does, not where it sits, so a helper in `internal/` is held to
 * the level of its content. The scanner is checked against a file it must see.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { basename, dirname, join, relative, resolve } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..")
const composers = new Set(["kernel", "postgres", "processes"])
const contexts = readdirSync(join(root, "packages")).filter((p) =>
  !composers.has(p) && existsSync(join(root, "packages", p, "src"))
)

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : []
  })

const relativeImports = (file: string): Array<string> =>
  [...readFileSync(file, "utf8").matchAll(/(?:^|\n)\s*(?:import|export)\s[^"';]*?from\s+["'](\.[^"']+)["']/g)].map((
    m
  ) => m[1]!)

type Level = "domain" | "port" | "command"
const rank: Record<Level, number> = { domain: 0, port: 1, command: 2 }

/** What a source file is, from what it does. */
const levelOf = (file: string): Level => {
  const text = readFileSync(file, "utf8")
  if (/Command\.(make|query)\(/.test(text) || /yield\*\s+\w+Repository\b|\w+Repository\.use\(/.test(text)) {
    return "command"
  }
  if (basename(file).endsWith("Repository.ts") || /extends Context\.Service</.test(text)) return "port"
  // effectful helpers (they read services: ids, clock, defaults) serve commands
  if (/Effect\.(gen|fn|fnUntraced)\(/.test(text)) return "command"
  return "domain"
}

/** The modules every context has, and the names its index exports. */
const requiredFiles = [
  "src/index.ts",
  "src/layers.ts",
  "src/Permissions.ts",
  "src/testing/index.ts",
  "README.md",
  "package.json"
]
const requiredExports = ["layerMemory", "layerMemoryComplete", "grants", "machines"]

describe("shape of a context", () => {
  it.each(contexts)("%s has the required modules, an errors and an events module", (pkg) => {
    const dir = join(root, "packages", pkg)
    expect(requiredFiles.filter((f) => !existsSync(join(dir, f)))).toEqual([])
    const names = readdirSync(join(dir, "src"))
    expect(names.filter((n) => /^[A-Z]\w*Error\.ts$/.test(n)), "one <Context>Error.ts").toHaveLength(1)
    expect(names.filter((n) => /^[A-Z]\w*Event\.ts$/.test(n) && n !== "InvoiceEvent.ts"), "one <Context>Event.ts")
      .toHaveLength(1)
    const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as {
      exports?: Record<string, unknown>
    }
    expect(Object.keys(manifest.exports ?? {}).sort()).toEqual([".", "./testing"])
  })

  it.each(contexts)("%s exports the same kinds of things under the same names", async (pkg) => {
    const api = await import(join(root, "packages", pkg, "src", "index.ts")) as Record<string, unknown>
    expect(requiredExports.filter((name) => !(name in api))).toEqual([])
    expect(typeof api["layerMemoryComplete"]).toBe("function")
    expect(Array.isArray(api["machines"])).toBe(true)
  })

  it.each([...contexts, ...composers].filter((p) => existsSync(join(root, "packages", p, "src"))))(
    "%s imports nothing outside itself by relative path",
    (pkg) => {
      const dir = join(root, "packages", pkg)
      const leaving = sourceFiles(join(dir, "src")).flatMap((file) =>
        relativeImports(file).filter((spec) => relative(dir, resolve(dirname(file), spec)).startsWith("..")).map((
          spec
        ) => `${relative(root, file)} imports ${spec}`)
      )
      expect(leaving).toEqual([])
    }
  )

  it.each(contexts)("%s: no arrow runs back up (domain ← ports ← commands)", (pkg) => {
    const src = join(root, "packages", pkg, "src")
    const files = sourceFiles(src).filter((f) =>
      !f.includes(join("src", "testing")) && !["index.ts", "layers.ts"].includes(basename(f))
    )
    const upward = files.flatMap((file) =>
      relativeImports(file).map((spec) => resolve(dirname(file), spec)).filter((target) =>
        existsSync(target) && rank[levelOf(target)] > rank[levelOf(file)]
      ).map((target) =>
        `${relative(src, file)} (${levelOf(file)}) imports ${relative(src, target)} (${levelOf(target)})`
      )
    )
    expect(upward).toEqual([])
  })

  it("the level scanner sees commands, ports and domain modules", () => {
    const billing = join(root, "packages", "billing", "src")
    expect([
      levelOf(join(billing, "Payment.ts")),
      levelOf(join(billing, "PaymentRepository.ts")),
      levelOf(join(billing, "Payments.ts"))
    ]).toEqual(["domain", "port", "command"])
  })
})
