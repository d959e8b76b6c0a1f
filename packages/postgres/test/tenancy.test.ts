import { describe, expect, layer } from "@effect/vitest"
import { randomUUID } from "node:crypto"
import { Cause, Effect, Exit } from "effect"
import * as fc from "fast-check"
import { Errors, Outbox, UnitOfWork, type DomainEvent } from "@erpkit/kernel"
import { actor } from "@erpkit/kernel/testing"
import { PgDatabase } from "../src/Database.ts"
import * as SqlState from "../src/SqlState.ts"
import { createItem, grants, Items, testModule } from "./fixtures.ts"
import { freshTenant, targets } from "./targets.ts"
import { leaks, seenBy } from "./billing/isolation.ts"

const item = (code: string, note = "") => ({ id: randomUUID(), code, note, quantity: 0 })

/** Strings Postgres text can hold: anything but U+0000, including quotes, backslashes, emoji, SQL. */
const storableString = fc.string({ unit: "binary", maxLength: 40 }).filter((s) => !s.includes("\u0000"))

const sqlFragments = [
  "'",
  "''",
  "\"",
  "\\",
  "'; DROP TABLE testctx.items; --",
  "$$",
  "$1",
  "%s",
  "/* x */",
  "\\x00",
  "E'\\n'",
  "ROLLBACK;",
  "\t\n\r"
]

for (const target of targets("tenancy.test.ts")) {
  describe(target.name, () => {
    layer(target.layer({ modules: [testModule], grants }), { excludeTestServices: true, timeout: "120 seconds" })(
      "tenancy and RLS",
      (it) => {
        it.effect("TEN-01 a raw query through the app role with another tenant's setting sees zero rows", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const a = freshTenant()
            const b = freshTenant()
            yield* Items.use((r) => r.insert(a, item("A-secret")))
            yield* createItem(actor(["Sales Manager"], a), { code: "A-2", note: "" })
            const count = (table: string) =>
              db.sql<{ n: number }>`SELECT count(*)::int AS n FROM ${
                db.sql.literal(table)
              } WHERE organization_id = ${a.organizationId}`
            for (const table of ["testctx.items", "platform.outbox", "platform.audit_log"]) {
              const asB = yield* db.inTenant(b)(SqlState.orDie(count(table)))
              const noTenant = yield* db.transaction(SqlState.orDie(count(table)))
              const owner = yield* SqlState.orDie(count(table)) // the login itself (superuser here) bypasses RLS
              expect([table, asB[0]!.n, noTenant[0]!.n]).toEqual([table, 0, 0])
              expect(owner[0]!.n).toBeGreaterThan(0)
            }
          }))

        it.effect("TEN-01 RLS alone: a bare SELECT as erpkit_app sees only the bound tenant, no other org/space", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const a = freshTenant()
            const b = freshTenant() // another organization
            const c = { ...freshTenant(), organizationId: a.organizationId } // same organization, another workspace
            yield* Items.use((r) =>
              Effect.forEach([a, b, c], (t, i) => r.insert(t, item(`ws-${i}`)), { discard: true })
            )
            for (const table of ["testctx.items"]) {
              for (const viewer of [a, b, c]) {
                const seen = yield* seenBy(db.sql, table, viewer, true)
                expect(leaks(seen, viewer, true)).toEqual([])
                expect(seen.byTenant[`${viewer.organizationId}/${viewer.workspaceId}`]).toBe(1)
              }
            }
            // controls, each rolled back: the same check sees the leak when RLS is off, and an
            // organization-only policy is caught by the other-workspace viewer alone
            const off = db.sql`ALTER TABLE testctx.items DISABLE ROW LEVEL SECURITY`
            const label = (t: typeof a) => `testctx.items: 1 row(s) of ${t.organizationId}/${t.workspaceId}`
            expect(leaks(yield* seenBy(db.sql, "testctx.items", b, true, off), b, true)).toEqual(
              expect.arrayContaining([label(a), label(c)])
            )
            const orgOnly = Effect.andThen(
              db.sql`DROP POLICY tenant_isolation ON testctx.items`,
              db.sql`
            CREATE POLICY tenant_isolation ON testctx.items TO erpkit_app USING (organization_id =
              platform.current_organization_id())`
            )
            expect(leaks(yield* seenBy(db.sql, "testctx.items", b, true, orgOnly), b, true)).toEqual([])
            expect(leaks(yield* seenBy(db.sql, "testctx.items", c, true, orgOnly), c, true)).toEqual([label(a)])
          }))

        it.effect("TEN-01 UnitOfWork.transactionFor binds the tenant up front: raw statements see only it", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const a = freshTenant()
            const b = freshTenant()
            yield* Items.use((r) => Effect.andThen(r.insert(a, item("only-a")), r.insert(b, item("only-b"))))
            const raw = SqlState.orDie(db.sql<{ code: string; setting: string }>`
            SELECT code, current_setting('erpkit.organization_id') AS setting FROM testctx.items
              WHERE code LIKE 'only-%'`)
            const seen = yield* UnitOfWork.transactionFor(a, raw)
            expect(seen).toEqual([{ code: "only-a", setting: a.organizationId }])
            expect(yield* UnitOfWork.transactionFor(b, raw)).toEqual([{ code: "only-b", setting: b.organizationId }])
          }))

        it.effect("the relay role sees every tenant's outbox but nothing else (no audit, idempotency, context)", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const tenant = freshTenant()
            yield* createItem(
              actor(["Sales Manager"], tenant),
              { code: "R-1", note: "" },
              { idempotencyKey: "relay-priv" }
            )
            const outbox = yield* db.asRelay(
              SqlState.orDie(
                db.sql<
                  { n: number }
                >`SELECT count(*)::int AS n FROM platform.outbox WHERE organization_id = ${tenant.organizationId}`
              )
            )
            expect(outbox[0]!.n).toBe(1)
            for (const table of ["platform.audit_log", "platform.idempotency_keys", "testctx.items"]) {
              const exit = yield* Effect.exit(db.asRelay(db.sql`SELECT 1 FROM ${db.sql.literal(table)} LIMIT 1`))
              const [error] = Exit.isFailure(exit) ? SqlState.findSqlErrors(exit.cause) : []
              expect([table, error === undefined ? "allowed" : SqlState.sqlState(error)]).toEqual([table, "42501"])
            }
          }))

        it.effect("TEN-01 a write for another tenant is rejected by the policy's WITH CHECK", () =>
          Effect.gen(function*() {
            const db = yield* PgDatabase
            const a = freshTenant()
            const b = freshTenant()
            const exit = yield* Effect.exit(
              db.inTenant(a)(db.sql`
            INSERT INTO testctx.items (id, organization_id, workspace_id, code, note) VALUES (${randomUUID()},
              ${b.organizationId}, ${b.workspaceId}, 'x', '')`)
            )
            const [error] = Exit.isFailure(exit) ? SqlState.findSqlErrors(exit.cause) : []
            expect(error === undefined ? undefined : SqlState.sqlState(error)).toBe("42501")
            expect(yield* Items.use((r) => r.list(b))).toEqual([])
          }))

        it.effect("TEN-01 for any rows in tenants A and B, statements under A never see B's rows (property)", () =>
          Effect.gen(function*() {
            const context = yield* Effect.context<Items>()
            const run = <A, E>(effect: Effect.Effect<A, E, Items>) =>
              Effect.runPromise(Effect.provideContext(effect, context))
            yield* Effect.promise(() =>
              fc.assert(
                fc.asyncProperty(
                  fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 6 }),
                  fc.uniqueArray(fc.stringMatching(/^[a-z]{1,8}$/), { maxLength: 6 }),
                  async (codesA, codesB) => {
                    const a = freshTenant()
                    const b = freshTenant()
                    const program = Effect.gen(function*() {
                      const items = yield* Items
                      yield* Effect.forEach(codesA, (c) => items.insert(a, item(c)))
                      yield* Effect.forEach(codesB, (c) => items.insert(b, item(c)))
                      return [yield* items.list(a), yield* items.list(b)] as const
                    })
                    const [seenA, seenB] = await run(program)
                    expect(seenA.map((i) => i.code)).toEqual([...codesA].sort(byCode))
                    expect(seenB.map((i) => i.code)).toEqual([...codesB].sort(byCode))
                  }
                ),
                { numRuns: 8 }
              )
            )
          }))

        it.effect("quotes, backslashes, unicode and SQL fragments round-trip verbatim (text and jsonb)", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const samples = [...sqlFragments, ...fc.sample(storableString, { numRuns: 25, seed: 42 })]
            yield* Effect.forEach(
              samples,
              (s, i) => Items.use((r) => r.insert(tenant, item(`k${String(i).padStart(3, "0")}`, s)))
            )
            const back = yield* Items.use((r) => r.list(tenant))
            expect(back.map((x) => x.note)).toEqual(samples)
            const e: DomainEvent.DomainEvent = {
              id: randomUUID() as DomainEvent.DomainEvent["id"],
              type: "t.Strings",
              tenant,
              aggregateType: "S",
              aggregateId: "s",
              occurredAt: 1,
              payload: { samples, [sqlFragments[3]!]: sqlFragments[2]! }
            }
            yield* Outbox.Outbox.use((o) => o.append([e]))
            expect(yield* Outbox.Outbox.use((o) => o.list(tenant))).toEqual([e])
          }))

        it.effect("NUL (U+0000) is rejected before SQL: typed ValidationError from repositories, commands", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const error = yield* Effect.flip(Items.use((r) => r.insert(tenant, item("n", "a\u0000b"))))
            expect(error).toBeInstanceOf(Errors.ValidationError)
            expect((error as Errors.ValidationError).issues[0]?.path).toEqual(["note"])
            const viaCommand = yield* Effect.flip(
              createItem(actor(["Sales Manager"], tenant), { code: "x\u0000", note: "" })
            )
            expect(viaCommand).toBeInstanceOf(Errors.ValidationError)
            expect(yield* Items.use((r) => r.list(tenant))).toEqual([])
          }))

        it.effect("NUL in an event payload is a defect carrying the ValidationError (ports have no error type)", () =>
          Effect.gen(function*() {
            const tenant = freshTenant()
            const e: DomainEvent.DomainEvent = {
              id: randomUUID() as DomainEvent.DomainEvent["id"],
              type: "t.Nul",
              tenant,
              aggregateType: "S",
              aggregateId: "s",
              occurredAt: 1,
              payload: { deep: ["ok", "bad\u0000"] }
            }
            const exit = yield* Effect.exit(Outbox.Outbox.use((o) => o.append([e])))
            const defect = Exit.isFailure(exit) ? Cause.squash(exit.cause) : undefined
            expect(defect).toBeInstanceOf(Errors.ValidationError)
            expect((defect as Errors.ValidationError).issues[0]?.path).toEqual(["events", "0", "payload", "deep", "1"])
            expect(yield* Outbox.Outbox.use((o) => o.list(tenant))).toEqual([])
          }))
      }
    )
  })
}

const byCode = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0)
