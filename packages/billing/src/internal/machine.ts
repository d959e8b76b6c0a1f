import { Errors, StateMachine } from "@erpkit/kernel"
import { Result } from "effect"

/**
 * Moves `from → to` on `machine`: a terminal `from` is `Immutable` (nothing leaves a terminal state),
 * any other missing edge is `InvalidTransition`.
 */
export const move = <S extends string>(
  machine: StateMachine.StateMachine<S>,
  id: string,
  from: S,
  to: S
): Result.Result<S, Errors.Immutable | Errors.InvalidTransition> =>
  StateMachine.isTerminal(machine, from)
    ? Result.fail(new Errors.Immutable({ entity: machine.name, id, state: from }))
    : StateMachine.transition(machine, from, to)

/** Fails with `Immutable` when `state` is terminal. */
export const assertMutable = <S extends string>(
  machine: StateMachine.StateMachine<S>,
  id: string,
  state: S
): Result.Result<void, Errors.Immutable> =>
  StateMachine.isTerminal(machine, state)
    ? Result.fail(new Errors.Immutable({ entity: machine.name, id, state }))
    : Result.succeed(undefined)
