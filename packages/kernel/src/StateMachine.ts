/**
 * State machines as data. One value drives validation of every status change, the Mermaid diagrams in
 * `docs/`, and model-based tests that walk every transition.
 */
import { Result } from "effect"
import { InvalidTransition } from "./Errors.ts"

export interface Transition<S extends string> {
  readonly from: S
  readonly to: S
  /** What causes it (a command or job name), shown on the diagram edge. */
  readonly label: string
}

export interface StateMachine<S extends string> {
  readonly name: string
  readonly states: ReadonlyArray<S>
  /** States a new record may start in, with what creates it there. */
  readonly initial: ReadonlyArray<{ readonly state: S; readonly label: string }>
  readonly terminal: ReadonlyArray<S>
  readonly transitions: ReadonlyArray<Transition<S>>
}

/** Declares a machine; fails fast on edges that name unknown states or leave a terminal state. */
export const make = <const S extends string>(machine: StateMachine<S>): StateMachine<S> => {
  const known = new Set<string>(machine.states)
  for (const t of machine.transitions) {
    if (!known.has(t.from) || !known.has(t.to)) throw new Error(`${machine.name}: unknown state in ${t.from} → ${t.to}`)
    if (machine.terminal.includes(t.from)) throw new Error(`${machine.name}: terminal state ${t.from} has an exit`)
  }
  return machine
}

export const isTerminal = <S extends string>(machine: StateMachine<S>, state: S): boolean =>
  machine.terminal.includes(state)

export const canTransition = <S extends string>(machine: StateMachine<S>, from: S, to: S): boolean =>
  machine.transitions.some((t) => t.from === from && t.to === to)

/** The target state if `from → to` is an edge of the machine, else `InvalidTransition`. */
export const transition = <S extends string>(
  machine: StateMachine<S>,
  from: S,
  to: S
): Result.Result<S, InvalidTransition> =>
  canTransition(machine, from, to)
    ? Result.succeed(to)
    : Result.fail(new InvalidTransition({ machine: machine.name, from, to }))

/** Every edge leaving `from`. */
export const exits = <S extends string>(machine: StateMachine<S>, from: S): ReadonlyArray<Transition<S>> =>
  machine.transitions.filter((t) => t.from === from)

/** Every (from, to) pair that is not an edge: what model-based tests feed in to see it refused. */
export const nonTransitions = <S extends string>(machine: StateMachine<S>): ReadonlyArray<readonly [S, S]> =>
  machine.states.flatMap((from) =>
    machine.states.filter((to) => to !== from && !canTransition(machine, from, to)).map((to) => [from, to] as const)
  )

const mermaidId = (state: string): string => state.replace(/[^A-Za-z0-9_]/g, "_")

/** A Mermaid `stateDiagram-v2` of the machine. */
export const toMermaid = <S extends string>(machine: StateMachine<S>): string => {
  const lines = ["stateDiagram-v2"]
  for (const s of machine.states) {
    if (mermaidId(s) !== s) lines.push(`  state "${s}" as ${mermaidId(s)}`)
  }
  for (const i of machine.initial) lines.push(`  [*] --> ${mermaidId(i.state)} : ${i.label}`)
  for (const t of machine.transitions) lines.push(`  ${mermaidId(t.from)} --> ${mermaidId(t.to)} : ${t.label}`)
  for (const s of machine.terminal) lines.push(`  ${mermaidId(s)} --> [*]`)
  return lines.join("\n")
}
