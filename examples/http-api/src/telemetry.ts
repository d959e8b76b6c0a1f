/**
 * OpenTelemetry for the example. The kernel already runs every command and query in a span named
 * after it, with `erpkit.*` attributes (command, tenant, actor, idempotency key, replayed, outcome);
 * the HTTP server adds a span per request around it. This module adds command metrics and, when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set, exports traces and metrics with Effect's OTLP exporter.
 */
import { Clock, Config, Effect, Exit, Layer, Metric, Option } from "effect"
import { FetchHttpClient } from "effect/http"
import { Otlp } from "effect/observability"

/** Commands and queries run, by `command` and `outcome` (`success` or the error's `_tag`). */
export const commandsTotal = Metric.counter("erpkit_commands_total", {
  description: "commands and queries run",
  incremental: true
})

/** Failed commands and queries, by `command` and `error` (the `_tag`). */
export const commandFailures = Metric.counter("erpkit_command_failures_total", {
  description: "failed commands and queries by error tag",
  incremental: true
})

/** Wall time of a command or query in milliseconds, by `command`. */
export const commandDuration = Metric.histogram("erpkit_command_duration_ms", {
  description: "command and query duration (ms)",
  boundaries: [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000]
})

const tagOf = (error: unknown): string =>
  typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "defect"

/** Counts and times `effect` as the run of `command`. */
export const measured = (command: string) => <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
  Effect.gen(function*() {
    const start = yield* Clock.currentTimeNanos
    const exit = yield* Effect.exit(effect)
    const millis = Number((yield* Clock.currentTimeNanos) - start) / 1e6
    const outcome = Exit.isSuccess(exit)
      ? "success"
      : Option.match(Exit.findErrorOption(exit), { onNone: () => "defect", onSome: tagOf })
    yield* Metric.update(commandsTotal.pipe(Metric.withAttributes({ command, outcome })), 1)
    yield* Metric.update(commandDuration.pipe(Metric.withAttributes({ command })), millis)
    if (outcome !== "success") {
      yield* Metric.update(commandFailures.pipe(Metric.withAttributes({ command, error: outcome })), 1)
    }
    return yield* exit
  })

/** Options of the OTLP exporter (tests shorten the intervals). */
export interface ExportOptions {
  readonly baseUrl: string
  readonly serviceName?: string
  readonly exportInterval?: number
}

/** Traces and metrics to an OTLP/HTTP (JSON) collector at `baseUrl` (e.g. `http://127.0.0.1:4318`). */
export const layerOtlp = (options: ExportOptions) =>
  Otlp.layerJson({
    baseUrl: options.baseUrl,
    resource: { serviceName: options.serviceName ?? "erpkit-http-api" },
    ...(options.exportInterval === undefined
      ? {}
      : { tracerExportInterval: options.exportInterval, metricsExportInterval: options.exportInterval })
  }).pipe(Layer.provide(FetchHttpClient.layer))

/** `layerOtlp` when OTEL_EXPORTER_OTLP_ENDPOINT is set (OTEL_SERVICE_NAME names the service), else nothing. */
export const layerFromEnv = Layer.unwrap(Effect.gen(function*() {
  const endpoint = yield* Config.option(Config.String("OTEL_EXPORTER_OTLP_ENDPOINT"))
  const serviceName = yield* Config.withDefault(Config.String("OTEL_SERVICE_NAME"), "erpkit-http-api")
  return Option.isSome(endpoint) && endpoint.value !== ""
    ? layerOtlp({ baseUrl: endpoint.value, serviceName })
    : Layer.empty
})).pipe(Layer.orDie)
