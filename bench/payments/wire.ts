/**
 * Counts round trips on the wire: a TCP proxy in front of the server that counts the frontend messages
 * ending a protocol cycle (`Sync` of the extended protocol, `Query` of the simple one). Each is one
 * round trip the client waits for. Used only in the counting phase, never while timing.
 */
import * as net from "node:net"

export interface WireCounter {
  readonly port: number
  /** Round trips seen since the last reset. */
  readonly count: () => number
  readonly reset: () => void
  readonly close: () => Promise<void>
}

export const start = (host: string, port: number): Promise<WireCounter> =>
  new Promise((resolve) => {
    let cycles = 0
    const sockets = new Set<net.Socket>()
    const server = net.createServer((client) => {
      const upstream = net.connect(port, host)
      sockets.add(client).add(upstream)
      let buffer = Buffer.alloc(0)
      let started = false
      client.on("data", (chunk: Buffer) => {
        upstream.write(chunk)
        buffer = Buffer.concat([buffer, chunk])
        for (;;) {
          if (!started) {
            if (buffer.length < 8) break
            const length = buffer.readInt32BE(0)
            const code = buffer.readInt32BE(4)
            if (buffer.length < length) break
            buffer = buffer.subarray(length)
            // SSLRequest / GSSENCRequest precede the real startup message
            if (code !== 80877103 && code !== 80877104) started = true
            continue
          }
          if (buffer.length < 5) break
          const type = String.fromCharCode(buffer[0]!)
          const length = buffer.readInt32BE(1)
          if (buffer.length < length + 1) break
          if (type === "S" || type === "Q") cycles++
          buffer = buffer.subarray(length + 1)
        }
      })
      upstream.on("data", (chunk: Buffer) => client.write(chunk))
      const end = () => {
        client.destroy()
        upstream.destroy()
        sockets.delete(client)
        sockets.delete(upstream)
      }
      client.on("close", end).on("error", end)
      upstream.on("close", end).on("error", end)
    })
    server.listen(0, "127.0.0.1", () => {
      const address = server.address() as net.AddressInfo
      resolve({
        port: address.port,
        count: () => cycles,
        reset: () => void (cycles = 0),
        close: () =>
          new Promise<void>((done) => {
            for (const s of sockets) s.destroy()
            server.close(() => done())
          })
      })
    })
  })
