/**
 * The e-mail verification codes port (global, like the auth tables). `markUsed` is a conditional
 * update (Postgres: `UPDATE … SET used_at = $2 WHERE id = $1 AND used_at IS NULL`), so two
 * concurrent uses of one code cannot both succeed (AUTH-20 single use).
 */
import { Context, Effect, Layer, Option } from "effect"
import { Errors, type Ids, MemoryStore } from "@erpkit/kernel"
import { isExpired, Verification, type VerificationId, type VerificationType } from "./Verification.ts"

export class VerificationRepository extends Context.Service<VerificationRepository, {
  readonly insert: (v: Verification) => Effect.Effect<void, Errors.Conflict>
  readonly findById: (id: VerificationId) => Effect.Effect<Option.Option<Verification>>
  /** Codes sent to the address for the purpose, newest first. */
  readonly listFor: (emailKey: string, type: VerificationType) => Effect.Effect<ReadonlyArray<Verification>>
  /** Sets `usedAt` if the code is still unused; whether it did. */
  readonly markUsed: (id: VerificationId, usedAt: number) => Effect.Effect<boolean>
  /** Deletes the user's codes and returns them (their deletion is audited without the hash). */
  readonly removeByUser: (userId: Ids.UserId) => Effect.Effect<ReadonlyArray<Verification>>
  /** Deletes up to `limit` expired codes; how many. */
  readonly deleteExpired: (now: number, limit: number) => Effect.Effect<number>
}>()("@erpkit/identity/VerificationRepository") {
  static readonly layerMemory = Layer.effect(
    VerificationRepository,
    Effect.map(MemoryStore.MemoryStore, (store) => {
      const rows = store.table<Verification>("auth.email_verifications")
      const removeAll = (found: ReadonlyArray<Verification>) =>
        Effect.as(Effect.forEach(found, (v) => rows.remove(v.id), { discard: true }), found.length)
      return {
        insert: (v) =>
          store.transaction(Effect.gen(function*() {
            if (Option.isSome(yield* rows.get(v.id))) {
              return yield* new Errors.Conflict({ entity: "Verification", reason: "id exists" })
            }
            yield* rows.put(v.id, v)
          })),
        findById: (id) => rows.get(id),
        listFor: (emailKey, type) =>
          Effect.map(
            rows.find((v) => v.emailKey === emailKey && v.type === type),
            (found) => [...found].sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
          ),
        markUsed: (id, usedAt) =>
          store.transaction(Effect.gen(function*() {
            const found = yield* rows.get(id)
            if (Option.isNone(found) || found.value.usedAt !== null) return false
            yield* rows.put(id, new Verification({ ...found.value, usedAt }))
            return true
          })),
        removeByUser: (userId) =>
          store.transaction(
            Effect.flatMap(rows.find((v) => v.userId === userId), (found) => Effect.as(removeAll(found), found))
          ),
        deleteExpired: (now, limit) =>
          store.transaction(
            Effect.flatMap(
              rows.find((v) => isExpired(v, now)),
              (found) => removeAll(found.slice(0, Math.max(0, limit)))
            )
          )
      }
    })
  )
}
