/**
 * erpkit quickstart, all in memory: `npx -y pnpm@10 quickstart`.
 */
import { grants, layerMemoryComplete } from "@erpkit/billing"
import { Actor, type Ids } from "@erpkit/kernel"
import { Effect, Layer } from "effect"
import { TestClock } from "effect/testing"
import { runBillingFlow } from "./flow.ts"

const tenant = {
  organizationId: "01000000-0000-7000-8000-000000000001" as Ids.OrganizationId,
  workspaceId: "01000000-0000-7000-8000-000000000002" as Ids.WorkspaceId
}

const program = runBillingFlow(tenant).pipe(
  Effect.provide(Layer.merge(layerMemoryComplete(Actor.mergeGrants(grants)), TestClock.layer()))
)

Effect.runPromise(program).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
