/**
 * In-process wake-up for the outbox relay: `Outbox.append` signals after its transaction commits, so a
 * relay in the same process delivers without waiting for the next poll. A sliding queue of one
 * coalesces bursts into a single wake-up. Relays in other processes rely on LISTEN/NOTIFY or polling.
 */
import { Context, Effect, Layer, Queue } from "effect"

export class RelaySignal extends Context.Service<RelaySignal, {
  readonly wake: Effect.Effect<void>
  /** Waits for the next wake-up. */
  readonly next: Effect.Effect<void>
}>()("@erpkit/postgres/RelaySignal") {
  static readonly layer = Layer.effect(
    RelaySignal,
    Effect.map(Queue.sliding<void>(1), (queue) => ({
      wake: Effect.asVoid(Queue.offer(queue, undefined)),
      next: Queue.take(queue)
    }))
  )
}
