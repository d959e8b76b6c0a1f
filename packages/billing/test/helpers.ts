import type { Command, MemoryStore } from "@erpkit/kernel"
import { Cause, Effect, Exit, type Layer } from "effect"
import { expect } from "@effect/vitest"
import type { Repositories } from "../src/index.ts"
import { layerTest } from "../src/testing/index.ts"

type Env = Repositories | Command.CommandServices | MemoryStore.MemoryStore

/** Runs `effect` on a fresh memory store (each test its own world). */
export const fresh = <A, E>(effect: Effect.Effect<A, E, Env>, layer: Layer.Layer<Env> = layerTest()) =>
  Effect.provide(effect, layer)

/** The typed failure of `effect`, asserting it failed (not died, not succeeded). */
export const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.exit(effect), (exit): E => {
    if (Exit.isSuccess(exit)) throw new Error(`expected a failure, got ${String(exit.value)}`)
    expect(Cause.hasDies(exit.cause)).toBe(false)
    const error = Cause.findErrorOption(exit.cause)
    if (error._tag === "None") throw new Error(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
    return error.value
  })

/** The `_tag` of the typed failure of `effect`. */
export const failureTag = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(failure(effect), (e) => (e as { readonly _tag: string })._tag)
