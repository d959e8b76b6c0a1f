import { billingContractSuite, layerMemory, partTwoPorts } from "../src/testing/index.ts"

billingContractSuite("memory", layerMemory(), { partTwo: partTwoPorts })
