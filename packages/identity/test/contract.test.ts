/** The identity port contracts on the memory adapters (the reference implementation). */
import { identityContractSuite, layerPortsMemory } from "@erpkit/identity/testing"

identityContractSuite("memory", layerPortsMemory)
