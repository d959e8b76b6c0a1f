/**
 * The worker that runs next to the API: the outbox relay (every committed domain event delivered at
 * least once to each handler, see docs/postgres.md) and the scheduled jobs (billing's sweeps per
 * tenant, identity's cleanup of expired sessions and codes).
 *
 * Shutdown loses no event: an event is in the outbox from the commit of its command on, so whatever
 * the relay has not delivered when the process stops is still pending there (or its claim's lease
 * runs out) and the next relay delivers it. On a graceful stop the worker also drains once more
 * before the relay and the database close, so what was committed is usually delivered already.
 */
import { Jobs } from "@erpkit/billing"
import { Sessions, Verifications } from "@erpkit/identity"
import { Actor, type DomainEvent, type Tenant } from "@erpkit/kernel"
import { OutboxRelay, Relay } from "@erpkit/postgres"
import { type Duration, Effect, Layer, Schedule } from "effect"
import { TenantDirectory } from "./Credentials.ts"

/** A relay handler: a stable name, the event types it takes, and an idempotent effect per event. */
export type Handler = Relay.OutboxHandler

/** The example's handler: logs the events a mailer would act on (reminders, new users). */
export const mailerLog: Handler = {
  name: "example.mailer-log",
  types: ["billing.InvoiceReminderDue", "identity.UserCreated"],
  handle: (event: DomainEvent.DomainEvent) => Effect.logInfo(`mailer: ${event.type} ${event.id}`)
}

export interface WorkerOptions {
  /** The relay's handlers (default: `mailerLog`). */
  readonly handlers?: ReadonlyArray<Handler>
  /** How often the jobs run (default 1 minute). */
  readonly jobInterval?: Duration.Input
  /** How often the relay polls when nothing wakes it (default 1 second). */
  readonly pollInterval?: Duration.Input
  /** Cycles of the final drain at shutdown (default 10; 0: none). */
  readonly drainOnStopCycles?: number
  /** How long the final drain may take (default 10 seconds): a stuck handler must not block the stop. */
  readonly drainOnStopTimeout?: Duration.Input
  /** Other relay settings (lease, retries, batch size); see `Relay.RelayOptions`. */
  readonly relay?: Omit<Relay.RelayOptions, "handlers" | "pollInterval">
}

/** Billing's sweeps in one tenant, as its system actor (which holds `billing.jobs.run`). */
const billingJobs = (tenant: Tenant.Tenant) => {
  const system = Actor.system(tenant)
  return Effect.all([
    Jobs.markOverdueInvoices(system, {}),
    Jobs.sendInvoiceReminders(system, {}),
    Jobs.expireCreditHolds(system, {}),
    Jobs.expireQuotes(system, {}),
    Jobs.deactivateExpiredRates(system, {})
  ], { discard: true })
}

/** One round of every job; a failing tenant is logged and the others still run. */
export const runJobsOnce = Effect.gen(function*() {
  const tenants = yield* (yield* TenantDirectory).all
  yield* Effect.forEach(
    tenants,
    (tenant) =>
      billingJobs(tenant).pipe(
        Effect.catchCause((cause) => Effect.logError(`billing jobs failed in ${tenant.workspaceId}`, cause))
      ),
    { discard: true }
  )
  yield* Sessions.deleteExpiredSessions
  yield* Verifications.deleteExpiredVerifications
}).pipe(Effect.withSpan("example.jobs"))

/** The jobs on a fixed interval in a scoped fiber (interrupted, between rounds or mid-round, at stop). */
const layerJobs = (interval: Duration.Input) =>
  Layer.effectDiscard(
    Effect.forkScoped(
      Effect.repeat(
        runJobsOnce.pipe(Effect.catchCause((cause) => Effect.logError("jobs round failed", cause))),
        Schedule.spaced(interval)
      )
    )
  )

/**
 * At stop, before the relay's fiber and the database go: one more bounded drain, so what was
 * committed is delivered now rather than by the next process. Anything it does not finish stays pending.
 */
const layerDrainOnStop = (cycles: number, timeout: Duration.Input) =>
  cycles <= 0 ?
    Layer.empty :
    Layer.effectDiscard(
      Effect.addFinalizer(() =>
        OutboxRelay.use((relay) => relay.drain(cycles)).pipe(
          Effect.timeoutOption(timeout),
          Effect.tap((report) =>
            Effect.logInfo(
              report._tag === "Some"
                ? `worker stopping: drained ${report.value.delivered} deliveries`
                : "worker stopping: final drain timed out; the rest stays pending"
            )
          ),
          Effect.catchCause((cause) => Effect.logWarning("final drain failed; undelivered events stay pending", cause))
        )
      )
    )

/** The worker: relay + jobs + the drain at stop. Needs the domain (database, identity, billing). */
export const layerWorker = (options: WorkerOptions = {}) =>
  Layer.mergeAll(
    layerDrainOnStop(options.drainOnStopCycles ?? 10, options.drainOnStopTimeout ?? "10 seconds"),
    layerJobs(options.jobInterval ?? "1 minute")
  ).pipe(
    Layer.provideMerge(
      Relay.layer({
        ...options.relay,
        handlers: options.handlers ?? [mailerLog],
        pollInterval: options.pollInterval ?? "1 second"
      })
    )
  )
