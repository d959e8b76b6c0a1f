/** The README's 20-line example runs as written and ends with a Paid invoice. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { expect, it } from "vitest"

it("the README example runs and pays the invoice", async () => {
  const readme = readFileSync(join(import.meta.dirname, "../../../README.md"), "utf8")
  const snippet = /## In 20 lines\n\n```ts\n([\s\S]*?)```/.exec(readme)?.[1]
  expect(snippet).toBeDefined()
  const lines = snippet!.trimEnd().split("\n")
  expect(lines.length).toBeLessThanOrEqual(22)
  const preamble = [
    `import { tenantA } from "@erpkit/kernel/testing"`,
    `const manager = { userId: "0c000000-0000-7000-8000-0000000000aa", roles: ["Finance Manager"], tenant: tenantA }`,
    `const customerId = "0c000000-0000-7000-8000-0000000000cc"`
  ]
  const body = lines.map((l) =>
    l.replace(/^Effect\.runPromise\((.*)\)$/, "export const run = () => Effect.runPromise($1)")
  )
  const dir = join(import.meta.dirname, "../.readme")
  mkdirSync(dir, { recursive: true })
  const file = join(dir, "snippet.ts")
  writeFileSync(
    file,
    [...body.filter((l) => l.startsWith("import")), ...preamble, ...body.filter((l) => !l.startsWith("import"))].join(
      "\n"
    )
  )
  const module = (await import(file)) as { run: () => Promise<string> }
  expect(await module.run()).toBe("Paid")
})
