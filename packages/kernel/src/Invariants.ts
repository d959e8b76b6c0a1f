/**
 * Named invariants of an aggregate, and the one policy every context follows: invariants are checked
 * after every transition a command writes (`check`), and a broken one is a defect (a bug in erpkit,
 * never a domain error), reported with the names of what broke. Property and model-based tests use the
 * same list (`broken`) after every step.
 */
import { Effect } from "effect"

/** A named predicate that must hold for every `A` erpkit writes. */
export type Invariant<A> = readonly [name: string, holds: (value: A) => boolean]

/** The names of the invariants `value` breaks (empty when all hold). */
export const broken = <A>(invariants: ReadonlyArray<Invariant<A>>, value: A): ReadonlyArray<string> =>
  invariants.filter(([, holds]) => !holds(value)).map(([name]) => name)

/** The defect a broken invariant dies with. */
export class InvariantBroken extends Error {
  readonly entity: string
  readonly id: string
  readonly names: ReadonlyArray<string>
  constructor(entity: string, id: string, names: ReadonlyArray<string>) {
    super(`${entity} ${id} breaks: ${names.join("; ")}`)
    this.name = "InvariantBroken"
    this.entity = entity
    this.id = id
    this.names = names
  }
}

/** `value` if it keeps every invariant, else a defect naming the broken ones. */
export const check = <A>(
  entity: string,
  invariants: ReadonlyArray<Invariant<A>>,
  value: A,
  id?: string
): Effect.Effect<A> => {
  const names = broken(invariants, value)
  if (names.length === 0) return Effect.succeed(value)
  return Effect.die(new InvariantBroken(entity, id ?? String((value as { readonly id?: unknown }).id ?? ""), names))
}
