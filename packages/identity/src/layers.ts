/**
 * Ready-made layers, named as in every erpkit context: `layerMemory` is the context's ports in memory
 * (over the kernel `MemoryStore`), `layerMemoryComplete(grants)` the whole in-memory stack a host or
 * example needs (platform, ports, tenant-configurable authorization, secure randomness).
 */
import { Layer } from "effect"
/* oxlint-disable no-unused-vars -- declaration emit names these types */
import {
  type Actor,
  type AuditLog,
  type Idempotency,
  Ids,
  layerMemory as kernelLayerMemory,
  type MemoryStore,
  type Outbox,
  type UnitOfWork
} from "@erpkit/kernel"
/* oxlint-enable no-unused-vars */
import { AccountRepository } from "./AccountRepository.ts"
import { DepartmentRepository } from "./DepartmentRepository.ts"
import { EmployeeRepository } from "./EmployeeRepository.ts"
import { InvitationRepository } from "./InvitationRepository.ts"
import { MembershipRepository } from "./MembershipRepository.ts"
import { OrganizationRepository } from "./OrganizationRepository.ts"
import { RolePermissionRepository } from "./RolePermissionRepository.ts"
import { layerAuthorization } from "./Roles.ts"
import { SecureRandom } from "./SecureRandom.ts"
import { SessionRepository } from "./SessionRepository.ts"
import { SettingRepository } from "./SettingRepository.ts"
import { UserRepository } from "./UserRepository.ts"
import { VerificationRepository } from "./VerificationRepository.ts"
import { WorkspaceRepository } from "./WorkspaceRepository.ts"

/** Every identity port on the `MemoryStore` it is given (share it with the kernel platform layers). */
export const layerMemory = Layer.mergeAll(
  UserRepository.layerMemory,
  SessionRepository.layerMemory,
  AccountRepository.layerMemory,
  VerificationRepository.layerMemory,
  OrganizationRepository.layerMemory,
  WorkspaceRepository.layerMemory,
  EmployeeRepository.layerMemory,
  MembershipRepository.layerMemory,
  InvitationRepository.layerMemory,
  DepartmentRepository.layerMemory,
  SettingRepository.layerMemory,
  RolePermissionRepository.layerMemory
)

/** Every identity port (what an adapter such as `@erpkit/postgres` must provide). */
export type Repositories = Layer.Success<typeof layerMemory>

/** Ports + kernel platform + authorization on one store, with the given id and randomness layers. */
export const layerStack = (
  grants: Actor.Grants,
  ids: Layer.Layer<Ids.IdGenerator>,
  random: Layer.Layer<SecureRandom>
) => {
  const repositories = layerMemory.pipe(Layer.provideMerge(Layer.merge(kernelLayerMemory, ids)))
  return Layer.merge(layerAuthorization(grants), random).pipe(Layer.provideMerge(repositories))
}

/**
 * Everything identity's commands need, in memory, with UUIDv7 ids and the platform CSPRNG. `grants`
 * are the defaults (merge every context's with `Actor.mergeGrants`); tenants override them.
 */
export const layerMemoryComplete = (grants: Actor.Grants) =>
  layerStack(grants, Ids.IdGenerator.layerUuidV7, SecureRandom.layerLive)
