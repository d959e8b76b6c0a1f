/**
 * The kernel's platform contract (the same suite the memory adapter passes), on every target.
 */
import { describe } from "@effect/vitest"
import { platformContractSuite } from "@erpkit/kernel/testing"
import { targets } from "./targets.ts"

for (const target of targets("kernel-contract.test.ts")) {
  describe(target.name, () => {
    platformContractSuite(`postgres ${target.name}`, target.layer())
  })
}
