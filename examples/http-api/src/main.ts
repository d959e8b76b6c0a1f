/**
 * erpkit behind HTTP: `npx -y pnpm@10 http-api`.
 *
 * Serves the API (see `/docs` for the Scalar reference, `/openapi.json` for the document) and the
 * back-office page at `/`, on PGlite in memory or the server in DATABASE_URL. HOST and PORT choose
 * where it listens (default 127.0.0.1:3000); OTEL_EXPORTER_OTLP_ENDPOINT exports traces and metrics.
 * The worker (outbox relay, scheduled jobs) runs alongside; Ctrl-C stops both gracefully.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Console, Effect, Layer } from "effect"
import * as Domain from "./domain.ts"
import * as Telemetry from "./telemetry.ts"
import { baseUrl, layerServer } from "./server.ts"
import { layerWorker } from "./worker.ts"

const listen = { host: process.env["HOST"] ?? "127.0.0.1", port: Number(process.env["PORT"] ?? 3000) }
const database = process.env["DATABASE_URL"] ? "PostgreSQL (DATABASE_URL)" : "embedded PGlite (in memory)"

const announce = Layer.effectDiscard(
  Effect.flatMap(
    baseUrl,
    (url) => Console.log(`erpkit http-api on ${database}: ${url}/ (page), ${url}/docs (API reference)`)
  )
)

// the worker (outbox relay + jobs) runs in the same process unless ERPKIT_WORKER=off (then run it elsewhere)
const worker = process.env["ERPKIT_WORKER"] === "off" ? Layer.empty : layerWorker()
const app = Layer.merge(announce.pipe(Layer.provideMerge(layerServer(listen))), worker).pipe(
  Layer.provide(Domain.layerFromEnv()),
  // OTEL_EXPORTER_OTLP_ENDPOINT set: traces (HTTP request → command → SQL) and metrics go to the collector
  Layer.provide(Telemetry.layerFromEnv)
)

NodeRuntime.runMain(Layer.launch(app))
