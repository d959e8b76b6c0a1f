/**
 * Junk through the public command API on PostgreSQL (issue 13): every exported command of billing and
 * identity, given a valid input (the one it succeeded with in the audit stories of
 * `capture/*-scenario.ts`), is sent that input with one field at a time replaced by junk
 * (`capture/junk.ts`: NUL, lone surrogates, 1 MiB strings, NaN / Infinity / 1e400 / 10^400, bad dates
 * and numbers, wrong types, missing and extra fields), through `Command.untyped(command)(actor, junk)`,
 * plus seeded random text with a NUL or a lone surrogate in every text field (fast-check).
 *
 * Asserted for each: never a defect or an interruption; when the junk is junk for the field (always for
 * the `refuse` kind; for the `maybe` kind when the command's input schema refuses it) the answer is
 * `ValidationError` and NO ROW IS WRITTEN, counted by a trigger on every table of the billing, identity,
 * auth and platform schemas that draws from a sequence (not rolled back: a write undone by a rollback
 * still counts). The seed is ERPKIT_TEST_SEED (default 20261206), printed with every failure.
 */
import { assert, describe, layer } from "@effect/vitest"
import { Cause, Effect, Exit, Schema } from "effect"
import { TestClock } from "effect/testing"
import * as fc from "fast-check"
import { Command } from "@erpkit/kernel"
import * as Billing from "@erpkit/billing"
import * as Identity from "@erpkit/identity"
import { billingLayer } from "./billing/support.ts"
import { billingScenario } from "./capture/billing-scenario.ts"
import { PgDatabase } from "../src/Database.ts"
import { installCapture, writeCount } from "./capture/capture.ts"
import { identityScenario } from "./capture/identity-scenario.ts"
import { apply, describePath, type Mutation, mutationsOf, pathsOf, randomBadText } from "./capture/junk.ts"
import { commandsOf } from "./capture/recorder.ts"
import { stackLayer } from "./identity/harness.ts"
import { serverTarget } from "./targets.ts"

const target = serverTarget("junk-commands.test.ts")
const seed = Number(process.env["ERPKIT_TEST_SEED"] ?? 20261206)
const randomRunsPerCommand = 12

interface Valid {
  readonly command: Command.AnyCommand
  readonly actor: unknown
  readonly input: unknown
}

/** Runs a story and keeps the first input each command succeeded with. */
const validInputs = <E, R>(
  story: (
    step: (c: Command.AnyCommand, a: unknown, i: unknown) => Effect.Effect<any, unknown, any>
  ) => Effect.Effect<void, E, R>
) =>
  Effect.gen(function*() {
    const found = new Map<string, Valid>()
    yield* story((command, actor, input) =>
      Effect.tap(Command.untyped(command)(actor, input), () =>
        Effect.sync(() => {
          if (!found.has(command.name)) found.set(command.name, { command, actor, input: structuredClone(input) })
        }))
    )
    return found
  })

const show = (v: unknown): string => {
  const text = JSON.stringify(v, (_k, x: unknown) => (typeof x === "bigint" ? `${x}n` : x)) ?? String(v)
  return text.length > 120 ? `${text.slice(0, 120)}… (${text.length} chars)` : text
}

/** What happened: `ok`, a typed failure's tags, or `DEFECT …`. */
const outcomeOf = (
  exit: Exit.Exit<unknown, unknown>
): { readonly text: string; readonly defect: boolean; readonly tags: ReadonlyArray<string> } => {
  if (Exit.isSuccess(exit)) return { text: "success", defect: false, tags: [] }
  const reasons = exit.cause.reasons
  const tags = reasons.map((
    r
  ) => (Cause.isFailReason(r) ? String((r.error as { _tag?: unknown })?._tag) : `!${r._tag}`))
  const defect = reasons.length === 0 || reasons.some((r) => !Cause.isFailReason(r))
  return { text: defect ? `DEFECT ${Cause.pretty(exit.cause).slice(0, 300)}` : tags.join(","), defect, tags }
}

const schemaRefuses = (command: Command.AnyCommand, input: unknown): boolean => {
  try {
    return Exit.isFailure(Schema.decodeUnknownExit(command.input as never)(input))
  } catch {
    return true
  }
}

interface Findings {
  readonly problems: Array<string>
  readonly notes: Array<string>
}

const record = (findings: Findings, finding: Finding) => {
  if (finding.problem !== undefined) findings.problems.push(finding.problem)
  if (finding.note !== undefined) findings.notes.push(finding.note)
}

interface Tally {
  cases: number
  refusalsChecked: number
  acceptedBySchema: number
}

/** What one junk input did: a problem (the test fails), or a note (the junk got past the input schema). */
interface Finding {
  readonly problem?: string
  readonly note?: string
}

/**
 * Sends one junk input. A problem: a defect; for junk the command must refuse, a success or any row
 * write; for junk its schema refuses, anything but ValidationError. A note: junk it must refuse,
 * refused with a typed error of its own after the input schema let it through.
 */
const sendJunk = (valid: Valid, junk: unknown, refuse: "always" | "schema" | "no", label: string) =>
  Effect.gen(function*() {
    const before = yield* writeCount
    const exit = yield* Effect.exit(
      Command.untyped(valid.command)(valid.actor, junk) as Effect.Effect<unknown, unknown>
    )
    const writes = (yield* writeCount) - before
    const outcome = outcomeOf(exit)
    const where = `${valid.command.name} ${label} (seed ${seed})`
    if (outcome.defect) return { problem: `${where}: ${outcome.text}` }
    if (refuse === "no") return {}
    const refusedAtDecode = outcome.tags.length === 1 && outcome.tags[0] === "ValidationError"
    if (writes !== 0 || Exit.isSuccess(exit) || (refuse === "schema" && !refusedAtDecode)) {
      return { problem: `${where}: expected a refusal, got ${outcome.text}, ${writes} row write(s)` }
    }
    return refusedAtDecode ? {} : { note: `${where}: ${outcome.text} (past the input schema)` }
  })

/** Every mutation of the valid input, one at a time. */
const catalogCases = (valid: Valid, tally: Tally, findings: Findings) =>
  Effect.gen(function*() {
    for (const m of mutationsOf(valid.input)) {
      const junk = apply(valid.input, m)
      const refuse = m.kind === "refuse" ? "always" : schemaRefuses(valid.command, junk) ? "schema" : "no"
      tally.cases += 1
      if (refuse === "no") tally.acceptedBySchema += 1
      else tally.refusalsChecked += 1
      record(
        findings,
        yield* sendJunk(valid, junk, refuse, `${describePath(m.path)} ← ${m.label} ${m.missing ? "" : show(m.value)}`)
      )
    }
  })

/** Seeded random text with a NUL or a lone surrogate, in a random text field of the valid input. */
const randomCases = (valid: Valid, tally: Tally, findings: Findings) =>
  Effect.gen(function*() {
    const textPaths = pathsOf(valid.input).filter((p) =>
      typeof p.reduce<unknown>((v, k) => (v as Record<string | number, unknown>)[k], valid.input) === "string"
    )
    if (textPaths.length === 0) return
    const context = yield* Effect.context<PgDatabase>()
    const property = fc.asyncProperty(fc.constantFrom(...textPaths), randomBadText, async (path, [text, bad]) => {
      const m: Mutation = { path, kind: "refuse", label: `random text with ${bad}`, value: text }
      tally.cases += 1
      tally.refusalsChecked += 1
      const finding = await Effect.runPromiseWith(context)(
        sendJunk(valid, apply(valid.input, m), "always", `${describePath(path)} ← ${m.label} ${show(text)}`)
      )
      record(findings, finding)
      return finding.problem === undefined
    })
    yield* Effect.promise(() => fc.check(property, { seed, numRuns: randomRunsPerCommand, endOnFailure: true }))
  })

const junkSuite = (context: string, valid: Map<string, Valid>, commands: ReadonlyArray<Command.AnyCommand>) =>
  Effect.gen(function*() {
    assert.deepStrictEqual(
      commands.map((c) => c.name).filter((n) => !valid.has(n)),
      [],
      "commands without a valid input"
    )
    const findings: Findings = { problems: [], notes: [] }
    const { problems, notes } = findings
    const lines: Array<string> = []
    const total: Tally = { cases: 0, refusalsChecked: 0, acceptedBySchema: 0 }
    for (const command of commands) {
      const tally: Tally = { cases: 0, refusalsChecked: 0, acceptedBySchema: 0 }
      yield* catalogCases(valid.get(command.name)!, tally, findings)
      yield* randomCases(valid.get(command.name)!, tally, findings)
      lines.push(
        `${command.name}: ${tally.cases} cases (${tally.refusalsChecked} must refuse,` +
          ` ${tally.acceptedBySchema} accepted by the schema: no defect)`
      )
      total.cases += tally.cases
      total.refusalsChecked += tally.refusalsChecked
      total.acceptedBySchema += tally.acceptedBySchema
    }
    console.log(
      [
        `[junk commands] ${context}: ${commands.length} commands, ${total.cases} cases,` +
        ` ${total.refusalsChecked} must refuse, ${total.acceptedBySchema} accepted by the schema, seed ${seed}`,
        ...lines,
        `refused only past the input schema (typed, nothing written): ${notes.length}`,
        ...notes,
        `problems: ${problems.length}`,
        ...problems
      ].join("\n")
    )
    assert.deepStrictEqual(problems, [], `seed ${seed}\n${problems.slice(0, 60).join("\n")}`)
  })

class Rollback extends Schema.TaggedError<Rollback>()("Rollback", {}) {}

/**
 * Control of the counter: a row update that is rolled back counts one write (the table is unchanged),
 * and a command that succeeds counts its writes.
 */
const counterControl = (valid: Map<string, Valid>) =>
  Effect.gen(function*() {
    const db = yield* PgDatabase
    const before = yield* writeCount
    const rolledBack = yield* Effect.exit(
      db.sql.withTransaction(
        Effect.andThen(
          db.sql`UPDATE billing.client_accounts SET updated_at = updated_at WHERE id = (SELECT id
        FROM billing.client_accounts ORDER BY id LIMIT 1)`,
          Effect.fail(new Rollback())
        )
      )
    )
    assert.isTrue(Exit.isFailure(rolledBack))
    const afterRollback = yield* writeCount
    assert.strictEqual(afterRollback - before, 1, "a rolled-back write is counted")
    const open = valid.get("billing.openAccount")!
    yield* Command.untyped(open.command)(open.actor, {
      ...(open.input as object),
      customerId: "0d000000-0000-7000-8000-0000000fffff"
    })
    const written = (yield* writeCount) - afterRollback
    assert.isAbove(written, 0, "a successful command's writes are counted")
    console.log(
      `[junk commands] counter control: rolled-back update counted 1, openAccount counted ${written} row writes`
    )
  })

describe("junk through every command on PostgreSQL", () => {
  layer(billingLayer(target), { excludeTestServices: true, timeout: "900 seconds" })("billing", (it) => {
    it.effect(
      "every billing command answers junk in any field with a typed error and writes no row",
      () =>
        Effect.gen(function*() {
          yield* installCapture
          const valid = yield* validInputs(billingScenario)
          yield* counterControl(valid)
          yield* junkSuite("billing", valid, commandsOf(Billing))
        }).pipe(Effect.provide(TestClock.layer())),
      900_000
    )
  })
  layer(stackLayer(target), { excludeTestServices: true, timeout: "900 seconds" })("identity", (it) => {
    it.effect(
      "every identity command answers junk in any field with a typed error and writes no row",
      () =>
        Effect.gen(function*() {
          yield* installCapture
          const valid = yield* validInputs(identityScenario)
          yield* junkSuite("identity", valid, commandsOf(Identity))
        }).pipe(Effect.provide(TestClock.layer())),
      900_000
    )
  })
})
