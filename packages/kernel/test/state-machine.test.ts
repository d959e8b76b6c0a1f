import { describe, expect, it } from "vitest"
import { Result } from "effect"
import * as StateMachine from "../src/StateMachine.ts"

const door = StateMachine.make({
  name: "Door",
  states: ["Open", "Closed", "Locked", "Removed"],
  initial: [{ state: "Closed", label: "install" }],
  terminal: ["Removed"],
  transitions: [
    { from: "Open", to: "Closed", label: "close" },
    { from: "Closed", to: "Open", label: "open" },
    { from: "Closed", to: "Locked", label: "lock" },
    { from: "Locked", to: "Closed", label: "unlock" },
    { from: "Closed", to: "Removed", label: "remove" }
  ]
})

describe("StateMachine", () => {
  it("allows exactly the declared edges", () => {
    for (const t of door.transitions) expect(Result.getOrThrow(StateMachine.transition(door, t.from, t.to))).toBe(t.to)
    for (const [from, to] of StateMachine.nonTransitions(door)) {
      const r = StateMachine.transition(door, from, to)
      expect(Result.isFailure(r)).toBe(true)
      if (Result.isFailure(r)) expect(r.failure).toMatchObject({ _tag: "InvalidTransition", machine: "Door", from, to })
    }
    expect(StateMachine.nonTransitions(door).length + door.transitions.length).toBe(4 * 3)
  })

  it("rejects machines whose terminal states have exits or whose edges name unknown states", () => {
    expect(() =>
      StateMachine.make({ ...door, transitions: [...door.transitions, { from: "Removed", to: "Open", label: "x" }] })
    ).toThrow(/terminal/)
    expect(() => StateMachine.make({ ...door, transitions: [{ from: "Open", to: "Ajar" as "Open", label: "x" }] }))
      .toThrow(/unknown/)
  })

  it("renders a Mermaid state diagram with initial and terminal states", () => {
    const mermaid = StateMachine.toMermaid(door)
    expect(mermaid.split("\n")).toEqual([
      "stateDiagram-v2",
      "  [*] --> Closed : install",
      "  Open --> Closed : close",
      "  Closed --> Open : open",
      "  Closed --> Locked : lock",
      "  Locked --> Closed : unlock",
      "  Closed --> Removed : remove",
      "  Removed --> [*]"
    ])
    const spaced = StateMachine.make({
      name: "S",
      states: ["In Progress", "Done"],
      initial: [{ state: "In Progress", label: "start" }],
      terminal: ["Done"],
      transitions: [{ from: "In Progress", to: "Done", label: "finish" }]
    })
    expect(StateMachine.toMermaid(spaced)).toContain(`state "In Progress" as In_Progress`)
  })
})
