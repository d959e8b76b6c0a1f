/**
 * The contract every implementation of the kernel's platform ports must meet (UnitOfWork, Outbox,
 * AuditLog, Idempotency). Run it against your adapter's layer:
 *
 *   platformContractSuite("postgres", Postgres.layerEmbedded())
 */
import { assert, layer as withLayer, type Vitest } from "@effect/vitest"
import { Effect, Exit, type Layer, Option, Schema } from "effect"
import { AuditLog, type AuditEntry } from "../AuditLog.ts"
import type { DomainEvent } from "../DomainEvent.ts"
import { Idempotency, type IdempotencyKey } from "../Idempotency.ts"
import type { IdGenerator, EventId, UserId } from "../Ids.ts"
import { Outbox } from "../Outbox.ts"
import type { Tenant } from "../Tenant.ts"
import { runFor as transactionFor, UnitOfWork } from "../UnitOfWork.ts"
import { tenantA, tenantB } from "./index.ts"

export type PlatformServices = UnitOfWork | Outbox | AuditLog | Idempotency | IdGenerator

class Boom extends Schema.TaggedError<Boom>()("Boom", {}) {}

const event = (tenant: Tenant, id: string, aggregateId: string): DomainEvent => ({
  id: id as EventId,
  type: "test.Happened",
  tenant,
  aggregateType: "Thing",
  aggregateId,
  occurredAt: 1_700_000_000_000,
  payload: { text: "it's \"quoted\" -- ; DROP TABLE x;", n: 1, nested: { ok: true } }
})

const entry = (tenant: Tenant, id: string, entityId: string, actorId: string): AuditEntry => ({
  id,
  tenant,
  actorId: actorId as UserId,
  command: "test.change",
  entityType: "Thing",
  entityId,
  action: "UPDATE",
  oldValues: { a: 1 },
  newValues: { a: 2 },
  changedFields: ["a"],
  at: 1_700_000_000_000
})

const uuid = (n: number) => `0d000000-0000-7000-8000-${n.toString(16).padStart(12, "0")}`

/** The test API the suite's groups register on: its effects get the platform's services from the layer. */
type PlatformIt = Vitest.MethodsNonLive<PlatformServices>

// One group per port, so each port's expectations read on their own; the suite registers them in a fixed
// order, which keeps the test names and their order in adapters' reports stable.

/** Outbox: appended events are listed per tenant and per aggregate. */
const outboxTests = (it: PlatformIt) => {
  it.effect("Outbox: events appended in a committed unit are listed per tenant, oldest first", () =>
    Effect.gen(function*() {
      const outbox = yield* Outbox
      yield* transactionFor(tenantA, outbox.append([event(tenantA, uuid(1), "a1"), event(tenantA, uuid(2), "a2")]))
      yield* transactionFor(tenantB, outbox.append([event(tenantB, uuid(3), "b1")]))
      const listed = (yield* transactionFor(tenantA, outbox.list(tenantA))).filter((e) => e.aggregateType === "Thing")
      assert.deepStrictEqual(listed.map((e) => e.id), [uuid(1), uuid(2)])
      assert.deepStrictEqual(listed[0]!.payload, event(tenantA, uuid(1), "a1").payload)
      const byAggregate = yield* transactionFor(tenantA, outbox.list(tenantA, { aggregateId: "a2" }))
      assert.deepStrictEqual(byAggregate.map((e) => e.id), [uuid(2)])
    }))
}

/** UnitOfWork: a failed unit, nested or not, rolls back everything written in it. */
const unitOfWorkTests = (it: PlatformIt) => {
  it.effect("UnitOfWork: a failed unit leaves no outbox event, audit entry or idempotency record", () =>
    Effect.gen(function*() {
      const outbox = yield* Outbox
      const audit = yield* AuditLog
      const idem = yield* Idempotency
      const key = "k-rollback" as IdempotencyKey
      const exit = yield* Effect.exit(transactionFor(
        tenantA,
        Effect.gen(function*() {
          yield* outbox.append([event(tenantA, uuid(10), "r")])
          yield* audit.append([entry(tenantA, uuid(11), "r", uuid(99))])
          yield* idem.save(tenantA, key, { command: "c", requestHash: "h", result: { ok: 1 } })
          return yield* new Boom()
        })
      ))
      assert.isTrue(Exit.isFailure(exit))
      const after = yield* transactionFor(
        tenantA,
        Effect.all([
          outbox.list(tenantA, { aggregateId: "r" }),
          audit.byEntity(tenantA, "Thing", "r"),
          idem.find(tenantA, key)
        ])
      )
      assert.deepStrictEqual([after[0].length, after[1].length, Option.isNone(after[2])], [0, 0, true])
    }))

  it.effect("UnitOfWork: nested transactions join the outer one and roll back with it", () =>
    Effect.gen(function*() {
      const outbox = yield* Outbox
      const uow = yield* UnitOfWork
      const exit = yield* Effect.exit(transactionFor(
        tenantA,
        Effect.gen(function*() {
          yield* uow.transaction(outbox.append([event(tenantA, uuid(20), "n")]))
          return yield* new Boom()
        })
      ))
      assert.isTrue(Exit.isFailure(exit))
      assert.strictEqual((yield* transactionFor(tenantA, outbox.list(tenantA, { aggregateId: "n" }))).length, 0)
    }))
}

/** AuditLog: entries are found by entity and by actor, never across tenants. */
const auditLogTests = (it: PlatformIt) => {
  it.effect("AuditLog: entries are queryable by entity and by actor, scoped to the tenant", () =>
    Effect.gen(function*() {
      const audit = yield* AuditLog
      const actorId = uuid(77) as UserId
      yield* transactionFor(
        tenantA,
        audit.append([entry(tenantA, uuid(30), "e1", actorId), entry(tenantA, uuid(31), "e2", actorId)])
      )
      yield* transactionFor(tenantB, audit.append([entry(tenantB, uuid(32), "e1", actorId)]))
      const byEntity = yield* transactionFor(tenantA, audit.byEntity(tenantA, "Thing", "e1"))
      assert.deepStrictEqual(byEntity.map((e) => e.id), [uuid(30)])
      assert.deepStrictEqual(byEntity[0]!.oldValues, { a: 1 })
      const byActor = yield* transactionFor(tenantA, audit.byActor(tenantA, actorId))
      assert.deepStrictEqual(byActor.map((e) => e.id), [uuid(30), uuid(31)])
    }))
}

/** Idempotency: a saved record is found again by its tenant only. */
const idempotencyTests = (it: PlatformIt) => {
  it.effect("Idempotency: a saved record is found again, per tenant", () =>
    Effect.gen(function*() {
      const idem = yield* Idempotency
      const key = "k-1" as IdempotencyKey
      const record = { command: "test.c", requestHash: "abc", result: { value: "x'y\"z", n: 2 } }
      yield* transactionFor(tenantA, idem.save(tenantA, key, record))
      assert.deepStrictEqual(yield* transactionFor(tenantA, idem.find(tenantA, key)), Option.some(record))
      assert.isTrue(Option.isNone(yield* transactionFor(tenantB, idem.find(tenantB, key))))
    }))
}

/** Registers the suite; the layer is built once for it, so adapters pay their start-up cost once. */
export const platformContractSuite = <E>(name: string, layer: Layer.Layer<PlatformServices, E>) =>
  withLayer(layer, { timeout: "120 seconds" })(`kernel platform contract: ${name}`, (it) => {
    outboxTests(it)
    unitOfWorkTests(it)
    auditLogTests(it)
    idempotencyTests(it)
  })
