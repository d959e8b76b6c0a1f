/**
 * The API's handlers. Each billing endpoint is one line: take the actor from the session, pass the
 * decoded (encoded-form) body and the `Idempotency-Key`, map the domain errors to HTTP bodies.
 */
import { ClientAccounts, Invoices, Payments } from "@erpkit/billing"
import { Access, IdentityError, Memberships, Organizations, Sessions, Users } from "@erpkit/identity"
import { Actor, type Command } from "@erpkit/kernel"
import { Effect, Option } from "effect"
import { HttpApiBuilder } from "effect/http-api"
import { ErpApi } from "./Api.ts"
import { CurrentSession, sessionCookie } from "./Authentication.ts"
import { Credentials, RootTenant, TenantDirectory } from "./Credentials.ts"
import { mapDomainErrors, Unauthorized } from "./errors.ts"
import { measured } from "./telemetry.ts"

/** The decoded `Idempotency-Key` header of a command request. */
type IdempotencyHeaders = { readonly "idempotency-key"?: string }

/** Runs a command as the session's actor, with the request's `Idempotency-Key` if it sent one. */
const runCommand =
  <I, IE, O, E extends { readonly _tag: string }, R>(command: Command.Command<I, IE, O, E, R>) =>
  ({ headers, payload }: { readonly payload: IE; readonly headers: IdempotencyHeaders }) =>
    CurrentSession.use(({ actor }) => {
      const key = headers["idempotency-key"]
      return mapDomainErrors(
        command(actor, payload, key === undefined ? undefined : { idempotencyKey: key }).pipe(measured(command.name))
      )
    })

/** Runs a query as the session's actor on the request's query string. */
const runQuery =
  <I, IE, O, E extends { readonly _tag: string }, R>(query: Command.Query<I, IE, O, E, R>) =>
  ({ query: input }: { readonly query: IE }) =>
    CurrentSession.use(({ actor }) => mapDomainErrors(query(actor, input).pipe(measured(query.name))))

/** Billing: every endpoint is a command or a query of `@erpkit/billing`. */
export const BillingLive = HttpApiBuilder.group(
  ErpApi,
  "billing",
  (handlers) =>
    handlers.handle("openAccount", runCommand(ClientAccounts.openAccount)).handle(
      "setCreditTerms",
      runCommand(ClientAccounts.setCreditTerms)
    ).handle("getAccount", runQuery(ClientAccounts.getAccount)).handle(
      "accountStatement",
      runQuery(ClientAccounts.accountStatement)
    ).handle("createInvoice", runCommand(Invoices.createInvoice)).handle(
      "issueInvoice",
      runCommand(Invoices.issueInvoice)
    ).handle("getInvoice", runQuery(Invoices.getInvoice)).handle("listInvoices", runQuery(Invoices.listInvoices))
      .handle("recordPayment", runCommand(Payments.recordPayment)).handle(
        "listPayments",
        runQuery(Payments.listPayments)
      )
)

/**
 * Sign-up as the host's trusted code runs it (docs/identity.md): the organization (system actor of
 * the root tenant), its first user (anonymous in the new tenant), the user made Admin (system actor
 * of the new tenant), then the password. A taken e-mail fails at `register`, before any password.
 */
const signUp = ({ payload }: { readonly payload: typeof import("./Api.ts").SignUp.Type }) =>
  Effect.gen(function*() {
    const root = yield* RootTenant
    // a known e-mail is refused before anything is written (register would refuse it after the organization)
    if (Option.isSome(yield* (yield* Credentials).find(payload.user.email))) {
      return yield* new IdentityError.EmailTaken()
    }
    const opened = yield* Organizations.createOrganization(Actor.system(root), payload.organization)
    const tenant = { organizationId: opened.organization.id, workspaceId: opened.workspace.id }
    const { user, verification } = yield* Users.register(Access.anonymous(tenant), payload.user)
    yield* Memberships.assignRole(Actor.system(tenant), { userId: user.id, role: "Admin" })
    yield* (yield* Credentials).save(payload.user.email, payload.password, { userId: user.id, tenant })
    yield* (yield* TenantDirectory).add(tenant)
    return { organization: opened, user, verificationCode: verification.code }
  }).pipe(mapDomainErrors)

/** Checks the password, opens a session in the user's home tenant, sets the session cookie. */
const signIn = ({ payload }: { readonly payload: { readonly email: string; readonly password: string } }) =>
  Effect.gen(function*() {
    const login = yield* (yield* Credentials).check(payload.email, payload.password)
    if (Option.isNone(login)) return yield* new Unauthorized({ reason: "wrong e-mail or password" })
    const created = yield* Sessions.createSession(Actor.system(login.value.tenant), { userId: login.value.userId })
    // HttpOnly: the page's script never sees the token; SameSite=Strict: no cross-site request carries it.
    // Behind TLS a host adds `secure: true` (this example serves plain HTTP on loopback).
    yield* HttpApiBuilder.securitySetCookie(sessionCookie, created.token, {
      httpOnly: true,
      sameSite: "strict",
      path: "/"
    })
    return created
  }).pipe(mapDomainErrors)

/** The public endpoints. */
export const AuthLive = HttpApiBuilder.group(
  ErpApi,
  "auth",
  (handlers) =>
    handlers.handle("signUp", signUp).handle("verifyEmail", ({ payload }) =>
      Effect.gen(function*() {
        // the code proves the address; it is checked in the user's own tenant
        const login = yield* (yield* Credentials).find(payload.email)
        const tenant = Option.isSome(login) ? login.value.tenant : yield* RootTenant
        return yield* Users.verifyEmail(Access.anonymous(tenant), payload)
      }).pipe(mapDomainErrors)).handle("signIn", signIn)
)

/**
 * A colleague in the Admin's own organization (the tenant is the session's): registered there, given
 * the role by the Admin (who needs `identity.user.assignRole`), then the password.
 */
const addMember = ({ payload }: { readonly payload: typeof import("./Api.ts").AddMember.Type }) =>
  Effect.gen(function*() {
    const { actor } = yield* CurrentSession
    const { user, verification } = yield* Users.register(Access.anonymous(actor.tenant), payload.user)
    const membership = yield* Memberships.assignRole(actor, { userId: user.id, role: payload.role })
    yield* (yield* Credentials).save(payload.user.email, payload.password, { userId: user.id, tenant: actor.tenant })
    return { user, membership, verificationCode: verification.code }
  }).pipe(mapDomainErrors)

/** The organization's people. */
export const IdentityLive = HttpApiBuilder.group(
  ErpApi,
  "identity",
  (handlers) => handlers.handle("addMember", addMember)
)

/** The caller's own session. */
export const SessionLive = HttpApiBuilder.group(
  ErpApi,
  "session",
  (handlers) =>
    handlers.handle("me", () => CurrentSession.use(Effect.succeed)).handle(
      "signOut",
      ({ request }) =>
        Effect.gen(function*() {
          const { actor } = yield* CurrentSession
          const token = request.cookies[sessionCookie.key] ??
            (request.headers["authorization"] ?? "").replace(/^Bearer\s+/i, "")
          return yield* Sessions.logout(actor, { token })
        }).pipe(mapDomainErrors)
    )
)
