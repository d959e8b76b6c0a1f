/**
 * The worker: the relay delivers committed events while the API runs, the jobs run per tenant, and a
 * shutdown loses no event: after it, every event written before is delivered or still pending, and
 * the next process delivers the rest. PGlite persisted to a temporary directory plays the database
 * across the two processes' lifetimes.
 */
import { ClientAccounts } from "@erpkit/billing"
import { type Actor, type Ids, Outbox, type Tenant, UnitOfWork } from "@erpkit/kernel"
import { OutboxRelay, Postgres, Relay } from "@erpkit/postgres"
import { Deferred, Effect, Layer, ManagedRuntime } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { TenantDirectory } from "../src/Credentials.ts"
import * as Domain from "../src/domain.ts"
import { layerWorker, runJobsOnce, type WorkerOptions } from "../src/worker.ts"

const dirs: Array<string> = []
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))

const handlerName = "test.recorder"

/** A tenant and an Accounts Manager in it (their commands write `AccountOpened` events). */
const tenantAndManager = (n: number) => {
  const tenant: Tenant.Tenant = {
    organizationId: `01000000-0000-7000-8000-00000000a${String(n).padStart(3, "0")}` as Ids.OrganizationId,
    workspaceId: `01000000-0000-7000-8000-00000000b${String(n).padStart(3, "0")}` as Ids.WorkspaceId
  }
  const manager: Actor.Actor = {
    userId: "0e000000-0000-7000-8000-00000000a003" as Ids.UserId,
    roles: ["Accounts Manager"],
    tenant
  }
  return { tenant, manager }
}

/**
 * Runs a first process with the worker (its handler given), writes 30 events, waits for `ready`,
 * stops it; then a second process inspects the deliveries and drains the rest with a recorder.
 */
const stopAndRestart = async (
  n: number,
  options: WorkerOptions,
  firstHandler: (seen: Deferred.Deferred<void>) => Relay.OutboxHandler
) => {
  const dataDir = mkdtempSync(join(tmpdir(), "erpkit-worker-"))
  dirs.push(dataDir)
  const domain = () => Domain.layerOver(Postgres.layerEmbedded({ dataDir }, { modules: Domain.modules }))
  const { manager, tenant } = tenantAndManager(n)
  const seen = Deferred.makeUnsafe<void>()
  const first = ManagedRuntime.make(
    layerWorker({ ...options, handlers: [firstHandler(seen)] }).pipe(Layer.provideMerge(domain()))
  )
  await first.runPromise(Effect.gen(function*() {
    yield* (yield* TenantDirectory).add(tenant)
    yield* runJobsOnce
    yield* Effect.forEach(
      Array.from({ length: 30 }, () => crypto.randomUUID()),
      (customerId) => ClientAccounts.openAccount(manager, { customerId, currency: "KZT" }),
      { discard: true }
    )
    yield* Deferred.await(seen) // the relay is at work when the process stops
  }))
  await first.dispose()

  const deliveredLater: Array<string> = []
  const recorder: Relay.OutboxHandler = {
    name: handlerName,
    handle: (event) => Effect.sync(() => void deliveredLater.push(event.id))
  }
  const second = ManagedRuntime.make(Relay.layerManual({ handlers: [recorder] }).pipe(Layer.provideMerge(domain())))
  const report = await second.runPromise(Effect.gen(function*() {
    const events = yield* UnitOfWork.transactionFor(tenant, Outbox.Outbox.use((o) => o.list(tenant)))
    const relay = yield* OutboxRelay
    const states = yield* Effect.forEach(
      events,
      (event) =>
        Effect.map(relay.deliveries(event.id), (rows) => ({ id: event.id, statuses: rows.map((r) => r.status) }))
    )
    yield* relay.drain(50)
    return { events: events.map((e) => e.id), states }
  }))
  await second.dispose()
  return { ...report, deliveredLater }
}

describe("http-api: the worker", () => {
  it("graceful stop: events are delivered while it runs and by the final drain; none is left or lost", async () => {
    const deliveredBefore = new Set<string>()
    const result = await stopAndRestart(1, { pollInterval: "50 millis", jobInterval: "1 hour" }, (seen) => ({
      name: handlerName,
      handle: (event) =>
        Effect.andThen(Effect.sync(() => void deliveredBefore.add(event.id)), Deferred.succeed(seen, undefined))
    }))
    expect(result.events).toHaveLength(30)
    expect(result.states.every((s) => s.statuses.every((status) => status === "delivered"))).toBe(true)
    expect(deliveredBefore).toEqual(new Set(result.events))
    expect(result.deliveredLater).toEqual([])
  })

  it("a stop mid-delivery (a stuck handler): every event stays pending and the next process delivers all", async () => {
    const result = await stopAndRestart(2, {
      pollInterval: "50 millis",
      jobInterval: "1 hour",
      drainOnStopTimeout: "200 millis",
      relay: { leaseMillis: 1 } // the claims of the stopped process are due again at once
    }, (seen) => ({ name: handlerName, handle: () => Effect.andThen(Deferred.succeed(seen, undefined), Effect.never) }))
    expect(result.events).toHaveLength(30)
    for (const { statuses } of result.states) expect(statuses.every((status) => status === "pending")).toBe(true)
    expect(new Set(result.deliveredLater)).toEqual(new Set(result.events))
  })
})
