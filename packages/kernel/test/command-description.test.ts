/**
 * Typed commands (issue 12): a command value is called with the `Actor` and its input's encoded type,
 * and describes itself (name, input and output schemas, permission) for HTTP routes, docs and tooling.
 * The `@ts-expect-error` lines are checked by `tsc` (`pnpm check`): they fail the build if the types
 * ever accept them again. At run time, junk passed around the types is still a `ValidationError`.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import * as Actor from "../src/Actor.ts"
import * as Command from "../src/Command.ts"
import type { UserId } from "../src/Ids.ts"
import { actor, layerTestPlatform, tenantA } from "../src/testing/index.ts"

const permission = Actor.permission("test.echo.run")
const Input = Schema.Struct({ text: Schema.String, count: Schema.Int })
const Output = Schema.Struct({ echoed: Schema.String })

const echo = Command.make({
  name: "test.echo",
  input: Input,
  output: Output,
  permission,
  handler: (input) => Effect.succeed({ result: { echoed: input.text.repeat(input.count) } })
})

const peek = Command.query({ name: "test.peek", input: Schema.Struct({}), handler: () => Effect.succeed(1) })

const who = actor(["Finance Manager"], tenantA)
const platform = layerTestPlatform({ "Finance Manager": [permission] })

/** Compile-time checks only: never run. */
export const typeChecks = () => {
  // @ts-expect-error a misspelt field does not compile
  echo(who, { txt: "a", count: 1 })
  // @ts-expect-error a field of the wrong type does not compile
  echo(who, { text: "a", count: "1" })
  // @ts-expect-error the actor is an Actor, not any value
  echo({ userId: "u" }, { text: "a", count: 1 })
  // @ts-expect-error another command's input does not compile
  echo(who, { invoiceId: "x" as UserId })
  const input: Command.InputOf<typeof echo> = { text: "a", count: 2 }
  const output: Command.OutputOf<typeof echo> = { echoed: "aa" }
  return [input, output]
}

describe("typed commands", () => {
  it("a command and a query describe themselves: name, kind, schemas, permission", () => {
    assert.strictEqual(echo.name, "test.echo")
    assert.strictEqual(echo.kind, "command")
    assert.strictEqual(echo.input, Input)
    assert.strictEqual(echo.output, Output)
    assert.strictEqual(echo.permission, permission)
    assert.strictEqual(peek.name, "test.peek")
    assert.strictEqual(peek.kind, "query")
    assert.isUndefined(peek.permission)
  })

  it.effect("typed input runs; junk passed around the types is still a ValidationError", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* echo(who, { text: "ab", count: 2 }), { echoed: "abab" })
      const junk = yield* Effect.flip(Command.untyped(echo)(who, { text: 1, count: "x" }))
      assert.strictEqual(junk._tag, "ValidationError")
      const forged = yield* Effect.flip(Command.untyped(echo)({ userId: 5 }, { text: "a", count: 1 }))
      assert.strictEqual(forged._tag, "ValidationError")
    }).pipe(Effect.provide(platform)))
})

describe("inputs without required fields", () => {
  it.effect("a query taking no input refuses anything but an object (42, a string, an array, null)", () =>
    Effect.gen(function*() {
      assert.strictEqual(yield* peek(who, {}), 1)
      for (const junk of [42, "x", [], null, undefined, true]) {
        const error = yield* Effect.flip(Command.untyped(peek)(who, junk))
        assert.strictEqual(error._tag, "ValidationError", `input ${String(junk)}`)
      }
    }).pipe(Effect.provide(platform)))
})
