/**
 * Identity's `SessionRepository` port over the host's `MapStore` (sessions are global: keyed by id,
 * looked up by token hash), while every other identity port stays in memory.
 */
import { Session, SessionRepository } from "@erpkit/identity"
import { Errors } from "@erpkit/kernel"
import { Effect, Layer, Option } from "effect"
import { MapStore } from "./MapStore.ts"

/** The port on the `MapStore` of the context. */
export const layer: Layer.Layer<SessionRepository, never, MapStore> = Layer.effect(
  SessionRepository,
  Effect.map(MapStore, (store) => {
    const rows = store.table<Session.Session>("sessions")
    const find = (predicate: (s: Session.Session) => boolean) => Effect.map(rows.values, (all) => all.filter(predicate))
    const removeAll = (found: ReadonlyArray<Session.Session>) =>
      Effect.as(Effect.forEach(found, (s) => rows.remove(s.id), { discard: true }), found)
    return {
      // the token hash is unique: checked and written in one transaction of the store
      insert: (session) =>
        store.transaction(Effect.gen(function*() {
          const clash = yield* find((s) => s.id === session.id || s.tokenHash === session.tokenHash)
          if (clash.length > 0) {
            return yield* new Errors.Conflict({ entity: "Session", reason: "token or id already exists" })
          }
          yield* rows.put(session.id, session)
        })),
      findById: rows.get,
      findByTokenHash: (hash) =>
        Effect.map(find((s) => s.tokenHash === hash), (found) => Option.fromNullishOr(found[0])),
      listByUser: (userId) => find((s) => s.userId === userId),
      updateMetadata: (id, metadata) =>
        store.transaction(Effect.gen(function*() {
          const found = yield* rows.get(id)
          if (Option.isNone(found)) return yield* new Errors.NotFound({ entity: "Session", id })
          yield* rows.put(
            id,
            new Session.Session({ ...found.value, ipAddress: metadata.ipAddress, userAgent: metadata.userAgent })
          )
        })),
      remove: (id) =>
        store.transaction(Effect.tap(rows.get(id), (found) => (Option.isSome(found) ? rows.remove(id) : Effect.void))),
      removeByUser: (userId) => store.transaction(Effect.flatMap(find((s) => s.userId === userId), removeAll)),
      // bounded, earliest expiry first
      deleteExpired: (now, limit) =>
        store.transaction(
          Effect.flatMap(
            find((s) => Session.isExpired(s, now)),
            (found) => removeAll([...found].sort((a, b) => a.expiresAt - b.expiresAt).slice(0, Math.max(0, limit)))
          )
        )
    }
  })
)
