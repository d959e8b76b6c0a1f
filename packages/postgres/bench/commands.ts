/**
 * Throughput of a small command (one row + one outbox event + one audit entry, through the kernel's
 * Command.make pipeline) on the embedded PGlite or on DATABASE_URL. Not a benchmark suite: a sanity
 * figure. Run: `npx -y pnpm@10 exec node packages/postgres/bench/commands.ts [count] [concurrency]`.
 */
import { Effect, Layer } from "effect"
import { Actor, Ids, type Tenant } from "@erpkit/kernel"
import { randomUUID } from "node:crypto"
import * as Postgres from "../src/Postgres.ts"
import { createItem, grants, testModule } from "../test/fixtures.ts"

const count = Number(process.argv[2] ?? 500)
const concurrency = Number(process.argv[3] ?? 1)
const tenant: Tenant.Tenant = { organizationId: randomUUID(), workspaceId: randomUUID() } as Tenant.Tenant
const who: Actor.Actor = { userId: randomUUID() as Ids.UserId, roles: ["Sales Manager"], tenant }

const platform = Layer.mergeAll(
  Postgres.layerFromEnv({ modules: [testModule] }),
  Ids.IdGenerator.layerUuidV7,
  Actor.Authorization.layerStatic(grants)
)

const program = Effect.gen(function*() {
  const run = (i: number) => createItem(who, { code: `bench-${randomUUID()}-${i}`, note: "n" })
  yield* Effect.forEach(Array.from({ length: 20 }, (_, i) => i), run, { discard: true }) // warm-up
  const started = performance.now()
  yield* Effect.forEach(Array.from({ length: count }, (_, i) => i), run, { concurrency, discard: true })
  const seconds = (performance.now() - started) / 1000
  console.log(
    `${process.env["DATABASE_URL"] ? "server" : "pglite"}: ${count} commands, concurrency ${concurrency}: ${
      (count / seconds).toFixed(0)
    } commands/s, ${(seconds * 1000 / count).toFixed(2)} ms each (wall)`
  )
})

await Effect.runPromise(program.pipe(Effect.provide(platform)))
