/**
 * The HTTP server: the API, its OpenAPI document (`/openapi.json`) and Scalar reference (`/docs`),
 * and the back-office page (`/`), on Node's HTTP server.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer } from "effect"
import { HttpRouter, HttpServer, HttpServerResponse } from "effect/http"
import { HttpApiBuilder, HttpApiScalar } from "effect/http-api"
import { createServer } from "node:http"
import { ErpApi } from "./Api.ts"
import { layerAuthentication } from "./Authentication.ts"
import { layerSchemaErrors } from "./errors.ts"
import { AuthLive, BillingLive, IdentityLive, SessionLive } from "./handlers.ts"
import { pageHtml } from "./page.ts"

/** The routes: API, OpenAPI document, Scalar, page. Needs the domain services. */
export const routes = Layer.mergeAll(
  HttpApiBuilder.layer(ErpApi, { openapiPath: "/openapi.json" }).pipe(
    Layer.provide([AuthLive, SessionLive, IdentityLive, BillingLive]),
    Layer.provide([layerAuthentication, layerSchemaErrors])
  ),
  HttpApiScalar.layer(ErpApi, { path: "/docs" }),
  HttpRouter.add("GET", "/", HttpServerResponse.html(pageHtml))
)

/** Where to listen. Tests use `{ host: "127.0.0.1", port: 0 }` (a free port). */
export interface Listen {
  readonly host: string
  readonly port: number
  /** Log every request (default true; tests turn it off). */
  readonly logRequests?: boolean
}

/** The server listening on `listen`, serving `routes` (the domain still to be provided). */
export const layerServer = (listen: Listen) =>
  HttpRouter.serve(routes, { disableListenLog: true, disableLogger: listen.logRequests === false }).pipe(
    Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { host: listen.host, port: listen.port }))
  )

/** The base URL the server listens on (with the port the OS picked for port 0), e.g. `http://127.0.0.1:41234`. */
export const baseUrl = HttpServer.addressFormattedWith((address) => Effect.succeed(address))
