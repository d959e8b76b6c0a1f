/**
 * OpenTelemetry end to end: the server exports to a local OTLP/HTTP receiver on 127.0.0.1 (a plain
 * Node server collecting the JSON it is sent). Checks the command spans' `erpkit.*` attributes, the
 * command metrics, and prints the trace of one request (the one shown in docs/observability.md).
 */
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Telemetry from "../src/telemetry.ts"
import { failure, memberSignedIn, run, signUpAndIn, startServer } from "./support.ts"

interface OtlpSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly startTimeUnixNano: string
  readonly endTimeUnixNano: string
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: Record<string, unknown> }>
}

/** Collects what an OTLP exporter posts, by path (`/v1/traces`, `/v1/metrics`, `/v1/logs`). */
const startReceiver = async () => {
  const received: Array<{ path: string; body: any }> = []
  const server: Server = createServer((request, response) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => {
      received.push({ path: request.url ?? "", body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") })
      response.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve()))
  }
}

const attributes = (span: OtlpSpan): Record<string, unknown> =>
  Object.fromEntries(span.attributes.map((a) => [a.key, Object.values(a.value)[0]]))

/** The trace as an indented tree: name, duration, erpkit attributes. */
const renderTrace = (spans: ReadonlyArray<OtlpSpan>, traceId: string): string => {
  const inTrace = spans.filter((s) => s.traceId === traceId)
  const ids = new Set(inTrace.map((s) => s.spanId))
  const lines: Array<string> = []
  const walk = (span: OtlpSpan, depth: number) => {
    const ms = (Number(BigInt(span.endTimeUnixNano) - BigInt(span.startTimeUnixNano)) / 1e6).toFixed(1)
    const erpkit = Object.entries(attributes(span)).filter(([k]) =>
      k.startsWith("erpkit.") || k.startsWith("http.request.method") || k === "http.response.status_code"
    )
    lines.push(
      `${"  ".repeat(depth)}${span.name} (${ms} ms)${
        erpkit.length ? " " + erpkit.map(([k, v]) => `${k}=${String(v)}`).join(" ") : ""
      }`
    )
    inTrace.filter((c) => c.parentSpanId === span.spanId).forEach((c) => walk(c, depth + 1))
  }
  inTrace.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId)).forEach((root) => walk(root, 0))
  return lines.join("\n")
}

let receiver: Awaited<ReturnType<typeof startReceiver>>
let server: Awaited<ReturnType<typeof startServer>>
beforeAll(async () => {
  receiver = await startReceiver()
  server = await startServer(
    Telemetry.layerOtlp({ baseUrl: receiver.url, serviceName: "erpkit-http-api-test", exportInterval: 200 })
  )
})
afterAll(async () => {
  await server?.dispose()
  await receiver?.close()
})

describe("http-api: OpenTelemetry", () => {
  it("command spans carry command, tenant, actor, idempotency key, replayed, outcome; metrics by outcome", async () => {
    const admin = await signUpAndIn(server.url, "otel")
    const { api, membership } = await memberSignedIn(server.url, admin, "Finance Manager")
    const account = await run(
      api.billing.openAccount({ payload: { customerId: crypto.randomUUID(), currency: "KZT" }, headers: {} })
    )
    await run(
      api.billing.setCreditTerms({
        payload: { accountId: account.id, creditLimitMinor: "15000", isCreditApproved: true },
        headers: {}
      })
    )
    const draft = (n: number) =>
      run(
        api.billing.createInvoice({
          payload: {
            accountId: account.id,
            invoiceNumber: `OT-${n}`,
            issueDate: "2026-11-21",
            dueDate: "2026-12-21",
            items: [{ description: "Freight", quantity: "1", unitPriceMinor: "10000" }]
          },
          headers: {}
        })
      )
    const invoice = await run(api.billing.issueInvoice({ payload: { invoiceId: (await draft(1)).id }, headers: {} }))
    await failure(api.billing.issueInvoice({ payload: { invoiceId: (await draft(2)).id }, headers: {} }))
    const pay = () =>
      run(
        api.billing.recordPayment({
          payload: { invoiceId: invoice.id, amountMinor: "5000", currency: "KZT", method: "BANK_TRANSFER" },
          headers: { "idempotency-key": "otel-pay-1" }
        })
      )
    await pay()
    await pay()
    // disposing the runtime shuts the exporter down, which flushes what is buffered
    await server.dispose()

    const spans: Array<OtlpSpan> = receiver.received.filter((r) => r.path === "/v1/traces").flatMap((r) =>
      r.body.resourceSpans.flatMap((rs: any) => rs.scopeSpans.flatMap((ss: any) => ss.spans))
    )
    const payments = spans.filter((s) => s.name === "billing.recordPayment").map(attributes)
    expect(payments).toHaveLength(2)
    for (const attrs of payments) {
      expect(attrs).toMatchObject({
        "erpkit.command": "billing.recordPayment",
        "erpkit.tenant.organization_id": membership.organizationId,
        "erpkit.actor.id": membership.userId,
        "erpkit.idempotency.key": "otel-pay-1",
        "erpkit.outcome": "success"
      })
      expect(typeof attrs["erpkit.tenant.workspace_id"]).toBe("string")
    }
    expect(payments.map((a) => a["erpkit.idempotency.replayed"])).toEqual([false, true])
    const issues = spans.filter((s) => s.name === "billing.issueInvoice").map((s) => attributes(s)["erpkit.outcome"])
    expect(issues).toEqual(["success", "CreditLimitExceeded"])

    const metrics = JSON.stringify(receiver.received.filter((r) => r.path === "/v1/metrics").map((r) => r.body))
    for (const name of ["erpkit_commands_total", "erpkit_command_failures_total", "erpkit_command_duration_ms"]) {
      expect(metrics).toContain(name)
    }
    expect(metrics).toContain("CreditLimitExceeded")

    const replayed = spans.findLast((s) => s.name === "billing.recordPayment")!
    console.log(`trace of the replayed payment request:\n${renderTrace(spans, replayed.traceId)}`)
  })
})
