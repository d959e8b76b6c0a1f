/**
 * `erpkit migrate` as the monorepo runs it (`npx -y pnpm@10 migrate`): a Node 24 process on the
 * TypeScript source (type stripping), against a persistent embedded database and, when DATABASE_URL
 * is set, a fresh server database. The published build (`dist/cli.js`) is run by test/pack.test.ts.
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

const every = "platform/1_platform, identity/1_tenancy"

const migrate = (env: Record<string, string>, ...args: ReadonlyArray<string>): string =>
  execFileSync(process.execPath, [cli, "migrate", ...args], {
    env: { PATH: process.env["PATH"] ?? "", ...env },
    encoding: "utf8",
    // Each run boots PGlite: seconds on an idle machine, a minute or more on a loaded one. SIGKILL,
    // because a run stuck inside PGlite's start does not end on SIGTERM.
    timeout: 180_000,
    killSignal: "SIGKILL"
  })

const psqlUrl = (url: string, database: string) => {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

describe("erpkit migrate (CLI)", () => {
  for (const target of targets("cli.test.ts")) {
    if (target.name === "pglite") {
      // Three CLI processes, each booting PGlite; --dry-run and "up to date" are checked on the server.
      it("--module picks modules, the rest follows, status lists each migration", () => {
        const dir = mkdtempSync(join(tmpdir(), "erpkit-pglite-"))
        try {
          expect(migrate({ ERPKIT_PGLITE_DIR: dir }, "--module", "identity")).toMatch(
            new RegExp(`applied ${every}(, identity/\\d+_\\w+)*$`, "m")
          )
          expect(migrate({}, "--pglite-dir", dir)).toMatch(/applied billing\/1_billing(, billing\/\d+_\w+)*$/m)
          const status = migrate({ ERPKIT_PGLITE_DIR: dir }, "status")
          expect(status).toContain("[x] identity/1_tenancy")
          expect(status).toContain("[x] billing/1_billing")
          expect(status).toMatch(/ 0 pending/)
        } finally {
          rmSync(dir, { recursive: true, force: true })
        }
      }, 600_000)
      it("prints usage and exits non-zero for an unknown command", () => {
        let status = 0
        try {
          execFileSync(process.execPath, [cli, "frobnicate"], { encoding: "utf8", stdio: "pipe" })
        } catch (error) {
          status = (error as { status: number }).status
        }
        expect(status).toBe(1)
      })
    } else {
      it("--dry-run changes nothing; migrate applies every module to DATABASE_URL once; then it is up to date", () => {
        const admin = process.env["DATABASE_URL"]!
        const name = `erpkit_test_cli_${randomUUID().replaceAll("-", "").slice(0, 12)}`
        const sql = (statement: string) => migrateAdmin(admin, statement)
        sql(`CREATE DATABASE ${name}`)
        try {
          expect(migrate({ DATABASE_URL: psqlUrl(admin, name) }, "--dry-run", "--module", "billing")).toMatch(
            /would apply platform\/1_platform, billing\/1_billing/
          )
          expect(migrate({ DATABASE_URL: psqlUrl(admin, name) }, "status")).toMatch(
            /\[ \] platform\/1_platform[\s\S]*^0 applied, \d+ pending$/m
          )
          expect(migrate({ DATABASE_URL: psqlUrl(admin, name) })).toMatch(
            new RegExp(`server .*: applied ${every}.*billing/1_billing`)
          )
          expect(migrate({ DATABASE_URL: psqlUrl(admin, name) })).toMatch(/server .* is up to date/)
          expect(migrate({ DATABASE_URL: psqlUrl(admin, name) }, "status")).toMatch(/ 0 pending/)
        } finally {
          sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
        }
      }, 300_000)
    }
  }
})

/** One admin statement through a throwaway Node process (keeps this file free of a second client). */
const migrateAdmin = (url: string, statement: string) =>
  execFileSync(process.execPath, [
    "--input-type=module",
    "-e",
    `
    import { Effect, Redacted } from "effect"
    import { SqlClient } from "effect/sql"
    import { PgClient } from "@effect/sql-pg"
    await Effect.runPromise(
      Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(process.env.STATEMENT).unprepared).pipe(
        Effect.provide(PgClient.layer({ url: Redacted.make(process.env.ADMIN_URL), maxConnections: 1 }))
      )
    )
  `
  ], {
    env: { PATH: process.env["PATH"] ?? "", ADMIN_URL: url, STATEMENT: statement },
    cwd: fileURLToPath(new URL("..", import.meta.url)),
    encoding: "utf8"
  })
