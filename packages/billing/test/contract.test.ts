import { billingContractSuite, layerTest, partTwoPorts } from "../src/testing/index.ts"

billingContractSuite("memory", layerTest(), { partTwo: partTwoPorts })
