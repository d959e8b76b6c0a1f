/**
 * The junk-input harness of the bad-input tests: every command, given a valid input and its actor,
 * is fed junk in any field, junk as its whole input and junk as its actor; each must give a typed
 * failure (never a defect) and leave every table as it was.
 */
import { expect } from "@effect/vitest"
import { Cause, type Effect, Exit } from "effect"
import * as fc from "fast-check"
import { Arbitraries, snapshot } from "../src/testing/index.ts"
import { type Real, withReal } from "./world.ts"

/** Any command, query or job function: the harness calls it with unchecked values (`call`). */
export type AnyCommand = (actor: never, input: never) => Effect.Effect<unknown, unknown, any>

/** Calls `command` with values its types would refuse: the junk the command must decode at run time. */
export const call = (command: AnyCommand, actor: unknown, input: unknown): Effect.Effect<unknown, unknown, any> =>
  (command as unknown as (actor: unknown, input: unknown) => Effect.Effect<unknown, unknown, any>)(actor, input)

/** A command by name, with one valid input and the actor allowed to run it. */
export type Case = readonly [name: string, command: AnyCommand, input: Record<string, unknown>, actor: unknown]

const show = (input: unknown) => JSON.stringify(input, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))

/** Runs a command and asserts: a typed failure (never a defect) with `tag` when given, and every table unchanged. */
export const refused = async (
  real: Real,
  command: AnyCommand,
  actor: unknown,
  input: unknown,
  tag?: string
): Promise<void> => {
  const before = await real.runtime.runPromise(snapshot)
  const exit = await real.runtime.runPromiseExit(call(command, actor, input))
  expect(Exit.isFailure(exit), show(input)).toBe(true)
  if (Exit.isFailure(exit)) {
    expect(Cause.hasDies(exit.cause), Cause.pretty(exit.cause)).toBe(false)
    const error = Cause.findErrorOption(exit.cause)
    expect(error._tag).toBe("Some")
    if (tag !== undefined && error._tag === "Some") {
      expect((error.value as { _tag: string })._tag, show(input)).toBe(tag)
    }
  }
  expect(await real.runtime.runPromise(snapshot)).toEqual(before)
}

/**
 * Each case's valid input really succeeds, on a world of its own (else the junk tests prove nothing);
 * the cases named in `failing` are known to fail and must.
 */
export const assertValidInputs = async (
  prepare: (real: Real) => Promise<{ readonly cases: ReadonlyArray<Case> }>,
  names: ReadonlyArray<string>,
  failing: ReadonlyArray<string> = []
): Promise<void> => {
  for (const name of names) {
    await withReal(async (probe) => {
      const valid = (await prepare(probe)).cases.find(([n]) => n === name)!
      const exit = await probe.runtime.runPromiseExit(call(valid[1], valid[3], valid[2]))
      if (failing.includes(name)) expect(Exit.isFailure(exit)).toBe(true)
      else expect(Exit.isSuccess(exit), `${name}: ${Exit.isFailure(exit) ? Cause.pretty(exit.cause) : ""}`).toBe(true)
    })
  }
}

export interface JunkRuns {
  /** Runs with one field of a valid input corrupted. */
  readonly fields: number
  /** Runs with junk as the whole input (commands without required fields are left out). */
  readonly whole: number
  /** Runs with junk as the actor. */
  readonly actor: number
  /** The commands whose every input field is optional: junk as the whole input may be valid for them. */
  readonly allOptional: ReadonlyArray<string>
}

/** Junk in any field, as the whole input and as the actor: a ValidationError every time, and no table changed. */
export const assertJunkRefused = async (real: Real, cases: ReadonlyArray<Case>, runs: JunkRuns): Promise<void> => {
  const corrupted = fc.constantFrom(...cases).chain(([name, command, input, actor]) =>
    Arbitraries.corrupt(input).map((bad) => [name, command, bad, actor] as const)
  )
  await fc.assert(
    fc.asyncProperty(
      corrupted,
      async ([, command, bad, actor]) => refused(real, command, actor, bad, "ValidationError")
    ),
    { numRuns: runs.fields }
  )
  const withRequiredFields = cases.filter(([name]) => !runs.allOptional.includes(name))
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...withRequiredFields),
      fc.oneof(Arbitraries.junk, fc.anything()),
      async ([, command, , actor], junk) => refused(real, command, actor, junk, "ValidationError")
    ),
    { numRuns: runs.whole }
  )
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...cases),
      fc.oneof(Arbitraries.junk, fc.anything()),
      async ([, command, input], junkActor) => refused(real, command, junkActor, input, "ValidationError")
    ),
    { numRuns: runs.actor }
  )
}

/** The two strings PostgreSQL cannot store exactly (issue 13): a NUL, and a lone UTF-16 surrogate. */
export const unstorableTexts: ReadonlyArray<string> = ["a\u0000b", "a\uD800b"]

type Path = ReadonlyArray<string | number>

/** The path of every string inside `input`, objects and arrays walked: `["items", 0, "description"]`. */
export const stringPaths = (input: unknown, at: Path = []): ReadonlyArray<Path> =>
  typeof input === "string"
    ? [at]
    : Array.isArray(input)
    ? input.flatMap((value, i) => stringPaths(value, [...at, i]))
    : input !== null && typeof input === "object"
    ? Object.entries(input).flatMap(([key, value]) => stringPaths(value, [...at, key]))
    : []

/** A copy of `input` with `value` at `path` (everything else shared). */
const setAt = (input: unknown, path: Path, value: unknown): unknown => {
  if (path.length === 0) return value
  const [head, ...rest] = path
  if (Array.isArray(input)) return input.map((inner, i) => (i === head ? setAt(inner, rest, value) : inner))
  const record = input as Record<string, unknown>
  return { ...record, [head!]: setAt(record[head!], rest, value) }
}

/**
 * Every string field of every case's valid input (text, ids, dates, codes alike), set to each of
 * `unstorableTexts`: a ValidationError at decoding, and no table changed. Returns `"<case>: a.0.b"` for
 * each field tried, so a test can assert which text fields its inputs reach.
 */
export const assertUnstorableTextRefused = async (
  real: Real,
  cases: ReadonlyArray<Case>
): Promise<ReadonlyArray<string>> => {
  const tried: Array<string> = []
  for (const [name, command, input, actor] of cases) {
    for (const path of stringPaths(input)) {
      for (const text of unstorableTexts) {
        await refused(real, command, actor, setAt(input, path, text), "ValidationError")
      }
      tried.push(`${name}: ${path.join(".")}`)
    }
  }
  return tried
}

/** Non-object junk as the whole input: refused even by commands and queries whose every field is optional. */
export const notObjects: ReadonlyArray<unknown> = [42, "x", true, null, [], [{}]]
