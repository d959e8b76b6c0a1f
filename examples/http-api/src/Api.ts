/**
 * The HTTP API, declared once and shared by the server (`HttpApiBuilder`), the typed client
 * (`HttpApiClient`) and the OpenAPI document (served by Scalar at `/docs`).
 *
 * Endpoints are derived from the commands themselves: the payload (or query string) is the encoded
 * side of `command.input`, the success body is `command.output`. Nothing about a command's shape is
 * written twice. Queries carry no output schema in the kernel, so their success body names the
 * domain schema the query returns (`Invoice`, `AccountTransaction`, …).
 */
import { ClientAccount, ClientAccounts, Invoice, Invoices, Ledger, Payment, Payments } from "@erpkit/billing"
import { Membership, Organizations, Sessions, Users } from "@erpkit/identity"
import { Actor, type Command } from "@erpkit/kernel"
import { Schema } from "effect"
import { HttpApi, HttpApiEndpoint, HttpApiGroup, OpenApi } from "effect/http-api"
import { Authentication } from "./Authentication.ts"
import { ApiErrors, SchemaErrors } from "./errors.ts"

/** The `Idempotency-Key` request header (HTTP headers arrive lower-cased). */
export const IdempotencyHeaders = Schema.Struct({ "idempotency-key": Schema.optionalKey(Schema.String) })

/** A command as a `POST` endpoint: body = encoded input, success = output, `Idempotency-Key` header. */
const command = <const Id extends string, const Path extends `/${string}`, I, IE, O>(
  id: Id,
  path: Path,
  spec: Command.Command<I, IE, O, any, any>
) =>
  HttpApiEndpoint.post(id, path, {
    payload: Schema.toEncoded(spec.input),
    headers: IdempotencyHeaders,
    success: spec.output,
    error: ApiErrors
  })

/** A query as a `GET` endpoint: query string = encoded input, success = the schema it returns. */
const query = <const Id extends string, const Path extends `/${string}`, I, IE, S extends Schema.Top>(
  id: Id,
  path: Path,
  spec: Command.Query<I, IE, S["Type"], any, any>,
  success: S
) => HttpApiEndpoint.get(id, path, { query: Schema.toEncoded(spec.input), success, error: ApiErrors })

/** The password a host checks itself (erpkit stores no passwords). */
const Password = Schema.String.pipe(Schema.check(Schema.isMinLength(8), Schema.isMaxLength(256)))

/** Sign-up: a new organization, its first user (its Admin) and a password, in one request. */
export const SignUp = Schema.Struct({
  organization: Schema.toEncoded(Organizations.createOrganization.input),
  user: Schema.toEncoded(Users.register.input),
  password: Password
})

/**
 * What sign-up returns. The verification code is returned because this example has no mailer: a
 * real host e-mails it and returns nothing secret.
 */
export const SignedUp = Schema.Struct({
  organization: Organizations.Opened,
  user: Users.Registered.fields.user,
  verificationCode: Schema.String
})

/** Sign-in: the e-mail and password the host checks itself. */
export const SignIn = Schema.Struct({ email: Schema.String, password: Schema.String })

/** Public endpoints: they run as the anonymous or system actor, chosen by the server. */
export class AuthGroup extends HttpApiGroup.make("auth").add(
  HttpApiEndpoint.post("signUp", "/auth/sign-up", { payload: SignUp, success: SignedUp, error: ApiErrors }),
  HttpApiEndpoint.post("verifyEmail", "/auth/verify-email", {
    payload: Schema.toEncoded(Users.verifyEmail.input),
    success: Users.verifyEmail.output,
    error: ApiErrors
  }),
  HttpApiEndpoint.post("signIn", "/auth/sign-in", {
    payload: SignIn,
    success: Sessions.CreatedSession,
    error: ApiErrors
  })
).annotate(
  OpenApi.Description,
  "Sign-up, e-mail verification and sign-in (a bearer token and an HttpOnly session cookie)."
) {}

/** The signed-in user: who the session says they are. */
export class SessionGroup extends HttpApiGroup.make("session").add(
  HttpApiEndpoint.get("me", "/auth/me", { success: Sessions.Authenticated, error: ApiErrors }),
  HttpApiEndpoint.post("signOut", "/auth/sign-out", { success: Sessions.logout.output, error: ApiErrors })
).middleware(Authentication) {}

/** An Admin adds a colleague to their organization with a role (and the colleague's first password). */
export const AddMember = Schema.Struct({
  user: Schema.toEncoded(Users.register.input),
  role: Actor.Role,
  password: Password
})

/** The new member; the verification code is returned for the same reason as at sign-up. */
export const MemberAdded = Schema.Struct({
  user: Users.Registered.fields.user,
  membership: Membership.Membership,
  verificationCode: Schema.String
})

/** The organization's people, managed by its Admins. */
export class IdentityGroup extends HttpApiGroup.make("identity").add(
  HttpApiEndpoint.post("addMember", "/identity/members", {
    payload: AddMember,
    success: MemberAdded,
    error: ApiErrors
  })
).middleware(Authentication) {}

/** The back office's billing: accounts, invoices, payments and the ledger, in the session's tenant. */
export class BillingGroup extends HttpApiGroup.make("billing").add(
  command("openAccount", "/billing/accounts", ClientAccounts.openAccount),
  command("setCreditTerms", "/billing/accounts/credit-terms", ClientAccounts.setCreditTerms),
  query("getAccount", "/billing/account", ClientAccounts.getAccount, ClientAccount.ClientAccount),
  query(
    "accountStatement",
    "/billing/ledger",
    ClientAccounts.accountStatement,
    Schema.Array(Ledger.AccountTransaction)
  ),
  command("createInvoice", "/billing/invoices", Invoices.createInvoice),
  command("issueInvoice", "/billing/invoices/issue", Invoices.issueInvoice),
  query("getInvoice", "/billing/invoice", Invoices.getInvoice, Invoice.Invoice),
  query("listInvoices", "/billing/invoices", Invoices.listInvoices, Schema.Array(Invoice.Invoice)),
  command("recordPayment", "/billing/payments", Payments.recordPayment),
  query("listPayments", "/billing/payments", Payments.listPayments, Schema.Array(Payment.Payment))
).middleware(Authentication) {}

/** The whole API (ParseOptions: every failing field is reported, as the commands' own decoding does). */
export class ErpApi extends HttpApi.make("erpkit")
  .add(AuthGroup, SessionGroup, IdentityGroup, BillingGroup)
  .middleware(SchemaErrors)
  .annotate(HttpApi.ParseOptions, { errors: "all" })
  .annotate(OpenApi.Title, "erpkit back office")
{}
