/**
 * The workflow contract of billing's ports (`workflowContractTests(workflowPorts)`: rate cards,
 * surcharges, quotes, disputes, documents, accounting syncs, billing runs) on Postgres: PGlite always,
 * the server when DATABASE_URL is set. `billing-contract.test.ts` runs the core contract; together they
 * are `billingContractSuite(name, layer, { workflow: workflowPorts })`.
 */
import { workflowContractTests, workflowPorts } from "@erpkit/billing/testing"
import { describe, layer } from "@effect/vitest"
import { billingLayer } from "./billing/support.ts"
import { targets } from "./targets.ts"

for (const target of targets("billing-workflow-contract.test.ts")) {
  describe(target.name, () => {
    layer(billingLayer(target), { excludeTestServices: true, timeout: "120 seconds" })(
      `billing workflow ports contract: postgres ${target.name}`,
      (it) => {
        for (const [title, test] of workflowContractTests(workflowPorts)) it.effect(title, () => test)
      }
    )
  })
}
