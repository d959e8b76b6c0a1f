/**
 * The replaced port alone passes identity's contract: sessions in the host's `MapStore`, every other
 * identity port in memory. `sessionRepositoryContract` is the replaced port's own suite; the whole
 * suite shows the other ports are unaffected.
 */
import { identityContractSuite, sessionRepositoryContract } from "@erpkit/identity/testing"
import { layerIdentity } from "../src/layers.ts"

sessionRepositoryContract("Map-backed SessionRepository", layerIdentity())
identityContractSuite("Map-backed SessionRepository, every other port in memory", layerIdentity())
