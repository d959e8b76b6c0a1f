/**
 * The replaced port alone passes billing's whole contract: client accounts in the host's `MapStore`,
 * every other billing port in memory, one unit of work over both stores.
 */
import { billingContractSuite, workflowPorts } from "@erpkit/billing/testing"
import { layerBilling } from "../src/layers.ts"

billingContractSuite("Map-backed ClientAccountRepository, every other port in memory", layerBilling(), {
  workflow: workflowPorts
})
