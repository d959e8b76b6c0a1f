/**
 * Sessions (seed 002 `session`). The bearer token is handed out once, at creation; only its SHA-256
 * hash is stored, so a leaked table does not leak live sessions (AUTH-10). The core fields are
 * immutable (AUTH-13): the only update is `patch`, which touches `ipAddress` and `userAgent`.
 */
import { Result, Schema } from "effect"
import { Errors, Ids, Instant, Tenant, Text } from "@erpkit/kernel"

export const SessionId = Ids.makeId("SessionId")
export type SessionId = typeof SessionId.Type

export class Session extends Schema.Class<Session>("Session")({
  id: SessionId,
  /** SHA-256 hex of the token. */
  tokenHash: Schema.String,
  userId: Ids.UserId,
  /** The tenant the session acts in (better-auth's active organization). */
  tenant: Tenant.Tenant,
  /** UTC epoch milliseconds. */
  createdAt: Instant.Instant,
  expiresAt: Instant.Instant,
  ipAddress: Schema.NullOr(Schema.String),
  userAgent: Schema.NullOr(Schema.String)
}) {}

/** What a caller sees of a session: never the token hash. */
export class SessionView extends Schema.Class<SessionView>("SessionView")({
  id: SessionId,
  userId: Ids.UserId,
  tenant: Tenant.Tenant,
  createdAt: Instant.Instant,
  expiresAt: Instant.Instant,
  ipAddress: Schema.NullOr(Schema.String),
  userAgent: Schema.NullOr(Schema.String)
}) {}

export const view = ({ tokenHash: _, ...rest }: Session): SessionView => new SessionView(rest)

export const immutableFields = ["id", "token", "tokenHash", "userId", "tenant", "createdAt", "expiresAt"] as const
export const mutableFields = ["ipAddress", "userAgent"] as const

export interface NewSession {
  readonly id: SessionId
  readonly tokenHash: string
  readonly userId: Ids.UserId
  readonly tenant: Tenant.Tenant
  readonly now: number
  readonly expiresAt: number
  readonly ipAddress: string | null
  readonly userAgent: string | null
}

/** AUTH-12: a session must expire strictly after it is created. */
export const create = (input: NewSession): Result.Result<Session, Errors.ValidationError> =>
  input.expiresAt > input.now
    ? Result.succeed(
      new Session({
        id: input.id,
        tokenHash: input.tokenHash,
        userId: input.userId,
        tenant: input.tenant,
        createdAt: input.now,
        expiresAt: input.expiresAt,
        ipAddress: input.ipAddress,
        userAgent: input.userAgent
      })
    )
    : Result.fail(Errors.ValidationError.at(["expiresAt"], "must be in the future"))

const MetadataValue = Schema.NullOr(Text.Bounded(1024))
const isMetadataValue = Schema.is(MetadataValue)

/**
 * AUTH-13: applies a requested change. Any immutable field in `changes` is refused with `Immutable`
 * (even if its value is unchanged: the caller asked to write it); unknown fields are invalid input.
 */
export const patch = (
  session: Session,
  changes: Readonly<Record<string, unknown>>
): Result.Result<Session, Errors.Immutable | Errors.ValidationError> => {
  const keys = Object.keys(changes)
  const frozen = keys.find((k) => (immutableFields as ReadonlyArray<string>).includes(k))
  if (frozen !== undefined) {
    return Result.fail(new Errors.Immutable({ entity: "Session", id: session.id, state: `field ${frozen}` }))
  }
  const unknown = keys.find((k) => !(mutableFields as ReadonlyArray<string>).includes(k))
  if (unknown !== undefined) return Result.fail(Errors.ValidationError.at(["changes", unknown], "unknown field"))
  const updates: Partial<Record<(typeof mutableFields)[number], string | null>> = {}
  for (const field of mutableFields) {
    if (!(field in changes)) continue
    const value = changes[field]
    if (!isMetadataValue(value)) {
      return Result.fail(Errors.ValidationError.at(["changes", field], "must be a string (≤ 1024) or null"))
    }
    updates[field] = value
  }
  return Result.succeed(new Session({ ...session, ...updates }))
}

/** AUTH-15: the predicate the cleanup job applies in one statement. */
export const isExpired = (session: Session, now: number): boolean => session.expiresAt <= now
