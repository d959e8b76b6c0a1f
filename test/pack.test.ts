/**
 * erpkit as a host application installs it: every package built and packed with the release tool
 * (`pnpm pack`, which rewrites `workspace:*` and applies `publishConfig`), the tarballs installed with
 * the system's Node and npm into a fresh project outside the workspace, a host program type-checked
 * against the published declarations and run on PGlite with identity + billing in one layer, and the
 * installed `erpkit` CLI run on an embedded database (and on a fresh server database when DATABASE_URL
 * is set). The test keeps nothing between runs (npm may reuse its own download cache); every step
 * prints what it did and how long it took: about 90 s on an idle 2-core machine, most of it PGlite.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { delimiter, join } from "node:path"
import { describe, expect, it } from "vitest"

const root = join(import.meta.dirname, "..")
const packages = ["kernel", "billing", "identity", "postgres"] as const
type Manifest = Record<string, any>

const readJson = (path: string): Manifest => JSON.parse(readFileSync(path, "utf8")) as Manifest

/** The system's Node and npm: PATH without the workspace's `node_modules/.bin` (which holds Node 24). */
const systemPath = (process.env["PATH"] ?? "").split(delimiter).filter((dir) => !dir.includes("node_modules")).join(
  delimiter
)

/** The environment of a fresh shell: the system PATH, and none of the `npm_*` settings pnpm exported to this run. */
const systemEnv = (): Record<string, string | undefined> => ({
  ...Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith("npm_"))),
  PATH: systemPath
})

/** Runs a command, prints it with its duration, returns stdout; throws with the output on failure. */
const run = (
  command: string,
  args: ReadonlyArray<string>,
  options: { cwd: string; env?: Record<string, string>; system?: boolean }
): string => {
  const started = Date.now()
  const env = { ...(options.system === true ? systemEnv() : process.env), ...options.env }
  try {
    const out = execFileSync(command, args, {
      cwd: options.cwd,
      env,
      encoding: "utf8",
      stdio: "pipe",
      timeout: 180_000,
      killSignal: "SIGKILL"
    })
    const shown = args.map((a) => (a.includes("\n") ? "<script>" : a)).join(" ")
    console.log(`[pack] ${command} ${shown}  (${Date.now() - started} ms)`)
    return out
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string }
    throw new Error(`${command} ${args.join(" ")} failed:\n${stdout ?? ""}\n${stderr ?? ""}`, { cause: error })
  }
}

/** tsc's declarations (errors elsewhere in the tree are `pnpm check`'s job), then each package's tsup build. */
const build = () => {
  try {
    run(join(root, "node_modules", ".bin", "tsc"), ["-b", "packages/postgres"], { cwd: root })
  } catch (error) {
    console.log(
      `[pack] tsc -b reported errors (declarations are still emitted): ${String(error).split("\n").length} lines`
    )
  }
  run("npx", ["-y", "pnpm@10", "-r", "--filter", "./packages/*", "run", "build"], { cwd: root })
}

/** Packs every package (one recursive `pnpm pack`); returns the tarball paths by package. */
const pack = (destination: string): Record<(typeof packages)[number], string> => {
  run("npx", ["-y", "pnpm@10", "-r", "--filter", "./packages/*", "pack", "--pack-destination", destination], {
    cwd: root
  })
  const tarball = (p: string) => join(destination, readdirSync(destination).find((f) => f.startsWith(`erpkit-${p}-`))!)
  return Object.fromEntries(packages.map((p) => [p, tarball(p)])) as Record<(typeof packages)[number], string>
}

/** Every string at the leaves of a JSON value (the paths of `exports`, `types`, `bin`). */
const leaves = (value: unknown): ReadonlyArray<string> =>
  typeof value === "string"
    ? [value]
    : typeof value === "object" && value !== null
    ? Object.values(value).flatMap(leaves)
    : []

/** `npm pack` would ship the workspace manifest (source exports, `workspace:*`): it must refuse. */
const checkNpmPackRefuses = () => {
  const npm = spawnSync("npm", ["pack", "--dry-run"], {
    cwd: join(root, "packages", "postgres"),
    encoding: "utf8",
    env: systemEnv()
  })
  console.log(`[pack] npm pack --dry-run in packages/postgres: exit ${npm.status}`)
  expect(npm.status).not.toBe(0)
  expect(npm.stderr).toContain("pack and publish erpkit packages with pnpm")
}

const entries = (tarball: string): ReadonlyArray<string> =>
  execFileSync("tar", ["tzf", tarball], { encoding: "utf8" }).split("\n").filter((l) => l !== "").map((l) =>
    l.replace(/^package\//, "")
  )

const manifestOf = (tarball: string): Manifest =>
  JSON.parse(execFileSync("tar", ["xzOf", tarball, "package/package.json"], { encoding: "utf8" })) as Manifest

/** What a published manifest and tarball must hold (each failure of issue 12, item 7). */
const checkTarball = (p: string, tarball: string) => {
  const manifest = manifestOf(tarball)
  const files = entries(tarball)
  expect(JSON.stringify(manifest), `${p}: workspace: protocol left`).not.toContain("workspace:")
  const targets = leaves([manifest["exports"], manifest["types"], manifest["bin"] ?? {}])
  expect(targets.filter((t) => !t.startsWith("./dist/")), `${p}: exports, types and bin point into dist`).toEqual([])
  expect(files).toContain("LICENSE")
  expect(files).toContain("README.md")
  expect(
    files.filter((f) => f.startsWith("src/") || f.startsWith("dist/types/test/") || f.startsWith("dist/types/bench/")),
    p
  ).toEqual([])
  expect(files.filter((f) => f.endsWith(".d.ts.map") || f.endsWith(".tsbuildinfo")), p).toEqual([])
  expect(manifest["sideEffects"], `${p}: sideEffects`).toBeDefined()
  expect(manifest["engines"]).toEqual(readJson(join(root, "package.json"))["engines"])
  const node = String(manifest["engines"]["node"]).replace(">=", "≥ ")
  expect(readFileSync(join(root, "packages", p, "README.md"), "utf8"), `${p}: README's Node version`).toContain(
    `Node.js ${node}`
  )
  expect(readFileSync(join(root, "README.md"), "utf8"), "root README's Node version").toContain(`Node.js (${node})`)
  return { manifest, files }
}

const checkPostgresTarball = (tarball: string) => {
  const { manifest, files } = checkTarball("postgres", tarball)
  expect(manifest["bin"]).toEqual({ erpkit: "./dist/cli.js" })
  expect(
    execFileSync("tar", ["xzOf", tarball, "package/dist/cli.js"], { encoding: "utf8" }).startsWith(
      "#!/usr/bin/env node\n"
    )
  ).toBe(true)
  // Every migration file of the repository is shipped (new ones included, no list to keep).
  const migrations = join(root, "packages", "postgres", "migrations")
  const expected = readdirSync(migrations).flatMap((schema) =>
    readdirSync(join(migrations, schema)).map((f) => `migrations/${schema}/${f}`)
  )
  expect(files.filter((f) => f.startsWith("migrations/")).sort()).toEqual(expected.sort())
  expect(Object.keys(manifest["dependencies"]).filter((d) => d.startsWith("@electric-sql/"))).toEqual([])
  expect(manifest["peerDependenciesMeta"]["@electric-sql/pglite"]).toEqual({ optional: true })
  expect(manifest["peerDependenciesMeta"]["@electric-sql/pglite-socket"]).toEqual({ optional: true })
}

/** The host program: identity opens a tenant, billing opens an account in it, on one Postgres layer. */
const hostProgram = `
import { ClientAccounts, grants as billingGrants } from "@erpkit/billing"
import { grants as identityGrants, Organization, Organizations, Roles, SecureRandom } from "@erpkit/identity"
import { Actor, Ids, type Tenant } from "@erpkit/kernel"
import { billingModule, identityModule, Postgres } from "@erpkit/postgres"
import { Console, Effect, Layer } from "effect"

const root: Tenant.Tenant = {
  organizationId: "01000000-0000-7000-8000-000000000001" as Ids.OrganizationId,
  workspaceId: "01000000-0000-7000-8000-000000000002" as Ids.WorkspaceId
}

const validBin = (): string => {
  for (let n = 10_000_000_000; ; n++) {
    const digit = Organization.binCheckDigit(\`\${n}0\`)
    if (digit !== undefined) return \`\${n}\${digit}\`
  }
}

const program = Effect.gen(function*() {
  const opened = yield* Organizations.createOrganization(Actor.system(root), {
    name: "Host Co",
    bin: validBin(),
    kind: "internal"
  })
  const tenant: Tenant.Tenant = { organizationId: opened.organization.id, workspaceId: opened.workspace.id }
  const manager: Actor.Actor = {
    userId: "0e000000-0000-7000-8000-000000000001" as Ids.UserId,
    roles: ["Accounts Manager"],
    tenant
  }
  const account = yield* ClientAccounts.openAccount(manager, {
    customerId: "0f000000-0000-7000-8000-000000000001" as Ids.CustomerId,
    currency: "KZT"
  })
  const read = yield* ClientAccounts.getAccount(manager, { accountId: account.id })
  yield* Console.log(\`host: organization \${opened.organization.id}, account \${read.id} in \${read.currency}\`)
})

// Both modules in one layer; migrate: false, because the erpkit CLI migrated the database first.
const database = Postgres.layerFromEnv({ modules: [identityModule, billingModule], migrate: false })
const live = Layer.mergeAll(
  Roles.layerAuthorization(Actor.mergeGrants(identityGrants, billingGrants)),
  SecureRandom.SecureRandom.layerLive
).pipe(
  Layer.provideMerge(Layer.merge(database, Ids.IdGenerator.layerUuidV7))
)

await Effect.runPromise(program.pipe(Effect.provide(live)))
`

/** Without PGlite installed: importing works, the embedded layer fails saying what to install. */
const withoutPglite = `
import { Postgres } from "@erpkit/postgres"
import { Effect, Layer } from "effect"
const outcome = await Effect.runPromise(Effect.scoped(Layer.build(Postgres.layerEmbedded()))).then(
  () => "built",
  (e) => String(e?.message ?? e)
)
console.log(outcome)
`

/** A temp project depending on the tarballs (third-party packages come from the npm registry). */
const writeHost = (dir: string, tarballs: Record<string, string>) => {
  const devDeps = readJson(join(root, "packages", "postgres", "package.json"))["devDependencies"] as Record<
    string,
    string
  >
  writeFileSync(
    join(dir, "package.json"),
    JSON.stringify(
      {
        name: "erpkit-host",
        private: true,
        type: "module",
        dependencies: {
          ...Object.fromEntries(packages.map((p) => [`@erpkit/${p}`, `file:${tarballs[p]}`])),
          effect: devDeps["effect"],
          "@electric-sql/pglite": devDeps["@electric-sql/pglite"],
          "@electric-sql/pglite-socket": devDeps["@electric-sql/pglite-socket"]
        }
      },
      null,
      2
    )
  )
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify(
      {
        compilerOptions: {
          target: "ES2023",
          lib: ["ES2023"],
          module: "NodeNext",
          moduleResolution: "NodeNext",
          types: [],
          strict: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: true,
          outDir: "out"
        },
        files: ["main.ts"]
      },
      null,
      2
    )
  )
  writeFileSync(join(dir, "main.ts"), hostProgram)
  writeFileSync(join(dir, "without-pglite.mjs"), withoutPglite)
}

/** Runs the installed CLI (`npx erpkit …`) with the system's Node. */
const erpkit = (host: string, ...args: ReadonlyArray<string>) =>
  run("npx", ["erpkit", ...args], { cwd: host, system: true, env: { DATABASE_URL: "", ERPKIT_PGLITE_DIR: "" } })

const checkCli = (host: string) => {
  expect(erpkit(host, "migrate", "--help")).toMatch(/--dry-run[\s\S]*--module[\s\S]*status/)
  const data = join(host, "pglite-data")
  const applied = erpkit(host, "migrate", "--pglite-dir", data)
  console.log(`[pack] ${applied.trim()}`)
  expect(applied).toMatch(/applied platform\/1_platform, identity\/1_tenancy, .*billing\/1_billing/)
  const status = erpkit(host, "migrate", "status", "--pglite-dir", data)
  expect(status).toContain("[x] billing/1_billing")
  expect(status).toMatch(/ 0 pending/)
  return data
}

/** A fresh server database migrated by the installed CLI, dropped afterwards. */
const checkCliOnServer = (host: string, admin: string) => {
  const name = `erpkit_pack_${randomUUID().replaceAll("-", "").slice(0, 12)}`
  const sql = (statement: string) =>
    run("node", [
      "--input-type=module",
      "-e",
      `
      import { Effect, Redacted } from "effect"
      import { SqlClient } from "effect/sql"
      import { PgClient } from "@effect/sql-pg"
      await Effect.runPromise(
        Effect.flatMap(SqlClient.SqlClient, (sql) => sql.unsafe(process.env.STATEMENT).unprepared).pipe(
          Effect.provide(PgClient.layer({ url: Redacted.make(process.env.ADMIN_URL), maxConnections: 1 }))
        )
      )`
    ], { cwd: host, system: true, env: { ADMIN_URL: admin, STATEMENT: statement } })
  sql(`CREATE DATABASE ${name}`)
  try {
    const url = new URL(admin)
    url.pathname = `/${name}`
    expect(erpkit(host, "migrate", "--dry-run", "--module", "billing", "--database-url", url.toString())).toMatch(
      /would apply platform\/1_platform, billing\/1_billing, /
    )
    expect(erpkit(host, "migrate", "--database-url", url.toString())).toMatch(
      /server .*: applied platform\/1_platform, identity\/1_tenancy, .*billing\/1_billing/
    )
    expect(erpkit(host, "migrate", "status", "--database-url", url.toString())).toMatch(/ 0 pending/)
  } finally {
    sql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`)
  }
}

/** Runs `body` with `path` moved away, then puts it back. */
const without = <A>(path: string, body: () => A): A => {
  renameSync(path, `${path}.away`)
  try {
    return body()
  } finally {
    renameSync(`${path}.away`, path)
  }
}

const checkLaziness = (host: string) => {
  const pkg = join(host, "node_modules", "@erpkit", "postgres")
  // Importing reads no migration file (they are read when migrating).
  without(
    join(pkg, "migrations"),
    () =>
      run("node", [
        "--input-type=module",
        "-e",
        `import("@erpkit/postgres").then((m) => console.log(Object.keys(m).length))`
      ], { cwd: host, system: true })
  )
  // A server-only host needs no PGlite: importing works; the embedded database says what to install.
  without(join(host, "node_modules", "@electric-sql"), () => {
    expect(run("node", ["without-pglite.mjs"], { cwd: host, system: true })).toContain(installPglite)
    const cli = spawnSync("npx", ["erpkit", "migrate", "--pglite-dir", join(host, "unused")], {
      cwd: host,
      encoding: "utf8",
      env: { ...systemEnv(), DATABASE_URL: "" }
    })
    console.log(`[pack] npx erpkit migrate without PGlite installed: exit ${cli.status}`)
    expect(cli.status).toBe(1)
    expect(cli.stdout + cli.stderr).toContain(installPglite)
  })
}

const installPglite = "npm install @electric-sql/pglite @electric-sql/pglite-socket"

describe("erpkit as a host application installs it", () => {
  it("packs, installs with npm, type-checks and runs a host program, runs the erpkit CLI", () => {
    const work = mkdtempSync(join(tmpdir(), "erpkit-pack-"))
    try {
      console.log(
        `[pack] system node ${run("node", ["--version"], { cwd: work, system: true }).trim()}, npm ${
          run("npm", ["--version"], { cwd: work, system: true }).trim()
        }`
      )
      build()
      const tarballs = pack(join(work, "tarballs"))
      for (const p of packages) if (p !== "postgres") checkTarball(p, tarballs[p])
      checkPostgresTarball(tarballs.postgres)
      checkNpmPackRefuses()

      const host = join(work, "host")
      mkdirSync(host)
      writeHost(host, tarballs)
      run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], {
        cwd: host,
        system: true
      })
      run(join(root, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], { cwd: host })

      const data = checkCli(host)
      const output = run("node", ["out/main.js"], {
        cwd: host,
        system: true,
        env: { ERPKIT_PGLITE_DIR: data, DATABASE_URL: "" }
      })
      console.log(`[pack] ${output.trim()}`)
      expect(output).toMatch(/^host: organization .*, account .* in KZT$/m)
      checkLaziness(host)
      const admin = process.env["DATABASE_URL"]
      if (admin !== undefined && admin !== "") checkCliOnServer(host, admin)
      else console.log("[pack] DATABASE_URL not set: the CLI on a server database not run")
    } finally {
      rmSync(work, { recursive: true, force: true })
    }
  }, 300_000)
})
