/**
 * The billing ports' contract suite (`@erpkit/billing/testing`) on Postgres: PGlite always, the server
 * when DATABASE_URL is set (the output names the targets that ran).
 */
import { billingContractSuite } from "@erpkit/billing/testing"
import { describe } from "@effect/vitest"
import { billingLayer } from "./billing/support.ts"
import { targets } from "./targets.ts"

for (const target of targets("billing-contract.test.ts")) {
  describe(target.name, () => {
    billingContractSuite(`postgres ${target.name}`, billingLayer(target))
  })
}
