import { describe, expect, it, layer } from "@effect/vitest"
import { Effect } from "effect"
import { SqlClient } from "effect/sql"
import * as Migrations from "../src/Migrations.ts"
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

for (const target of targets("migrations.test.ts")) {
  describe(target.name, () => {
    layer(target.layer({ migrate: false }), { excludeTestServices: true, timeout: "120 seconds" })("migrations", (it) => {
      it.effect("concurrent migrations of one database apply each migration once; a second run applies nothing", () =>
        Effect.gen(function*() {
          const runs = yield* Effect.all(Array.from({ length: 4 }, () => Postgres.migrate([testModule])), { concurrency: "unbounded" })
          expect(runs.flat().sort()).toEqual(["platform/1_platform", "testctx/1_items"])
          expect(yield* Postgres.migrate([testModule])).toEqual([])
          const sql = yield* SqlClient.SqlClient
          const tables = yield* sql<{ name: string; rls: boolean; forced: boolean }>`
            SELECT c.relnamespace::regnamespace::text || '.' || c.relname AS name, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced
            FROM pg_class c WHERE c.relkind = 'r' AND c.relnamespace::regnamespace::text IN ('platform', 'testctx') ORDER BY 1`
          expect(tables).toEqual([
            { name: "platform.audit_log", rls: true, forced: true },
            { name: "platform.idempotency_keys", rls: true, forced: true },
            { name: "platform.outbox", rls: true, forced: true },
            { name: "platform.outbox_deliveries", rls: true, forced: true },
            { name: "testctx.items", rls: true, forced: true }
          ])
          const roles = yield* sql<{ rolname: string; rolbypassrls: boolean; rolcanlogin: boolean }>`
            SELECT rolname, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname IN ('erpkit_app', 'erpkit_relay') ORDER BY 1`
          expect(roles).toEqual([
            { rolname: "erpkit_app", rolbypassrls: false, rolcanlogin: false },
            { rolname: "erpkit_relay", rolbypassrls: false, rolcanlogin: false }
          ])
        }))

      it.effect("re-running the platform SQL itself (not just skipping it) is harmless", () =>
        Effect.gen(function*() {
          const sql = yield* SqlClient.SqlClient
          yield* sql.withTransaction(Effect.forEach(
            Migrations.splitStatements(Migrations.platform.migrations[0]!.sql),
            (statement) => sql.unsafe(statement).unprepared,
            { discard: true }
          ))
          const count = yield* sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_policies WHERE schemaname = 'platform'`
          expect(count[0]!.n).toBe(6)
        }))
    })
  })
}
