/**
 * How a host composes a replaced port with the rest of erpkit in memory:
 *
 * 1. the kernel platform in memory, with the host's `MapStore` enlisted in the unit of work, so a
 *    command's writes to both stores commit together or not at all (`layerPlatform`);
 * 2. billing: every port from memory but `ClientAccountRepository`, which is the Map-backed one, also
 *    for the memory invoice and credit-hold ports that use it (`Billing.layerMemoryWith`);
 * 3. identity: every port from memory but `SessionRepository` (no identity memory port uses another,
 *    so merging the replacement last is enough: in `Layer.merge` the layer merged last wins).
 */
import * as Billing from "@erpkit/billing"
import * as Identity from "@erpkit/identity"
import { Actor, AuditLog, Idempotency, Ids, MemoryStore, Outbox, UnitOfWork } from "@erpkit/kernel"
import { Effect, Layer } from "effect"
import * as MapClientAccountRepository from "./MapClientAccountRepository.ts"
import * as MapSessionRepository from "./MapSessionRepository.ts"
import { MapStore } from "./MapStore.ts"

/** The memory unit of work with the `MapStore` enlisted: the Map store commits first, the memory store last. */
export const layerUnitOfWork: Layer.Layer<UnitOfWork.UnitOfWork, never, MemoryStore.MemoryStore | MapStore> = Layer
  .effect(
    UnitOfWork.UnitOfWork,
    Effect.gen(function*() {
      const memory = yield* UnitOfWork.UnitOfWork
      return UnitOfWork.enlist(memory, yield* MapStore)
    })
  ).pipe(Layer.provide(UnitOfWork.UnitOfWork.layerMemory))

/** Unit of work, outbox, audit log and idempotency in memory, over both stores (which stay visible). */
export const layerPlatform = Layer.mergeAll(
  layerUnitOfWork,
  Outbox.Outbox.layerMemory,
  AuditLog.AuditLog.layerMemory,
  Idempotency.Idempotency.layerMemory
).pipe(Layer.provideMerge(Layer.merge(MemoryStore.MemoryStore.layer, MapStore.layer)))

/** Every billing port: client accounts in the `MapStore`, the others in memory. */
export const layerBillingPorts = Billing.layerMemoryWith(MapClientAccountRepository.layer)

/** A whole billing host: the ports, the platform over both stores, UUIDv7 ids, static grants. */
export const layerBilling = (grants: Actor.Grants = Billing.grants) =>
  layerBillingPorts.pipe(
    Layer.provideMerge(
      Layer.mergeAll(layerPlatform, Ids.IdGenerator.layerUuidV7, Actor.Authorization.layerStatic(grants))
    )
  )

/** Every identity port: sessions in the `MapStore`, the others in memory. */
export const layerIdentityPorts = Layer.merge(Identity.layerMemory, MapSessionRepository.layer)

/**
 * A whole identity host: the ports, the platform over both stores, UUIDv7 ids, tenant-configurable grants, the CSPRNG.
 */
export const layerIdentity = (grants: Actor.Grants = Identity.grants) =>
  Layer.merge(Identity.Roles.layerAuthorization(grants), Identity.SecureRandom.SecureRandom.layerLive).pipe(
    Layer.provideMerge(
      layerIdentityPorts.pipe(Layer.provideMerge(Layer.merge(layerPlatform, Ids.IdGenerator.layerUuidV7)))
    )
  )
