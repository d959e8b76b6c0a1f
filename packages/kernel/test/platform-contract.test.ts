import { Layer } from "effect"
import { IdGenerator } from "../src/Ids.ts"
import { layerPlatformMemory } from "../src/layers.ts"
import { platformContractSuite } from "../src/testing/index.ts"

platformContractSuite("memory", Layer.merge(layerPlatformMemory, IdGenerator.layerSequential()))
