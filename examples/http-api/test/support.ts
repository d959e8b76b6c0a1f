/**
 * Test support: the whole server on a loopback port (127.0.0.1, port 0) over PGlite, and the typed
 * client for it. Each test file starts one server and disposes it at the end.
 */
import { Organization } from "@erpkit/identity"
import { Postgres } from "@erpkit/postgres"
import { Effect, Layer, ManagedRuntime } from "effect"
import { FetchHttpClient, HttpClient, HttpClientRequest } from "effect/http"
import { HttpApiClient } from "effect/http-api"
import { ErpApi } from "../src/Api.ts"
import * as Domain from "../src/domain.ts"
import { baseUrl, layerServer } from "../src/server.ts"

/** The server on PGlite in memory, listening on a free loopback port. */
export const startServer = async <A = never>(telemetry?: Layer.Layer<A>) => {
  const layer = layerServer({ host: "127.0.0.1", port: 0, logRequests: false }).pipe(
    Layer.provide(Domain.layerOver(Postgres.layerEmbedded({}, { modules: Domain.modules }))),
    Layer.provide(telemetry ?? Layer.empty)
  )
  const runtime = ManagedRuntime.make(layer)
  const url = await runtime.runPromise(baseUrl)
  return { url, dispose: () => runtime.dispose() }
}

/** The typed client, optionally signed in with a bearer token. */
export const client = (url: string, token?: string) =>
  HttpApiClient.make(ErpApi, {
    baseUrl: url,
    transformClient: token === undefined ? undefined : HttpClient.mapRequest(HttpClientRequest.bearerToken(token))
  }).pipe(Effect.provide(FetchHttpClient.layer))

/** Runs a client effect to a promise. */
export const run = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect)

/** Runs a client effect and returns its failure (the test expects one). */
export const failure = <A, E>(effect: Effect.Effect<A, E>): Promise<E> => Effect.runPromise(Effect.flip(effect))

/** A 12-digit BIN with a valid check digit (identity refuses others). */
export const validBin = (): string => {
  for (let i = 0; i < 1000; i++) {
    const body = String(Math.floor(Math.random() * 1e11)).padStart(11, "0")
    const digit = Organization.binCheckDigit(`${body}0`)
    if (digit !== undefined) return `${body}${digit}`
  }
  throw new Error("no valid BIN in 1000 tries")
}

let counter = 0

/** Signs up a new organization with its Admin, verifies the e-mail and signs in; returns the token. */
export const signUpAndIn = async (url: string, label: string) => {
  const api = await run(client(url))
  const email = `${label}-${Date.now()}-${counter++}@example.kz`
  const password = "correct horse battery"
  const signedUp = await run(
    api.auth.signUp({
      payload: {
        organization: { name: `${label} LLP`, bin: validBin(), kind: "internal" },
        user: { email, name: label },
        password
      }
    })
  )
  await run(api.auth.verifyEmail({ payload: { email, code: signedUp.verificationCode } }))
  const session = await run(api.auth.signIn({ payload: { email, password } }))
  return { email, password, token: session.token, signedUp, api: await run(client(url, session.token)) }
}

/** The Admin adds a colleague with `role`; the colleague verifies the e-mail and signs in. */
export const memberSignedIn = async (
  url: string,
  admin: Awaited<ReturnType<typeof signUpAndIn>>,
  role: "Finance Manager" | "Sales Rep" | "Dispatcher"
) => {
  const email = `${role.replace(/ /g, "-").toLowerCase()}-${Date.now()}-${counter++}@example.kz`
  const password = "another horse battery"
  const added = await run(admin.api.identity.addMember({ payload: { user: { email, name: role }, role, password } }))
  const api = await run(client(url))
  await run(api.auth.verifyEmail({ payload: { email, code: added.verificationCode } }))
  const session = await run(api.auth.signIn({ payload: { email, password } }))
  return { email, token: session.token, membership: added.membership, api: await run(client(url, session.token)) }
}
