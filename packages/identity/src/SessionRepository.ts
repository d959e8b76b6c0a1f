/**
 * The sessions port (global `auth.session`). There is deliberately no general `update`: the only
 * write after insert is `updateMetadata` (AUTH-13), so no adapter can change a core field. Cleanup
 * is one set-based operation (`deleteExpired`; Postgres: `DELETE … WHERE expires_at <= $1 RETURNING`).
 */
import { Context, Effect, Layer, Option } from "effect"
import { Errors, type Ids, MemoryStore } from "@erpkit/kernel"
import { isExpired, Session, type SessionId } from "./Session.ts"

export class SessionRepository extends Context.Service<SessionRepository, {
  /** `Conflict` when the token hash is taken (AUTH-10; Postgres: unique index on `token_hash`). */
  readonly insert: (session: Session) => Effect.Effect<void, Errors.Conflict>
  readonly findById: (id: SessionId) => Effect.Effect<Option.Option<Session>>
  readonly findByTokenHash: (tokenHash: string) => Effect.Effect<Option.Option<Session>>
  readonly listByUser: (userId: Ids.UserId) => Effect.Effect<ReadonlyArray<Session>>
  readonly updateMetadata: (
    id: SessionId,
    metadata: { readonly ipAddress: string | null; readonly userAgent: string | null }
  ) => Effect.Effect<void, Errors.NotFound>
  /** The deleted session, if it existed. */
  readonly remove: (id: SessionId) => Effect.Effect<Option.Option<Session>>
  readonly removeByUser: (userId: Ids.UserId) => Effect.Effect<ReadonlyArray<Session>>
  /** Deletes up to `limit` sessions with `expiresAt <= now` and returns them (AUTH-15). */
  readonly deleteExpired: (now: number, limit: number) => Effect.Effect<ReadonlyArray<Session>>
}>()("@erpkit/identity/SessionRepository") {
  static readonly layerMemory = Layer.effect(
    SessionRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = store.table<Session>("auth.sessions")
      const removeAll = (found: ReadonlyArray<Session>) =>
        Effect.as(Effect.forEach(found, (s) => rows.remove(s.id), { discard: true }), found)
      return {
        insert: (session) =>
          store.transaction(Effect.gen(function*() {
            const clash = yield* rows.find((s) => s.tokenHash === session.tokenHash || s.id === session.id)
            if (clash.length > 0) {
              return yield* new Errors.Conflict({ entity: "Session", reason: "token or id already exists" })
            }
            yield* rows.put(session.id, session)
          })),
        findById: (id) => rows.get(id),
        findByTokenHash: (hash) =>
          Effect.map(rows.find((s) => s.tokenHash === hash), (f) => Option.fromNullishOr(f[0])),
        listByUser: (userId) => Effect.map(rows.find((s) => s.userId === userId), MemoryStore.inCreationOrder),
        updateMetadata: (id, metadata) =>
          store.transaction(Effect.gen(function*() {
            const found = yield* rows.get(id)
            if (Option.isNone(found)) return yield* new Errors.NotFound({ entity: "Session", id })
            yield* rows.put(
              id,
              new Session({ ...found.value, ipAddress: metadata.ipAddress, userAgent: metadata.userAgent })
            )
          })),
        remove: (id) =>
          store.transaction(
            Effect.tap(rows.get(id), (found) => (Option.isSome(found) ? rows.remove(id) : Effect.void))
          ),
        removeByUser: (userId) => store.transaction(Effect.flatMap(rows.find((s) => s.userId === userId), removeAll)),
        deleteExpired: (now, limit) =>
          store.transaction(
            Effect.flatMap(
              rows.find((s) => isExpired(s, now)),
              (found) => removeAll([...found].sort((a, b) => a.expiresAt - b.expiresAt).slice(0, Math.max(0, limit)))
            )
          )
      }
    })
  )
}
