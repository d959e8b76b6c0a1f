/**
 * `erpkit migrate` as a user runs it: a Node 24 process on the TypeScript source (type stripping),
 * against a persistent embedded database and, when DATABASE_URL is set, a fresh server database.
 */
import { describe, expect, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { targets } from "./targets.ts"

const cli = fileURLToPath(new URL("../src/cli.ts", import.meta.url))

const migrate = (env: Record<string, string>): string =>
  execFileSync(process.execPath, [cli, "migrate"], {
    env: { PATH: process.env["PATH"] ?? "", ...env },
    encoding: "utf8",
    timeout: 60_000
  })

const psqlUrl = (url: string, database: string) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

describe("erpkit migrate (CLI)", () => {
  for (const target of targets("cli.test.ts")) {
    if (target.name === "pglite") {
      it("applies the migrations to ERPKIT_PGLITE_DIR once; the second run finds it up to date", () => {
        const dir = mkdtempSync(join(tmpdir(), "erpkit-pglite-"))
        try {
          expect(migrate({ ERPKIT_PGLITE_DIR: dir })).toContain("applied platform/1_platform")
          expect(migrate({ ERPKIT_PGLITE_DIR: dir })).toContain("is up to date")
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      })
      it("prints usage and exits 2 for an unknown command", () => {
        let status = 0
        try {
          execFileSync(process.execPath, [cli, "frobnicate"], { encoding: "utf8", stdio: "pipe" })
        } catch (error) {
          status = (error as { status: number }).status
        }
        expect(status).toBe(2)
      })
    } else {
      it("applies the migrations to DATABASE_URL once; the second run finds it up to date", () => {
        const admin = process.env["DATABASE_URL"]!
        const name = `erpkit_test_cli_${randomUUID().replaceAll("-", "").slice(0, 12)}`
        const sql = (statement: string) => migrateAdmin(admin, statement)
        sql(`CREATE DATABASE ${name}`)
        try {
          expect(migrate({ DATABASE_URL: psqlUrl(admin, name) })).toContain("server: applied platform/1_platform")
          expect(migrate({ DATABASE_URL: psqlUrl(admin, name) })).toContain("server is up to date")
        } finally {
          sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        }
      })
    }
  }
})

/** One admin statement through a throwaway Node process (keeps this file free of a second client). */
const migrateAdmin = (url: string, statement: string) =>
  execFileSync(process.execPath, ["--input-type=module", "-e", `
    import { Effect, Redacted } from "effect"
    import { SqlClient } from "effect/sql"
    import { PgClient } from "@effect/sql-pg"
    await Effect.runPromise(Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(process.env.STATEMENT).unprepared).pipe(
      Effect.provide(PgClient.layer({ url: Redacted.make(process.env.ADMIN_URL), maxConnections: 1 }))))
  `], { env: { PATH: process.env["PATH"] ?? "", ADMIN_URL: url, STATEMENT: statement }, cwd: fileURLToPath(new URL("..", import.meta.url)), encoding: "utf8" })
