import { describe, expect, it, layer } from "@effect/vitest"
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import * as Migrations from "../src/Migrations.ts"
import { billingModule } from "../src/billing/index.ts"
import { identityModule } from "../src/identity/index.ts"
import * as Postgres from "../src/Postgres.ts"
import { testModule } from "./fixtures.ts"
import { targets } from "./targets.ts"

describe("splitStatements", () => {
  it("splits at top-level semicolons only: quotes, identifiers, dollar quotes and comments keep theirs", () => {
    const script = `
      -- a comment; with a semicolon
      CREATE TABLE "we;ird" (v text DEFAULT 'a;b''c');
      /* block; comment */
      CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $body$ BEGIN PERFORM 1; END $body$;
      DO $$ BEGIN RAISE NOTICE 'x;y'; END $$;
      SELECT 1`
    const statements = Migrations.splitStatements(script)
    expect(statements).toHaveLength(4)
    expect(statements[0]).toContain(`CREATE TABLE "we;ird" (v text DEFAULT 'a;b''c')`)
    expect(statements[1]).toMatch(/^\/\* block; comment \*\/\s+CREATE FUNCTION f\(\).*END \$body\$$/s)
    expect(statements[2]).toBe(`DO $$ BEGIN RAISE NOTICE 'x;y'; END $$`)
    expect(statements[3]).toBe("SELECT 1")
  })

  it("reads the platform migrations from migrations/platform in order", () => {
    expect(Migrations.platform.schema).toBe("platform")
    expect(Migrations.platform.migrations.map((m) => m.id)).toEqual([1])
    expect(Migrations.splitStatements(Migrations.platform.migrations[0]!.sql).length).toBeGreaterThan(40)
  })
})

describe("fromDirectory", () => {
  it("reads nothing until the migrations are asked for, then every NNNN_name.sql file in order", () => {
    const dir = mkdtempSync(join(tmpdir(), "erpkit-migrations-"))
    try {
      const set = Migrations.fromDirectory("lazy", join(dir, "lazy"))
      expect(() => set.migrations).toThrow(/no migrations directory for schema "lazy"/)
      const later = Migrations.fromDirectory("later", dir)
      writeFileSync(join(dir, "0010_tenth.sql"), "SELECT 10")
      writeFileSync(join(dir, "0002_second.sql"), "SELECT 2")
      writeFileSync(join(dir, "notes.md"), "not a migration")
      expect(later.migrations.map((m) => `${m.id}_${m.name}`)).toEqual(["2_second", "10_tenth"])
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })

  it("falls back to the package's own migrations/<schema> when a bundled module's URL points elsewhere", () => {
    const moved = Migrations.fromDirectory(
      "billing",
      new URL("file:///nowhere/node_modules/@erpkit/migrations/billing")
    )
    expect(moved.migrations.map((m) => m.id)).toEqual(billingModule.migrations.migrations.map((m) => m.id))
  })

  it("every shipped folder holds only NNNN_name.sql files with distinct numbers, and each set reads them all", () => {
    const root = fileURLToPath(new URL("../migrations", import.meta.url))
    const sets = Postgres.migrationSets([identityModule, billingModule])
    expect(sets.map((s) => s.schema)).toEqual(["platform", "identity", "billing"])
    expect(readdirSync(root).sort()).toEqual(["billing", "identity", "platform"])
    for (const set of sets) {
      const files = readdirSync(join(root, set.schema))
      expect(files.every((f) => /^\d{4}_[A-Za-z0-9_-]+\.sql$/.test(f)), `${set.schema}: ${files.join(", ")}`).toBe(true)
      expect(new Set(files.map((f) => Number(f.slice(0, 4)))).size, `${set.schema}: duplicate numbers`).toBe(
        files.length
      )
      expect(set.migrations).toHaveLength(files.length)
    }
  })
})

for (const target of targets("migrations.test.ts")) {
  describe(target.name, () => {
    layer(target.layer({ migrate: false }), { excludeTestServices: true, timeout: "120 seconds" })(
      "migrations",
      (it) => {
        it.effect("concurrent migrations of one database apply each migration once; a second run applies nothing", () =>
          Effect.gen(function*() {
            const sets = Postgres.migrationSets([testModule])
            const before = yield* Migrations.status(sets)
            expect(before.map((s) => [s.schema, s.applied.length, s.pending.map((m) => m.id)])).toEqual([
              ["platform", 0, [1]],
              ["testctx", 0, [1]]
            ])
            const runs = yield* Effect.all(Array.from({ length: 4 }, () => Postgres.migrate([testModule])), {
              concurrency: "unbounded"
            })
            expect(runs.flat().sort()).toEqual(["platform/1_platform", "testctx/1_items"])
            expect(yield* Postgres.migrate([testModule])).toEqual([])
            const after = yield* Migrations.status(sets)
            expect(after.map((s) => [s.schema, s.applied, s.pending])).toEqual([
              ["platform", [{ id: 1, name: "platform" }], []],
              ["testctx", [{ id: 1, name: "items" }], []]
            ])
            const sql = yield* SqlClient.SqlClient
            const tables = yield* sql<{ name: string; rls: boolean; forced: boolean }>`
            SELECT c.relnamespace::regnamespace::text || '.' || c.relname AS name, c.relrowsecurity AS rls,
              c.relforcerowsecurity AS forced
            FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace::regnamespace::text IN ('platform', 'testctx')
              ORDER BY 1`
            expect(tables).toEqual([
              { name: "platform.audit_log", rls: true, forced: true },
              { name: "platform.idempotency_keys", rls: true, forced: true },
              { name: "platform.outbox", rls: true, forced: true },
              { name: "platform.outbox_deliveries", rls: true, forced: true },
              { name: "testctx.items", rls: true, forced: true }
            ])
            const roles = yield* sql<{ rolname: string; rolbypassrls: boolean; rolcanlogin: boolean }>`
            SELECT rolname, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname IN ('erpkit_app', 'erpkit_relay')
              ORDER BY 1`
            expect(roles).toEqual([
              { rolname: "erpkit_app", rolbypassrls: false, rolcanlogin: false },
              { rolname: "erpkit_relay", rolbypassrls: false, rolcanlogin: false }
            ])
          }))

        it.effect("re-running the platform SQL itself (not just skipping it) is harmless", () =>
          Effect.gen(function*() {
            const sql = yield* SqlClient.SqlClient
            yield* sql.withTransaction(
              Effect.forEach(
                Migrations.splitStatements(Migrations.platform.migrations[0]!.sql),
                (statement) => sql.unsafe(statement).unprepared,
                { discard: true }
              )
            )
            const count = yield* sql<
              { n: number }
            >`SELECT count(*)::int AS n FROM pg_policies WHERE schemaname = 'platform'`
            expect(count[0]!.n).toBe(6)
          }))
      }
    )
  })
}
