import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts", "src/cli.ts", "src/testing/index.ts"],
  format: ["esm"],
  // Declarations come from `tsc -b` (TypeScript 7 has no compiler API for a d.ts bundler).
  dts: false,
  clean: false,
  sourcemap: true,
  target: "node22"
})
