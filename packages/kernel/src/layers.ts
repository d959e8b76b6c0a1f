/**
 * Ready-made layers: the in-memory platform (store, unit of work, outbox, audit log, idempotency) for
 * tests, examples and hosts that keep state in memory.
 */
import { Layer } from "effect"
import { type Grants, Authorization } from "./Actor.ts"
import { AuditLog } from "./AuditLog.ts"
import { Idempotency } from "./Idempotency.ts"
import { IdGenerator } from "./Ids.ts"
import { MemoryStore } from "./MemoryStore.ts"
import { Outbox } from "./Outbox.ts"
import { UnitOfWork } from "./UnitOfWork.ts"

/** Unit of work, outbox, audit log and idempotency over the `MemoryStore` (which stays visible). */
export const layerPlatformMemory = Layer.mergeAll(
  UnitOfWork.layerMemory,
  Outbox.layerMemory,
  AuditLog.layerMemory,
  Idempotency.layerMemory
).pipe(Layer.provideMerge(MemoryStore.layer))

/** Everything a command needs in memory, with UUIDv7 ids and the given role grants. */
export const layerMemory = (grants: Grants) =>
  Layer.mergeAll(layerPlatformMemory, IdGenerator.layerUuidV7, Authorization.layerStatic(grants))
