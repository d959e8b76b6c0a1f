/**
 * The dependency rule of docs/architecture.md: a context package imports only `effect` and
 * `@erpkit/kernel` (its `testing/` folder may add test tools); the kernel imports only `effect` and
 * `@noble/hashes` (the idempotency request hash; docs/architecture.md, Decisions).
 * Contexts never import each other; `postgres` and `processes` compose them.
 */
import { readdirSync, readFileSync, statSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..")
const composers = new Set(["postgres", "processes"])
/** What the kernel may use besides `effect`: the synchronous SHA-256 of idempotency requests. */
const kernelLibraries = ["@noble/hashes"]
const testTools = ["vitest", "@effect/vitest", "fast-check"]
const nodeBuiltinsUsedByTests = ["node:crypto", "node:assert"]

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name)
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith(".ts") ? [path] : []
  })

const importsOf = (file: string): Array<string> =>
  [
    ...readFileSync(file, "utf8").matchAll(
      /(?:^|\n)\s*(?:import|export)\s[^"';]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g
    )
  ].map((m) => (m[1] ?? m[2])!)

const packageRoot = (specifier: string): string =>
  specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : specifier.split("/")[0]!

const allowedFor = (pkg: string, file: string): ReadonlyArray<string> => {
  const base = pkg === "kernel" ? ["effect", ...kernelLibraries] : ["effect", "@erpkit/kernel"]
  // Test helpers may use the test tools and Node built-ins; domain code may not.
  const isTesting = file.includes(join("src", "testing"))
  return isTesting ? [...base, ...testTools, ...nodeBuiltinsUsedByTests] : base
}

const contexts = readdirSync(join(root, "packages")).filter((p) => !composers.has(p))

describe("dependency rule", () => {
  it.each(contexts)("%s imports only effect and @erpkit/kernel", (pkg) => {
    const offending = sourceFiles(join(root, "packages", pkg, "src")).flatMap((file) =>
      importsOf(file).filter((s) => !s.startsWith(".")).filter((s) => !allowedFor(pkg, file).includes(packageRoot(s)))
        .map((s) => `${relative(root, file)} imports ${s}`)
    )
    expect(offending).toEqual([])
  })

  it.each(contexts)("%s declares no runtime dependency on another context", (pkg) => {
    const manifest = JSON.parse(readFileSync(join(root, "packages", pkg, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>
    }
    const deps = Object.keys(manifest.dependencies ?? {})
    const allowed = ["@erpkit/kernel", "effect", ...(pkg === "kernel" ? kernelLibraries : [])]
    expect(deps.filter((d) => !allowed.includes(d))).toEqual([])
  })

  it("finds the imports it checks (the scanner is not blind)", () => {
    const kernelIndex = join(root, "packages", "kernel", "src", "Command.ts")
    expect(importsOf(kernelIndex)).toContain("effect")
  })
})
