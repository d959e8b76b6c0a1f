/**
 * Runs commands one at a time through `Command.untyped`, and after each one matches the rows it
 * changed with the audit entries it wrote (`audit-match.ts`). Keeps the figures per command.
 */
import { Effect } from "effect"
import { Command } from "@erpkit/kernel"
import { type Coverage, emptyCoverage, type Expected, type ForeignKey, matchStep, rowKeys } from "./audit-match.ts"
import { type Change, changesSince, lastChangeId } from "./capture.ts"

export interface CommandFigures {
  calls: number
  rowChanges: number
  entries: number
}

export interface Recorder {
  readonly step: (command: Command.AnyCommand, actor: unknown, input: unknown) => Effect.Effect<any, unknown, any>
  readonly figures: Map<string, CommandFigures>
  readonly problems: Array<string>
  /** table → the audit entity types its rows matched by id (must be one each). */
  readonly ownTypes: Map<string, Set<string>>
  /** tables whose rows matched as parts of another entity. */
  readonly partTables: Set<string>
  readonly coverage: Coverage
  /** The controls: each clean step again with one audit entry dropped, and with one entity's rows dropped. */
  readonly controls: Controls
}

export interface Controls {
  entryDropped: number
  entryDroppedCaught: number
  rowsDropped: number
  rowsDroppedCaught: number
}

/** Sabotages a clean step's capture two ways; each must be caught by the match. */
const sabotage = (
  controls: Controls,
  changes: ReadonlyArray<Change>,
  primaryKeys: ReadonlyMap<string, ReadonlyArray<string>>,
  match: (changes: ReadonlyArray<Change>) => { problems: ReadonlyArray<string> }
) => {
  const firstEntry = changes.find((c) => c.tbl === "platform.audit_log")
  if (firstEntry === undefined) return
  controls.entryDropped += 1
  if (match(changes.filter((c) => c !== firstEntry)).problems.length > 0) controls.entryDroppedCaught += 1
  const entityId = firstEntry.new!["entity_id"]
  controls.rowsDropped += 1
  const kept = changes.filter((c) =>
    c.tbl === "platform.audit_log" || !rowKeys((c.new ?? c.old)!, primaryKeys.get(c.tbl)).includes(entityId as string)
  )
  if (match(kept).problems.length > 0) controls.rowsDroppedCaught += 1
}

export interface Schema {
  readonly foreignKeys: ReadonlyArray<ForeignKey>
  readonly primaryKeys: ReadonlyMap<string, ReadonlyArray<string>>
  /** Tables whose rows are parts of another table's entity. */
  readonly parts: ReadonlyArray<string>
  /** Entity types stored as override rows (see `Expected.overrides`). */
  readonly overrides: ReadonlyArray<string>
}

export const recorder = (schema: Schema): Recorder => {
  const foreignKeys = schema.foreignKeys
  const expected = {
    parts: new Set(schema.parts),
    overrides: new Set(schema.overrides),
    primaryKeys: schema.primaryKeys
  }
  const self: Recorder = {
    figures: new Map(),
    problems: [],
    ownTypes: new Map(),
    partTables: new Set(),
    coverage: emptyCoverage(),
    controls: { entryDropped: 0, entryDroppedCaught: 0, rowsDropped: 0, rowsDroppedCaught: 0 },
    step: (command, actor, input) =>
      Effect.gen(function*() {
        const before = yield* lastChangeId
        const result = yield* Command.untyped(command)(actor, input)
        const changes = yield* changesSince(before)
        const { userId: actorId, tenant } = actor as { readonly userId: string; readonly tenant: Expected["tenant"] }
        const report = matchStep(
          changes,
          foreignKeys,
          { command: command.name, actorId, tenant, ...expected },
          self.coverage
        )
        if (report.problems.length === 0) {
          sabotage(
            self.controls,
            changes,
            schema.primaryKeys,
            (c) => matchStep(c, foreignKeys, { command: command.name, actorId, tenant, ...expected }, emptyCoverage())
          )
        }
        const figures = self.figures.get(command.name) ?? { calls: 0, rowChanges: 0, entries: 0 }
        figures.calls += 1
        figures.rowChanges += report.rowChanges
        figures.entries += report.entries
        self.figures.set(command.name, figures)
        self.problems.push(...report.problems.map((p) => `${command.name}: ${p}`))
        for (const [table, type] of report.ownTypes) {
          const types = self.ownTypes.get(table) ?? new Set()
          types.add(type)
          self.ownTypes.set(table, types)
        }
        for (const table of report.partTables) self.partTables.add(table)
        return result
      })
  }
  return self
}

/** Every exported command (kind "command") of a package's namespaces, by name. */
export const commandsOf = (pkg: Record<string, unknown>): ReadonlyArray<Command.AnyCommand> => {
  const found = new Map<string, Command.AnyCommand>()
  for (const ns of Object.values(pkg)) {
    if (ns === null || typeof ns !== "object") continue
    for (const value of Object.values(ns)) {
      if (typeof value === "function" && (value as { kind?: unknown }).kind === "command") {
        found.set((value as Command.AnyCommand).name, value as Command.AnyCommand)
      }
    }
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name))
}

/** One line per command: calls, row changes, audit entries. */
export const summary = (figures: Map<string, CommandFigures>): string =>
  [...figures.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([name, f]) =>
    `${name}: ${f.calls} call(s), ${f.rowChanges} row change(s), ${f.entries} audit entr(y/ies)`
  ).join("\n")
