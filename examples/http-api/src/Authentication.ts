/**
 * Who is calling: the session token (bearer header or session cookie) → `Sessions.authenticate` →
 * the `Actor` every command runs as. The tenant comes from the session, never from the request.
 */
import { Access, Sessions } from "@erpkit/identity"
import type { Errors, Tenant } from "@erpkit/kernel"
import { Context, Effect, Layer, Redacted } from "effect"
import { HttpApiMiddleware, HttpApiSecurity } from "effect/http-api"
import { ServiceUnavailable, Unauthorized } from "./errors.ts"
import { RootTenant } from "./Credentials.ts"

/** The name of the session cookie sign-in sets (HttpOnly, SameSite=Strict). */
export const sessionCookieName = "erpkit_session"

/** The session cookie as an OpenAPI security scheme. */
export const sessionCookie = HttpApiSecurity.apiKey({ in: "cookie", key: sessionCookieName })

/** The authenticated caller of the current request: session, user, membership and `actor`. */
export class CurrentSession
  extends Context.Service<CurrentSession, typeof Sessions.Authenticated.Type>()("example/CurrentSession")
{}

/** Requires a live session on every endpoint of the groups it is applied to. */
export class Authentication
  extends HttpApiMiddleware.Service<Authentication, { provides: CurrentSession }>()("example/Authentication", {
    // the session lookup needs the database: when it is down the answer is 503, not 401
    error: [Unauthorized, ServiceUnavailable],
    security: { bearer: HttpApiSecurity.bearer, cookie: sessionCookie }
  })
{}

/**
 * Any token → the session behind it, or `Unauthorized` (unknown, expired, banned, no membership), or
 * `StorageUnavailable` when the database cannot answer.
 */
export const authenticate = (tenant: Tenant.Tenant, token: Redacted.Redacted<string>) =>
  Sessions.authenticate(Access.anonymous(tenant), { token: Redacted.value(token) }).pipe(
    Effect.mapError((error): Errors.StorageUnavailable | Unauthorized =>
      error._tag === "StorageUnavailable" ? error : new Unauthorized({ reason: "no valid session" })
    )
  )

/**
 * The middleware's implementation. `authenticate` runs as the anonymous actor of the root tenant:
 * the session itself names its tenant, which the returned actor carries.
 */
export const layerAuthentication = Layer.effect(
  Authentication,
  Effect.gen(function*() {
    const root = yield* RootTenant
    const services = yield* Effect.context<Effect.Services<ReturnType<typeof authenticate>>>()
    const check = (token: Redacted.Redacted<string>) => Effect.provide(authenticate(root, token), services)
    return {
      bearer: (effect, { credential }) =>
        Effect.flatMap(check(credential), (session) => Effect.provideService(effect, CurrentSession, session)),
      cookie: (effect, { credential }) =>
        Effect.flatMap(check(credential), (session) => Effect.provideService(effect, CurrentSession, session))
    }
  })
)
