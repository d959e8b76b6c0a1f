import { defineConfig } from "tsup"

export default defineConfig({
  entry: ["src/index.ts", "src/testing/index.ts"],
  format: ["esm"],
  // Declarations come from `tsc -b` (TypeScript 7 has no compiler API for a d.ts bundler).
  dts: false,
  // Clears stale chunks from earlier builds (they would be published); keeps tsc's declarations.
  clean: ["!types/**"],
  sourcemap: true,
  // The oldest Node of `engines` (test/pack.test.ts runs the packed build on the system Node).
  target: "node20"
})
