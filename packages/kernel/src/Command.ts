/**
 * The pipeline every command runs through, so each context writes only its decision logic:
 *
 *   decode actor and input (junk → `ValidationError`, nothing written)
 *   → check the permission (`Forbidden`)
 *   → one unit of work: idempotency lookup → handler → outbox events → audit entries → idempotency record
 *
 * The handler returns its result plus the events it raised and the entities it changed; the pipeline
 * stamps them with the tenant, the actor and the time from `Clock`.
 */
import { Clock, Effect, Option, Schema } from "effect"
import { Actor, Authorization, authorize, type Permission } from "./Actor.ts"
import { AuditLog, type AuditChange, entryFor } from "./AuditLog.ts"
import { type EventDraft, envelope } from "./DomainEvent.ts"
import { Conflict, type Forbidden, fromSchemaIssue, IdempotencyKeyReused, type StorageUnavailable, ValidationError } from "./Errors.ts"
import { Idempotency, IdempotencyKey, type IdempotencyRecord, requestHash } from "./Idempotency.ts"
import { IdGenerator } from "./Ids.ts"
import { Outbox } from "./Outbox.ts"
import { CurrentTenant, type Tenant } from "./Tenant.ts"
import { surfaceStorageFailure, UnitOfWork } from "./UnitOfWork.ts"

export interface CommandContext {
  readonly command: string
  readonly actor: Actor
  readonly tenant: Tenant
  /** UTC epoch milliseconds, read from `Clock` once per attempt. */
  readonly now: number
}

export interface Outcome<A> {
  readonly result: A
  readonly events?: ReadonlyArray<EventDraft>
  readonly changes?: ReadonlyArray<AuditChange>
}

export interface RunOptions {
  /** Same key + same input returns the first result; same key + other input fails with `IdempotencyKeyReused`. */
  readonly idempotencyKey?: string
}

/** Services every command needs besides its own repositories. */
export type CommandServices = UnitOfWork | Authorization | Outbox | AuditLog | Idempotency | IdGenerator

export interface CommandSpec<I, O, E, R> {
  readonly name: string
  readonly input: Schema.Codec<I, unknown>
  readonly output: Schema.Codec<O, unknown>
  /** Omitted only for public commands (e.g. registration, AUTH-01). */
  readonly permission?: Permission
  /**
   * The result carries a one-time secret (a bearer token, a verification code) that is stored nowhere
   * else in plain. With an idempotency key the record then keeps no result, and a replay fails with
   * `Conflict` instead of handing the secret out again: send a new request.
   */
  readonly resultHoldsSecret?: boolean
  readonly handler: (input: I, context: CommandContext) => Effect.Effect<Outcome<O>, E, R>
}

export type Command<O, E, R> = (
  actor: unknown,
  input: unknown,
  options?: RunOptions
) => Effect.Effect<O, E | CommandFailure, R | CommandServices>

/**
 * The failures every command may report besides its own: bad input, a missing permission, an
 * idempotency key sent with another request, a replay of a one-time secret (`Conflict`), and the store
 * being unavailable (`StorageUnavailable`: its `outcome` says whether the command may have taken effect).
 */
export type CommandFailure = ValidationError | Forbidden | IdempotencyKeyReused | Conflict | StorageUnavailable

/** A decoder of untrusted input, built once; any failure is a `ValidationError` whose paths start at `prefix`. */
export const decoder = <A>(schema: Schema.Codec<A, unknown>, prefix: ReadonlyArray<string> = []) => {
  const decodeUnknown = Schema.decodeUnknownEffect(schema)
  const toValidationError = (error: Schema.SchemaError) => {
    const base = fromSchemaIssue(error.issue)
    return new ValidationError({ issues: base.issues.map((i) => ({ ...i, path: [...prefix, ...i.path] })) })
  }
  return (input: unknown) => Effect.mapError(decodeUnknown(input), toValidationError)
}

/** Decodes untrusted input; any failure is a `ValidationError` whose paths start at `prefix`. */
export const decode = <A>(schema: Schema.Codec<A, unknown>, input: unknown, prefix: ReadonlyArray<string> = []) =>
  decoder(schema, prefix)(input)

const decodeActor = decoder(Actor, ["actor"])
const decodeKey = decoder(IdempotencyKey, ["idempotencyKey"])

/**
 * Each command and query runs in a span named after it. The span does not capture a stack trace: it
 * would point into this file, and taking one is a `new Error()` per call on the hot path.
 */
const traceOptions = { captureStackTrace: false } as const

export const make = <I, O, E, R>(spec: CommandSpec<I, O, E, R>): Command<O, E, R> => {
  const resultJson = Schema.toCodecJson(spec.output)
  // The result is the handler's, built from checked values; encoding it for the idempotency record only
  // has to produce JSON, so filters are not run again. A replay decodes it WITH checks.
  const encodeResult = Schema.encodeUnknownEffect(resultJson, { disableChecks: true })
  const decodeResult = Schema.decodeUnknownEffect(resultJson)

  /** The first result stored under `key`, or why it cannot be given again. */
  const replay = (key: IdempotencyKey, hash: string, previous: IdempotencyRecord): Effect.Effect<O, IdempotencyKeyReused | Conflict> => {
    if (previous.command !== spec.name || previous.requestHash !== hash) {
      return Effect.fail(new IdempotencyKeyReused({ key, command: previous.command }))
    }
    if (spec.resultHoldsSecret) {
      return Effect.fail(new Conflict({ entity: "IdempotencyKey", reason: `key ${key} was used; its result held a one-time secret, which is not kept` }))
    }
    return Effect.orDie(decodeResult(previous.result)) as Effect.Effect<O>
  }

  const execute = (actor: Actor, input: I, key: IdempotencyKey | undefined) =>
    Effect.gen(function*() {
      const context: CommandContext = { command: spec.name, actor, tenant: actor.tenant, now: yield* Clock.currentTimeMillis }
      const idempotency = yield* Idempotency
      const hash = key === undefined ? "" : requestHash(spec.name, input)
      if (key !== undefined) {
        const previous = yield* idempotency.findForCommand(actor.tenant, key)
        if (Option.isSome(previous)) return yield* replay(key, hash, previous.value)
      }
      const outcome = yield* key === undefined
        ? spec.handler(input, context)
        // a replay whose re-execution fails (the payment settled the invoice) must still replay
        : Effect.tapError(spec.handler(input, context), () => idempotency.confirmAbsent(actor.tenant, key))
      yield* record(context, outcome)
      if (key !== undefined) {
        const result = spec.resultHoldsSecret ? null : (yield* Effect.orDie(encodeResult(outcome.result))) as Schema.Json
        yield* idempotency.save(actor.tenant, key, { command: spec.name, requestHash: hash, result })
      }
      return outcome.result
    })

  const decodeInput = decoder(spec.input)
  return (rawActor, rawInput, options) =>
    Effect.gen(function*() {
      const actor = yield* decodeActor(rawActor)
      const input = yield* decodeInput(rawInput)
      const key = options?.idempotencyKey === undefined
        ? undefined
        : yield* decodeKey(options.idempotencyKey)
      if (spec.permission !== undefined) yield* authorize(actor, spec.permission)
      const uow = yield* UnitOfWork
      // an adapter whose port has no error channel dies with `StorageUnavailable`: reported typed here
      return yield* surfaceStorageFailure(uow.transaction(execute(actor, input, key))).pipe(
        Effect.provideService(CurrentTenant, actor.tenant)
      )
    }).pipe(Effect.withSpan(spec.name, undefined, traceOptions))
}

/** Writes the outcome's events to the outbox and its changes to the audit log. */
const record = (context: CommandContext, outcome: Outcome<unknown>) =>
  Effect.gen(function*() {
    if (outcome.events?.length) {
      const events = yield* Effect.forEach(outcome.events, (draft) => envelope(context.tenant, context.now, draft))
      yield* Outbox.use((outbox) => outbox.append(events))
    }
    if (outcome.changes?.length) {
      const stamp = { tenant: context.tenant, actorId: context.actor.userId, command: context.command, at: context.now }
      const entries = yield* Effect.forEach(outcome.changes, (change) => entryFor(stamp, change))
      yield* AuditLog.use((log) => log.append(entries))
    }
  })

export interface QuerySpec<I, O, E, R> {
  readonly name: string
  readonly input: Schema.Codec<I, unknown>
  readonly permission?: Permission
  readonly handler: (input: I, context: { readonly actor: Actor; readonly tenant: Tenant }) => Effect.Effect<O, E, R>
}

/** A read: decoded input, permission check, tenant scope; no unit of work, nothing recorded. */
export const query = <I, O, E, R>(spec: QuerySpec<I, O, E, R>) => {
  const decodeInput = decoder(spec.input)
  return (
    rawActor: unknown,
    rawInput: unknown
  ): Effect.Effect<O, E | ValidationError | Forbidden | StorageUnavailable, R | Authorization> =>
    Effect.gen(function*() {
      const actor = yield* decodeActor(rawActor)
      const input = yield* decodeInput(rawInput)
      if (spec.permission !== undefined) yield* authorize(actor, spec.permission)
      // a read outside a unit of work: the store's failure surfaces here, as a command's does in its unit of work
      return yield* surfaceStorageFailure(spec.handler(input, { actor, tenant: actor.tenant })).pipe(
        Effect.provideService(CurrentTenant, actor.tenant)
      )
    }).pipe(Effect.withSpan(spec.name, undefined, traceOptions))
}
