/**
 * Finds Debian's chromium for the browser test, installing it when allowed: under CI=true, or when
 * ERPKIT_INSTALL_CHROMIUM=1 (a developer's machine is not changed unasked). Without a browser the
 * test is skipped with the reason printed, never silently.
 */
import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"

const path = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium"

/** The path of a chromium binary, or why there is none. */
export const findChromium = (): { readonly path: string } | { readonly skip: string } => {
  if (existsSync(path)) return { path }
  const allowed = process.env["CI"] === "true" || process.env["ERPKIT_INSTALL_CHROMIUM"] === "1"
  if (!allowed) {
    return { skip: `${path} is missing; set ERPKIT_INSTALL_CHROMIUM=1 (or CI=true) to apt-get install chromium` }
  }
  try {
    execFileSync("apt-get", ["install", "-y", "--no-install-recommends", "chromium"], {
      stdio: "inherit",
      timeout: 600_000,
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
    })
  } catch (error) {
    return { skip: `apt-get install chromium failed: ${error instanceof Error ? error.message : String(error)}` }
  }
  return existsSync(path) ? { path } : { skip: `apt-get install chromium did not provide ${path}` }
}
