/**
 * StorageUnavailable → 503, end to end: the server reaches its database (PGlite) through a TCP proxy
 * on 127.0.0.1 that the test cuts. Requests then get 503 with the kernel's `StorageUnavailable` body
 * (`retryable`, `outcome`), from the session lookup as from a command, never a 500 or a hang.
 */
import { Embedded, Postgres } from "@erpkit/postgres"
import { Effect, Exit, Layer, ManagedRuntime, Scope } from "effect"
import { connect, createServer, type Socket, type AddressInfo } from "node:net"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import * as Domain from "../src/domain.ts"
import { baseUrl, layerServer } from "../src/server.ts"
import { signUpAndIn } from "./support.ts"

/** A TCP proxy to the embedded database that can be cut: closed, and every open connection reset. */
const startProxy = async (target: Embedded.EmbeddedEndpoint) => {
  const sockets = new Set<Socket>()
  const track = (socket: Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => socket.destroy())
  }
  const server = createServer((client) => {
    const upstream = "path" in target ? connect(target.path) : connect(target.port, target.host)
    track(client)
    track(upstream)
    client.pipe(upstream).pipe(client)
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  return {
    port: (server.address() as AddressInfo).port,
    cut: () => {
      server.close()
      sockets.forEach((socket) => socket.destroy())
    }
  }
}

let scope: Scope.Closeable
let runtime: { readonly dispose: () => Promise<void> }
let proxy: Awaited<ReturnType<typeof startProxy>>
let url: string

beforeAll(async () => {
  scope = await Effect.runPromise(Scope.make())
  const embedded = await Effect.runPromise(Scope.provide(scope)(Embedded.start({})))
  proxy = await startProxy(embedded.endpoint)
  const database = Postgres.layer(
    { host: "127.0.0.1", port: proxy.port, username: "postgres", database: "postgres", maxConnections: 1 },
    { modules: Domain.modules, retry: { maxAttempts: 2, baseDelayMillis: 10, maxDelayMillis: 50 } }
  )
  const server = ManagedRuntime.make(
    layerServer({ host: "127.0.0.1", port: 0, logRequests: false }).pipe(Layer.provide(Domain.layerOver(database)))
  )
  runtime = server
  url = await server.runPromise(baseUrl)
})
afterAll(async () => {
  await runtime?.dispose()
  await Effect.runPromise(Scope.close(scope, Exit.void))
})

describe("http-api: the database down", () => {
  it("answers 503 StorageUnavailable (typed body: retryable, outcome) once the database is unreachable", async () => {
    const admin = await signUpAndIn(url, "down")
    proxy.cut()
    const response = await fetch(`${url}/billing/accounts`, {
      method: "POST",
      headers: { authorization: `Bearer ${admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ customerId: crypto.randomUUID(), currency: "KZT" })
    })
    expect(response.status).toBe(503)
    const body = await response.json() as { _tag: string; retryable: unknown; outcome: string }
    expect(body._tag).toBe("StorageUnavailable")
    expect(typeof body.retryable).toBe("boolean")
    expect(["not-applied", "unknown"]).toContain(body.outcome)
  })
})
