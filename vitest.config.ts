import { existsSync } from "node:fs"
import { defineConfig } from "vitest/config"

// One project per package or example: `vitest run` runs them all, `vitest run --project billing` one.
// The postgres project's global setup provides a real PostgreSQL server for the run: DATABASE_URL
// when set, else an embedded one it starts and stops (packages/postgres/test/global-setup.ts).
const globalSetup: Record<string, Array<string>> = { "packages/postgres": ["test/global-setup.ts"] }
const dirs = [
  "packages/kernel",
  "packages/billing",
  "packages/identity",
  "packages/postgres",
  "examples/quickstart",
  "examples/logistics-app",
  "examples/custom-adapter",
  "examples/http-api",
  "bench",
  "test"
]

export default defineConfig({
  test: {
    projects: dirs.filter((root) => existsSync(root)).map((root) => ({
      test: {
        name: root.split("/").pop()!,
        root,
        include: ["test/**/*.test.ts", "*.test.ts"],
        testTimeout: 120_000,
        hookTimeout: 180_000,
        globalSetup: globalSetup[root] ?? []
      }
    }))
  }
})
