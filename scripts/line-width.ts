/**
 * Fails when a tracked source file has a line wider than dprint.json's lineWidth (120), listing each one.
 * dprint wraps code, but leaves long strings, comments and template literals as they are; this catches those.
 * Run: `node scripts/line-width.ts` (part of `pnpm run check`). Columns are counted in code points.
 */
import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"

const root = join(import.meta.dirname, "..")
const config = JSON.parse(readFileSync(join(root, "dprint.json"), "utf8")) as { readonly lineWidth?: number }
const width = config.lineWidth ?? 120

const extensions = /\.(?:ts|tsx|mts|cts|js|jsx|mjs|cjs)$/
const excluded = /^docs\/api\/|(?:^|\/)(?:node_modules|dist)\//

const files = execFileSync("git", ["ls-files", "-z"], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })
  .split("\0").filter((path) => extensions.test(path) && !excluded.test(path))

const over: Array<string> = []
for (const path of files) {
  let text: string
  try {
    text = readFileSync(join(root, path), "utf8")
  } catch {
    continue // deleted in the work tree, not yet in the index
  }
  text.split("\n").forEach((line, i) => {
    const columns = [...line.replace(/\r$/, "")].length
    if (columns > width) over.push(`${path}:${i + 1}: ${columns} columns`)
  })
}

if (over.length > 0) {
  console.error(over.join("\n"))
  console.error(`line-width: ${over.length} line(s) over ${width} columns in ${files.length} files`)
  process.exit(1)
}
console.log(`line-width: no line over ${width} columns in ${files.length} files`)
