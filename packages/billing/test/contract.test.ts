import { billingContractSuite, layerTest, workflowPorts } from "../src/testing/index.ts"

billingContractSuite("memory", layerTest(), { workflow: workflowPorts })
