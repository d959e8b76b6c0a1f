/**
 * Test helpers: deterministic ids, fixed tenants and actors, a memory platform wired for tests.
 */
import { Layer } from "effect"
import { type Actor, type Grants, type Role, Authorization } from "../Actor.ts"
import { IdGenerator, type OrganizationId, type UserId, type WorkspaceId } from "../Ids.ts"
import { layerMemory } from "../layers.ts"
import type { Tenant } from "../Tenant.ts"

export const tenantA: Tenant = {
  organizationId: "0a000000-0000-7000-8000-00000000000a" as OrganizationId,
  workspaceId: "0a000000-0000-7000-8000-0000000000aa" as WorkspaceId
}
export const tenantB: Tenant = {
  organizationId: "0b000000-0000-7000-8000-00000000000b" as OrganizationId,
  workspaceId: "0b000000-0000-7000-8000-0000000000bb" as WorkspaceId
}

let userCounter = 0
/** An actor with the given roles in `tenant` (tenant A by default). */
export const actor = (roles: ReadonlyArray<Role>, tenant: Tenant = tenantA): Actor => ({
  userId: `0c000000-0000-7000-8000-${(++userCounter).toString(16).padStart(12, "0")}` as UserId,
  roles: [...roles],
  tenant
})

/** The memory platform with sequential ids: every run of a test sees the same ids. */
export const layerTestPlatform = (grants: Grants, seed = 0) =>
  Layer.mergeAll(layerMemory, IdGenerator.layerSequential(seed), Authorization.layerStatic(grants))

export { platformContractSuite, type PlatformServices } from "./platformContract.ts"
