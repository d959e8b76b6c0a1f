#!/usr/bin/env node
/**
 * The `erpkit` executable (see `MigrateCommand.ts` for the commands). Published as `dist/cli.js`,
 * plain JavaScript; in the repository it also runs from source on Node 24's type stripping
 * (`npx -y pnpm@10 migrate`, i.e. `node packages/postgres/src/cli.ts migrate`).
 */
import { createRequire } from "node:module"
import * as NodeChildProcessSpawner from "@effect/platform-node-shared/NodeChildProcessSpawner"
import * as NodeFileSystem from "@effect/platform-node-shared/NodeFileSystem"
import * as NodePath from "@effect/platform-node-shared/NodePath"
import * as NodeRuntime from "@effect/platform-node-shared/NodeRuntime"
import * as NodeStdio from "@effect/platform-node-shared/NodeStdio"
import * as NodeTerminal from "@effect/platform-node-shared/NodeTerminal"
import { Effect, Layer } from "effect"
import { Command } from "effect/cli"
import { command } from "./MigrateCommand.ts"

// `src/cli.ts` and `dist/cli.js` are both one level below the package root.
const { version } = createRequire(import.meta.url)("../package.json") as { readonly version: string }

/** What effect's CLI runner needs from Node: arguments and output, the terminal, files and paths. */
const node = Layer.mergeAll(
  NodeFileSystem.layer,
  NodePath.layer,
  NodeStdio.layer,
  NodeTerminal.layer,
  NodeChildProcessSpawner.layer.pipe(Layer.provide(Layer.merge(NodeFileSystem.layer, NodePath.layer)))
)

// runMain turns SIGINT/SIGTERM into an interruption, which waits for uninterruptible work such as
// PGlite's start; should that never finish, the process still ends 5 s after the signal.
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => setTimeout(() => process.exit(signal === "SIGINT" ? 130 : 143), 5_000).unref())
}

Command.run(command, { version }).pipe(Effect.provide(node), NodeRuntime.runMain)
