/** The generated parts of docs/ must match the code: run `pnpm run docs` after changing machines or rule tests. */
import { readFileSync } from "node:fs"
import { relative } from "node:path"
import { describe, expect, it } from "vitest"
import { render, root } from "../scripts/docs.ts"

describe("generated docs", async () => {
  const files = await render()
  it("covers docs/rules.md", () => {
    expect([...files.keys()].map((p) => relative(root, p))).toContain("docs/rules.md")
  })
  it.each([...files.entries()].map(([path, content]) => [relative(root, path), content] as const))(
    "%s is up to date (run `pnpm run docs`)",
    (_path, content) => {
      expect(readFileSync(`${root}/${_path}`, "utf8")).toBe(content)
    }
  )
})
