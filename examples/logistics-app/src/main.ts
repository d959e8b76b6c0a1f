/**
 * erpkit on Postgres: `npx -y pnpm@10 example`.
 *
 * Migrates an embedded PGlite (or the server in DATABASE_URL), runs the quickstart's billing flow
 * against it through the Postgres adapter (row-level security per tenant, outbox, audit log), runs the
 * jobs, prints the ledger, then shows what the outbox and the audit log recorded.
 */
import { grants } from "@erpkit/billing"
import { runBillingFlow } from "@erpkit/example-quickstart/flow"
import { Actor, AuditLog, Ids, Outbox } from "@erpkit/kernel"
import { billingModule, Postgres } from "@erpkit/postgres"
import { Console, Effect, Layer } from "effect"
import { TestClock } from "effect/testing"

const tenant = {
  organizationId: "01000000-0000-7000-8000-000000000001" as Ids.OrganizationId,
  workspaceId: "01000000-0000-7000-8000-000000000002" as Ids.WorkspaceId
}

const database = process.env["DATABASE_URL"]
  ? `PostgreSQL at ${process.env["DATABASE_URL"]}`
  : "embedded PGlite (in memory)"

const program = Effect.gen(function*() {
  yield* Console.log(`erpkit logistics app on ${database}: migrated`)
  const { account } = yield* runBillingFlow(tenant)
  const events = yield* Outbox.Outbox.use((o) => o.list(tenant))
  yield* Console.log(`outbox: ${events.length} events (${[...new Set(events.map((e) => e.type))].join(", ")})`)
  const audit = yield* AuditLog.AuditLog.use((a) => a.byEntity(tenant, "ClientAccount", account.id))
  yield* Console.log(
    `audit log for the account: ${audit.map((e) => `${e.command} [${e.changedFields.join(", ")}]`).join("; ")}`
  )
})

const layer = Postgres.layerFromEnv({ modules: [billingModule] }).pipe(
  Layer.provideMerge(Layer.mergeAll(Ids.IdGenerator.layerUuidV7, Actor.Authorization.layerStatic(grants)))
)

// The flow moves a test clock to show the overdue job; the database layer keeps the real clock.
Effect.runPromise(program.pipe(Effect.provide(TestClock.layer()), Effect.provide(layer))).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
