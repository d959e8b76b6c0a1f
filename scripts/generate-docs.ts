/** Writes the generated parts of docs/ (see scripts/docs.ts). Run: `pnpm docs`. */
import { writeFileSync } from "node:fs"
import { relative } from "node:path"
import { render, root } from "./docs.ts"

for (const [path, content] of await render()) {
  writeFileSync(path, content)
  console.log(`wrote ${relative(root, path)}`)
}
