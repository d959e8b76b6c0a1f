import { billingContractSuite, layerMemory } from "../src/testing/index.ts"

billingContractSuite("memory", layerMemory())
