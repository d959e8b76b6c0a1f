import { Layer } from "effect"
import { IdGenerator } from "../src/Ids.ts"
import { layerMemory } from "../src/layers.ts"
import { platformContractSuite } from "../src/testing/index.ts"

platformContractSuite("memory", Layer.merge(layerMemory, IdGenerator.layerSequential()))
