/**
 * Ready-made layers, named as in every erpkit package: `layerMemory` is the kernel's ports in memory
 * (the platform: store, unit of work, outbox, audit log, idempotency), `layerMemoryComplete(grants)`
 * everything a command needs in memory, for tests, examples and hosts that keep state in memory.
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
export const layerMemory = Layer.mergeAll(
  UnitOfWork.layerMemory,
  Outbox.layerMemory,
  AuditLog.layerMemory,
  Idempotency.layerMemory
).pipe(Layer.provideMerge(MemoryStore.layer))

/** Everything a command needs in memory, with UUIDv7 ids and the given role grants. */
export const layerMemoryComplete = (grants: Grants) =>
  Layer.mergeAll(layerMemory, IdGenerator.layerUuidV7, Authorization.layerStatic(grants))
