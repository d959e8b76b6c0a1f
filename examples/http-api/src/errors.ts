/**
 * Domain errors → HTTP statuses. The response bodies are the domain's own `Schema.TaggedError`s
 * (annotated with a status), so a typed client gets back the same `CreditLimitExceeded` value, with
 * its figures, that the command failed with. Tags without a dedicated status become `Rejected` (422)
 * carrying the original tag and message, so no failure is ever reported as a 500.
 */
import { BillingError } from "@erpkit/billing"
import { IdentityError } from "@erpkit/identity"
import { Errors } from "@erpkit/kernel"
import { Effect, Schema } from "effect"
import { HttpApiMiddleware, HttpApiSchema } from "effect/http-api"

/** 400: the input did not decode; `issues[].path` names every failing field. */
export const BadRequest = Errors.ValidationError.pipe(HttpApiSchema.status(400))
/** 403: the actor's role lacks the command's permission. */
export const Forbidden = Errors.Forbidden.pipe(HttpApiSchema.status(403))
/** 404: not found, or in another tenant (the two look the same on purpose). */
export const NotFound = Errors.NotFound.pipe(HttpApiSchema.status(404))
/** 409: the credit check failed; the body carries `availableMinor` and `requestedMinor`. */
export const CreditLimitExceeded = BillingError.CreditLimitExceeded.pipe(HttpApiSchema.status(409))
/** 409: an `Idempotency-Key` sent again with another request. */
export const IdempotencyKeyReused = Errors.IdempotencyKeyReused.pipe(HttpApiSchema.status(409))
/** 409: an `Idempotency-Key` sent again for a command whose result held a secret: it succeeded, do not retry. */
export const ReplayWithheld = Errors.ReplayWithheld.pipe(HttpApiSchema.status(409))
/** 409: a concurrent change or a uniqueness conflict. */
export const Conflict = Errors.Conflict.pipe(HttpApiSchema.status(409))
/** 409: the record changed since it was read (optimistic concurrency): read it again. */
export const StaleVersion = Errors.StaleVersion.pipe(HttpApiSchema.status(409))
/** 409: another user has this e-mail address. */
export const EmailTaken = IdentityError.EmailTaken.pipe(HttpApiSchema.status(409))
/** 409: a live organization already has this BIN. */
export const BinTaken = IdentityError.BinTaken.pipe(HttpApiSchema.status(409))
/** 409: a live department of the organization already has this code. */
export const DepartmentCodeTaken = IdentityError.DepartmentCodeTaken.pipe(HttpApiSchema.status(409))
/** 409: a live employee of the organization already has this employee number. */
export const EmployeeNumberTaken = IdentityError.EmployeeNumberTaken.pipe(HttpApiSchema.status(409))
/** 409: the user is already an employee of the organization. */
export const AlreadyEmployed = IdentityError.AlreadyEmployed.pipe(HttpApiSchema.status(409))
/** 409: the user is already a member of the organization. */
export const AlreadyMember = IdentityError.AlreadyMember.pipe(HttpApiSchema.status(409))
/** 409: a setting with this key exists at this scope. */
export const SettingKeyTaken = IdentityError.SettingKeyTaken.pipe(HttpApiSchema.status(409))
/** 409: the state refuses the deletion (sub-departments, other memberships, the workspace in use). */
export const DepartmentHasChildren = IdentityError.DepartmentHasChildren.pipe(HttpApiSchema.status(409))
export const UserStillMember = IdentityError.UserStillMember.pipe(HttpApiSchema.status(409))
export const WorkspaceInUse = IdentityError.WorkspaceInUse.pipe(HttpApiSchema.status(409))
/** 409: the provider account is already linked. */
export const AccountLinked = IdentityError.AccountLinked.pipe(HttpApiSchema.status(409))
/** 409: the invoice's state refuses the request (viewing a Draft; deleting an issued invoice: void it instead). */
export const InvoiceNotSent = BillingError.InvoiceNotSent.pipe(HttpApiSchema.status(409))
export const InvoiceNotDraft = BillingError.InvoiceNotDraft.pipe(HttpApiSchema.status(409))
/** 409: the shipment already has a Bill of Lading, with other data. */
export const BillOfLadingExists = BillingError.BillOfLadingExists.pipe(HttpApiSchema.status(409))
/** 409: another accounting-sync run took the sync over; nothing was recorded. */
export const SyncLeaseLost = BillingError.SyncLeaseLost.pipe(HttpApiSchema.status(409))
/** 401: the session's user was deleted since the session was read: sign in again. */
export const ActorUnknown = IdentityError.ActorUnknown.pipe(HttpApiSchema.status(401))
/** 503: the database is unavailable; `retryable` and `outcome` say whether to retry. */
export const ServiceUnavailable = Errors.StorageUnavailable.pipe(HttpApiSchema.status(503))

/** 401: no session, an expired one, or wrong credentials. */
export class Unauthorized
  extends Schema.TaggedError<Unauthorized>()("Unauthorized", { reason: Schema.String }, { httpApiStatus: 401 })
{}

/** 422: any other domain rule the request broke (`InvalidTransition`, `PaymentExceedsOutstanding`, …). */
export class Rejected extends Schema.TaggedError<Rejected>()(
  "Rejected",
  {
    /** The domain error's `_tag`. */
    error: Schema.String,
    message: Schema.String
  },
  { httpApiStatus: 422 }
) {}

/** Every error an endpoint of this API may answer with. */
export const ApiErrors = [
  BadRequest,
  Forbidden,
  NotFound,
  CreditLimitExceeded,
  IdempotencyKeyReused,
  ReplayWithheld,
  Conflict,
  StaleVersion,
  EmailTaken,
  BinTaken,
  DepartmentCodeTaken,
  EmployeeNumberTaken,
  AlreadyEmployed,
  AlreadyMember,
  SettingKeyTaken,
  AccountLinked,
  DepartmentHasChildren,
  UserStillMember,
  WorkspaceInUse,
  InvoiceNotSent,
  InvoiceNotDraft,
  BillOfLadingExists,
  SyncLeaseLost,
  ActorUnknown,
  ServiceUnavailable,
  Unauthorized,
  Rejected
] as const

/** The union of the error bodies. */
export type ApiError =
  | Errors.ValidationError
  | Errors.Forbidden
  | Errors.NotFound
  | BillingError.CreditLimitExceeded
  | Errors.IdempotencyKeyReused
  | Errors.ReplayWithheld
  | Errors.Conflict
  | Errors.StaleVersion
  | IdentityError.EmailTaken
  | IdentityError.BinTaken
  | IdentityError.DepartmentCodeTaken
  | IdentityError.EmployeeNumberTaken
  | IdentityError.AlreadyEmployed
  | IdentityError.AlreadyMember
  | IdentityError.SettingKeyTaken
  | IdentityError.AccountLinked
  | IdentityError.DepartmentHasChildren
  | IdentityError.UserStillMember
  | IdentityError.WorkspaceInUse
  | IdentityError.ActorUnknown
  | BillingError.InvoiceNotSent
  | BillingError.InvoiceNotDraft
  | BillingError.BillOfLadingExists
  | BillingError.SyncLeaseLost
  | Errors.StorageUnavailable
  | Unauthorized
  | Rejected

const passThrough: ReadonlyArray<new(...args: ReadonlyArray<never>) => ApiError> = [
  Errors.ValidationError,
  Errors.Forbidden,
  Errors.NotFound,
  BillingError.CreditLimitExceeded,
  Errors.IdempotencyKeyReused,
  Errors.ReplayWithheld,
  Errors.Conflict,
  Errors.StaleVersion,
  IdentityError.EmailTaken,
  IdentityError.BinTaken,
  IdentityError.DepartmentCodeTaken,
  IdentityError.EmployeeNumberTaken,
  IdentityError.AlreadyEmployed,
  IdentityError.AlreadyMember,
  IdentityError.SettingKeyTaken,
  IdentityError.AccountLinked,
  IdentityError.DepartmentHasChildren,
  IdentityError.UserStillMember,
  IdentityError.WorkspaceInUse,
  IdentityError.ActorUnknown,
  BillingError.InvoiceNotSent,
  BillingError.InvoiceNotDraft,
  BillingError.BillOfLadingExists,
  BillingError.SyncLeaseLost,
  Errors.StorageUnavailable,
  Unauthorized,
  Rejected
]

/** A domain failure as one of the API's error bodies. */
export const toApiError = (error: { readonly _tag: string; readonly message?: string }): ApiError => {
  if (passThrough.some((type) => error instanceof type)) return error as ApiError
  // SessionInvalid is identity's "who are you?": the HTTP answer is 401
  if (error._tag === "SessionInvalid") {
    return new Unauthorized({ reason: error.message ?? "session is invalid or expired" })
  }
  return new Rejected({ error: error._tag, message: error.message ?? error._tag })
}

/** Maps the failures of a command or query to the API's error bodies. */
export const mapDomainErrors = <A, E extends { readonly _tag: string; readonly message?: string }, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, ApiError, R> => Effect.mapError(effect, toApiError)

/**
 * A body or query string that does not even have the encoded shape (a number where a string goes)
 * fails in `HttpApi`'s own decoding, before the command runs. This middleware answers it like the
 * command would: `ValidationError` (400) with one issue per failing path.
 */
export class SchemaErrors
  extends HttpApiMiddleware.Service<SchemaErrors>()("example/SchemaErrors", { error: BadRequest })
{}

/** `SchemaErrors`' implementation. */
export const layerSchemaErrors = HttpApiMiddleware.layerSchemaErrorTransform(
  SchemaErrors,
  (error) => Effect.fail(Errors.fromSchemaIssue(error.cause.issue))
)
