/**
 * A tiny context for the tests: the `testctx` schema (one RLS-protected table, a helper that raises
 * chosen SQLSTATEs) packaged as a `PgModule`, an `Items` repository written the way context modules
 * should write theirs, and a `createItem` command built with the kernel's `Command.make`.
 */
import { Context, Effect, Layer, Schema } from "effect"
import { Actor, Command, Errors, Ids, type Tenant } from "@erpkit/kernel"
import { PgDatabase } from "../src/Database.ts"
import type { PgModule } from "../src/Postgres.ts"
import * as SqlState from "../src/SqlState.ts"
import * as Storable from "../src/Storable.ts"

const migration = `
CREATE SCHEMA IF NOT EXISTS testctx;
GRANT USAGE ON SCHEMA testctx TO erpkit_app;
CREATE TABLE IF NOT EXISTS testctx.items (
  id uuid PRIMARY KEY,
  organization_id uuid NOT NULL,
  workspace_id uuid NOT NULL,
  code text NOT NULL,
  note text NOT NULL,
  quantity integer NOT NULL DEFAULT 0 CHECK (quantity >= 0),
  CONSTRAINT items_code_unique UNIQUE (organization_id, workspace_id, code)
);
ALTER TABLE testctx.items ENABLE ROW LEVEL SECURITY;
ALTER TABLE testctx.items FORCE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS tenant_isolation ON testctx.items;
CREATE POLICY tenant_isolation ON testctx.items TO erpkit_app
  USING (organization_id = platform.current_organization_id() AND workspace_id = platform.current_workspace_id())
  WITH CHECK (organization_id = platform.current_organization_id() AND workspace_id = platform.current_workspace_id());
GRANT SELECT, INSERT, UPDATE ON testctx.items TO erpkit_app;
-- Raises SQLSTATE \`code\` while the sequence \`counter\` has been drawn at most \`times\` times; sequences are
-- not transactional, so the count survives the rollbacks it causes.
CREATE OR REPLACE FUNCTION testctx.fail_times(counter regclass, times integer,
  code text) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  IF nextval(counter) <= times THEN
    RAISE EXCEPTION 'injected failure %', code USING ERRCODE = code;
  END IF;
END $$;
GRANT EXECUTE ON FUNCTION testctx.fail_times(regclass, integer, text) TO erpkit_app;
`

export interface Item {
  readonly id: string
  readonly code: string
  readonly note: string
  readonly quantity: number
}

export class Items extends Context.Service<
  Items,
  {
    readonly insert: (
      tenant: Tenant.Tenant,
      item: Item
    ) => Effect.Effect<void, Errors.Conflict | SqlState.ConstraintViolation | Errors.ValidationError>
    readonly list: (tenant: Tenant.Tenant) => Effect.Effect<ReadonlyArray<Item>>
  }
>()("@erpkit/postgres/test/Items") {}

const itemsLayer = Layer.effect(
  Items,
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const sql = db.sql
    return {
      insert: (tenant, item) =>
        db.inTenant(tenant)(Effect.gen(function*() {
          yield* Storable.check(item.code, ["code"])
          yield* Storable.check(item.note, ["note"])
          yield* SqlState.mapWriteErrors(sql`
            INSERT INTO testctx.items (id, organization_id, workspace_id, code, note, quantity)
            VALUES (${item.id}, ${tenant.organizationId}, ${tenant.workspaceId}, ${item.code}, ${item.note},
              ${item.quantity})`)
        })),
      list: (tenant) =>
        db.inTenant(tenant)(SqlState.orDie(sql<Item>`
          SELECT id, code, note, quantity FROM testctx.items
          WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} ORDER BY code`))
    }
  })
)

export const testModule: PgModule<Items> = {
  name: "testctx",
  migrations: { schema: "testctx", migrations: [{ id: 1, name: "items", sql: migration }] },
  layer: itemsLayer
}

export const createPermission = Actor.permission("test.item.create")
export const grants: Actor.Grants = { "Sales Manager": [createPermission] }

/** A hook the tests use to run SQL inside the command's transaction after the insert. */
export const AfterInsert = Context.Reference<(tenant: Tenant.Tenant) => Effect.Effect<void>>(
  "@erpkit/postgres/test/AfterInsert",
  { defaultValue: () => () => Effect.void }
)

export const CreateItemInput = Schema.Struct({
  code: Schema.String,
  note: Schema.String,
  quantity: Schema.optional(Schema.Number),
  /** Fail with a domain error after everything was written. */
  failAfterWrites: Schema.optional(Schema.Boolean)
})

export const createItem = Command.make({
  name: "test.createItem",
  input: CreateItemInput,
  output: Schema.Struct({ id: Schema.String, code: Schema.String }),
  permission: createPermission,
  handler: (input, context) =>
    Effect.gen(function*() {
      const id = yield* Ids.IdGenerator.use((g) => g.next)
      const item = { id, code: input.code, note: input.note, quantity: input.quantity ?? 0 }
      yield* Items.use((items) => items.insert(context.tenant, item))
      const hook = yield* AfterInsert
      yield* hook(context.tenant)
      if (input.failAfterWrites === true) {
        return yield* new Errors.Conflict({ entity: "Item", reason: "failing on purpose after the writes" })
      }
      return {
        result: { id, code: input.code },
        events: [{
          type: "test.ItemCreated",
          aggregateType: "Item",
          aggregateId: id,
          payload: { code: input.code, note: input.note }
        }],
        changes: [{
          entityType: "Item",
          entityId: id,
          action: "CREATE" as const,
          oldValues: null,
          newValues: { code: input.code, note: input.note }
        }]
      }
    })
})
