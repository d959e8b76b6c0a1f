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
import { Clock, Effect, Option, Schema, SchemaAST } from "effect"
import { Actor, type Authorization, authorize, type Permission } from "./Actor.ts"
import { AuditLog, type AuditChange, entryFor } from "./AuditLog.ts"
import { type EventDraft, envelope } from "./DomainEvent.ts"
import {
  type Forbidden,
  fromSchemaIssue,
  IdempotencyKeyReused,
  ReplayWithheld,
  type StorageUnavailable,
  ValidationError
} from "./Errors.ts"
import { Idempotency, IdempotencyKey, type IdempotencyRecord, requestHash } from "./Idempotency.ts"
import type { IdGenerator } from "./Ids.ts"
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

export interface CommandSpec<I, IE, O, E, R> {
  readonly name: string
  /** Decodes the untrusted input; its encoded type is what callers pass (`Command`'s `input` parameter). */
  readonly input: Schema.Codec<I, IE>
  readonly output: Schema.Codec<O, unknown>
  /** Omitted only for public commands (e.g. registration, AUTH-01). */
  readonly permission?: Permission
  /**
   * The result carries a one-time secret (a bearer token, a verification code) that is stored nowhere
   * else in plain. With an idempotency key the record then keeps no result, and a replay fails with
   * `ReplayWithheld` instead of handing the secret out again: send a new request.
   */
  readonly resultHoldsSecret?: boolean
  readonly handler: (input: I, context: CommandContext) => Effect.Effect<Outcome<O>, E, R>
}

/**
 * A command: call it with the `Actor` and the input in its encoded form (what JSON or a form gives:
 * strings for ids and dates, the schema's `Encoded` type), and it decodes, authorizes and runs. Junk
 * that gets past the types (from `unknown`, casts or JSON) still decodes to `ValidationError` at run
 * time. The value also describes itself, for HTTP routes, docs and tooling: `name`, the `input` and
 * `output` schemas and the `permission` it checks.
 */
export interface Command<I, IE, O, E, R> {
  (actor: Actor, input: IE, options?: RunOptions): Effect.Effect<O, E | CommandFailure, R | CommandServices>
  /** The command's name, e.g. `billing.recordPayment`: its span, its idempotency scope, its audit `command`. */
  readonly name: string
  readonly kind: "command"
  readonly input: Schema.Codec<I, IE>
  readonly output: Schema.Codec<O, unknown>
  /** Undefined for public commands. */
  readonly permission: Permission | undefined
}

/** Any command, e.g. for a table of a context's commands. */
export type AnyCommand = Command<any, any, any, any, any>

/** What a command takes as input (the encoded form), and what it returns. */
export type InputOf<C> = C extends Command<any, infer IE, any, any, any> | Query<any, infer IE, any, any, any> ? IE
  : never
export type OutputOf<C> = C extends Command<any, any, infer O, any, any> | Query<any, any, infer O, any, any> ? O
  : never

/**
 * The command or query as a function of values nobody has checked (an HTTP body, a queue message, a
 * test's junk): the types accept anything, and it decodes actor and input at run time (junk is a
 * `ValidationError`, never a throw).
 */
export const untyped = <C extends AnyCommand | AnyQuery>(
  command: C
): (actor: unknown, input: unknown, options?: RunOptions) => ReturnType<C> =>
  command as unknown as (actor: unknown, input: unknown, options?: RunOptions) => ReturnType<C>

/** `run` with the command's description attached (a function's `name` is not writable by assignment). */
const describe = <F extends (...args: ReadonlyArray<never>) => unknown, D extends { readonly name: string }>(
  run: F,
  description: D
): F & D => {
  const { name, ...rest } = description
  Object.defineProperty(run, "name", { value: name })
  return Object.assign(run, rest) as F & D
}

/**
 * The failures every command may report besides its own: bad input, a missing permission, an
 * idempotency key sent with another request, a replay of a one-time secret (`ReplayWithheld`), and the store
 * being unavailable (`StorageUnavailable`: its `outcome` says whether the command may have taken effect).
 */
export type CommandFailure = ValidationError | Forbidden | IdempotencyKeyReused | ReplayWithheld | StorageUnavailable

/** A decoder of untrusted input, built once; any failure is a `ValidationError` whose paths start at `prefix`. */
export const decoder = <A>(schema: Schema.Codec<A, unknown>, prefix: ReadonlyArray<string> = []) => {
  const decodeUnknown = Schema.decodeUnknownEffect(schema)
  const toValidationError = (error: Schema.SchemaError) => {
    const base = fromSchemaIssue(error.issue)
    return new ValidationError({ issues: base.issues.map((i) => ({ ...i, path: [...prefix, ...i.path] })) })
  }
  // a struct with no required field (`Schema.Struct({})`, all-optional inputs) accepts any non-null value
  // as a TypeScript `{}` does; an input of that shape must still be an object, not `42` or `[]`
  const needsObject = SchemaAST.isObjects(schema.ast)
  const notAnObject = ValidationError.at(prefix, "must be an object")
  return (input: unknown) =>
    needsObject && (typeof input !== "object" || input === null || Array.isArray(input))
      ? Effect.fail(notAnObject)
      : Effect.mapError(decodeUnknown(input), toValidationError)
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

/**
 * What a command's span says about the call, for tracing backends: the command, the tenant, the actor,
 * the idempotency key (`erpkit.idempotency.replayed` is added when the key answered from its record).
 */
const spanAttributes = (command: string, actor: Actor, key: IdempotencyKey | undefined): Record<string, unknown> => ({
  "erpkit.command": command,
  "erpkit.tenant.organization_id": actor.tenant.organizationId,
  "erpkit.tenant.workspace_id": actor.tenant.workspaceId,
  "erpkit.actor.id": actor.userId,
  ...(key === undefined ? {} : { "erpkit.idempotency.key": key, "erpkit.idempotency.replayed": false })
})

/** `erpkit.outcome` on the span: `success`, or the failure's `_tag` (`ValidationError`, `CreditLimitExceeded`, …). */
const annotateOutcome = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  effect.pipe(
    Effect.tap(() => Effect.annotateCurrentSpan("erpkit.outcome", "success")),
    Effect.tapError((error) =>
      Effect.annotateCurrentSpan(
        "erpkit.outcome",
        typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "failure"
      )
    )
  )

/**
 * How a command's result is written to and read back from its idempotency record, built once per command.
 * The result is the handler's, built from checked values; encoding it for the record only has to produce
 * JSON, so filters are not run again. A replay decodes it WITH checks.
 */
const resultCodec = <O>(output: Schema.Codec<O, unknown>) => {
  const resultJson = Schema.toCodecJson(output)
  return {
    encode: Schema.encodeUnknownEffect(resultJson, { disableChecks: true }),
    decode: Schema.decodeUnknownEffect(resultJson)
  }
}

type ResultCodec<O> = ReturnType<typeof resultCodec<O>>

/** The first result stored under `key`, or why it cannot be given again. */
const replay = <I, IE, O, E, R>(
  spec: CommandSpec<I, IE, O, E, R>,
  codec: ResultCodec<O>,
  key: IdempotencyKey,
  hash: string,
  previous: IdempotencyRecord
): Effect.Effect<O, IdempotencyKeyReused | ReplayWithheld> => {
  if (previous.command !== spec.name || previous.requestHash !== hash) {
    return Effect.fail(new IdempotencyKeyReused({ key, command: previous.command }))
  }
  if (spec.resultHoldsSecret) {
    return Effect.fail(new ReplayWithheld({ key, command: spec.name }))
  }
  return Effect.orDie(codec.decode(previous.result)) as Effect.Effect<O>
}

/**
 * The body of a command's unit of work: idempotency lookup (a hit replays), handler, outbox and audit
 * records, then the idempotency record. `onReplay` marks the command's span, which is not the current one here.
 */
const execute = <I, IE, O, E, R>(
  spec: CommandSpec<I, IE, O, E, R>,
  codec: ResultCodec<O>,
  actor: Actor,
  input: I,
  key: IdempotencyKey | undefined,
  onReplay: () => void
) =>
  Effect.gen(function*() {
    const context: CommandContext = {
      command: spec.name,
      actor,
      tenant: actor.tenant,
      now: yield* Clock.currentTimeMillis
    }
    const idempotency = yield* Idempotency
    const hash = key === undefined ? "" : requestHash(spec.name, input)
    if (key !== undefined) {
      const previous = yield* idempotency.findForCommand(actor.tenant, key)
      if (Option.isSome(previous)) {
        // on the command's span, not the unit of work's (`sql.transaction` is current here)
        onReplay()
        return yield* replay(spec, codec, key, hash, previous.value)
      }
    }
    const outcome = yield* key === undefined
      ? spec.handler(input, context)
      // a replay whose re-execution fails (the payment settled the invoice) must still replay
      : Effect.tapError(spec.handler(input, context), () => idempotency.confirmAbsent(actor.tenant, key))
    yield* record(context, outcome)
    if (key !== undefined) {
      const result = spec.resultHoldsSecret
        ? null
        : (yield* Effect.orDie(codec.encode(outcome.result))) as Schema.Json
      yield* idempotency.save(actor.tenant, key, { command: spec.name, requestHash: hash, result })
    }
    return outcome.result
  })

export const make = <I, IE, O, E, R>(spec: CommandSpec<I, IE, O, E, R>): Command<I, IE, O, E, R> => {
  const codec = resultCodec(spec.output)
  const decodeInput = decoder(spec.input)
  const run = (rawActor: unknown, rawInput: unknown, options?: RunOptions) =>
    Effect.gen(function*() {
      const actor = yield* decodeActor(rawActor)
      const input = yield* decodeInput(rawInput)
      const key = options?.idempotencyKey === undefined ? undefined : yield* decodeKey(options.idempotencyKey)
      yield* Effect.annotateCurrentSpan(spanAttributes(spec.name, actor, key))
      const span = yield* Effect.option(Effect.currentSpan)
      const onReplay = () => Option.map(span, (s) => s.attribute("erpkit.idempotency.replayed", true))
      if (spec.permission !== undefined) yield* authorize(actor, spec.permission)
      const uow = yield* UnitOfWork
      // an adapter whose port has no error channel dies with `StorageUnavailable`: reported typed here
      return yield* surfaceStorageFailure(uow.transaction(execute(spec, codec, actor, input, key, onReplay))).pipe(
        Effect.provideService(CurrentTenant, actor.tenant)
      )
    }).pipe(annotateOutcome, Effect.withSpan(spec.name, undefined, traceOptions))
  return describe(run, {
    name: spec.name,
    kind: "command" as const,
    input: spec.input,
    output: spec.output,
    permission: spec.permission
  })
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

export interface QuerySpec<I, IE, O, E, R> {
  readonly name: string
  readonly input: Schema.Codec<I, IE>
  readonly permission?: Permission
  readonly handler: (input: I, context: { readonly actor: Actor; readonly tenant: Tenant }) => Effect.Effect<O, E, R>
}

/** A query: typed like a `Command` (actor, encoded input) and describing itself the same way. */
export interface Query<I, IE, O, E, R> {
  (actor: Actor, input: IE): Effect.Effect<O, E | QueryFailure, R | Authorization>
  readonly name: string
  readonly kind: "query"
  readonly input: Schema.Codec<I, IE>
  readonly permission: Permission | undefined
}

/** The failures every query may report besides its own. */
export type QueryFailure = ValidationError | Forbidden | StorageUnavailable

/** Any query. */
export type AnyQuery = Query<any, any, any, any, any>

/** A read: decoded input, permission check, tenant scope; no unit of work, nothing recorded. */
export const query = <I, IE, O, E, R>(spec: QuerySpec<I, IE, O, E, R>): Query<I, IE, O, E, R> => {
  const decodeInput = decoder(spec.input)
  const run = (rawActor: unknown, rawInput: unknown): Effect.Effect<O, E | QueryFailure, R | Authorization> =>
    Effect.gen(function*() {
      const actor = yield* decodeActor(rawActor)
      const input = yield* decodeInput(rawInput)
      yield* Effect.annotateCurrentSpan(spanAttributes(spec.name, actor, undefined))
      if (spec.permission !== undefined) yield* authorize(actor, spec.permission)
      // a read outside a unit of work: the store's failure surfaces here, as a command's does in its unit of work
      return yield* surfaceStorageFailure(spec.handler(input, { actor, tenant: actor.tenant })).pipe(
        Effect.provideService(CurrentTenant, actor.tenant)
      )
    }).pipe(annotateOutcome, Effect.withSpan(spec.name, undefined, traceOptions))
  return describe(run, { name: spec.name, kind: "query" as const, input: spec.input, permission: spec.permission })
}
