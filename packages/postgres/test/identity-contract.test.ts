/**
 * Every identity port contract (`@erpkit/identity/testing`) on Postgres: PGlite always, the server when
 * DATABASE_URL is set (the harness prints which ran).
 */
import { describe } from "@effect/vitest"
import { identityContractSuite } from "@erpkit/identity/testing"
import { portsLayer, shared } from "./identity/harness.ts"
import { targets } from "./targets.ts"

for (const target of targets("identity-contract.test.ts")) {
  describe(target.name, () => {
    identityContractSuite(`postgres ${target.name}`, shared(portsLayer(target)))
  })
}
