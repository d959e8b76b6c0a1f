/**
 * Contract suites for every identity port. Run them against any adapter's layer:
 *
 *   identityContractSuite("postgres", layer)           // every port
 *   sessionRepositoryContract("postgres", layer)       // one port
 *
 * Each suite builds the layer once and only ever adds rows with ids unique to the suite, so adapters
 * backed by one shared database can run them side by side. Prerequisite rows (organization,
 * workspace, user) are written through the ports themselves, so adapters with foreign keys pass too.
 */
import { assert, layer as withLayer } from "@effect/vitest"
import { Effect, Exit, type Layer, Option, Schema } from "effect"
import { Actor, type Ids, type Tenant, UnitOfWork } from "@erpkit/kernel"
import { AccountRepository } from "../AccountRepository.ts"
import { DepartmentRepository } from "../DepartmentRepository.ts"
import { EmployeeRepository } from "../EmployeeRepository.ts"
import { InvitationRepository } from "../InvitationRepository.ts"
import { Membership } from "../Membership.ts"
import { MembershipRepository } from "../MembershipRepository.ts"
import type { layerMemory } from "../layers.ts"
import { OrganizationRepository } from "../OrganizationRepository.ts"
import { RolePermissionRepository } from "../RolePermissionRepository.ts"
import { isExpired as sessionExpired, Session } from "../Session.ts"
import { SessionRepository } from "../SessionRepository.ts"
import { SettingRepository } from "../SettingRepository.ts"
import { UserRepository } from "../UserRepository.ts"
import { isExpired as codeExpired } from "../Verification.ts"
import { VerificationRepository } from "../VerificationRepository.ts"
import { WorkspaceRepository } from "../WorkspaceRepository.ts"
import * as Fixtures from "./fixtures.ts"

/**
 * Every identity repository port, read off the memory layer (it provides each of them), so the list
 * is kept in one place of identity. Adapters that name the list themselves should use this type.
 */
export type IdentityRepositories = Layer.Success<typeof layerMemory>

/** What the contract suites run against: the repositories and a unit of work. */
export type IdentityPorts = IdentityRepositories | UnitOfWork.UnitOfWork

class Rollback extends Schema.TaggedError<Rollback>()("Rollback", {}) {}

const tagOf = <A, E extends { readonly _tag: string }, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(
    Effect.exit(effect),
    (exit) =>
      Exit.isSuccess(exit)
        ? "Success"
        : exit.cause.reasons.map((r) => (r._tag === "Fail" ? (r.error as { _tag: string })._tag : r._tag)).join(",")
  )

/** The typed failure of `effect` (its first), to check the figures it carries; `undefined` when it succeeded. */
const failureOf = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.map(Effect.exit(effect), (exit) => {
    if (Exit.isSuccess(exit)) return undefined
    const failure = exit.cause.reasons.find((r) => r._tag === "Fail")
    return failure?._tag === "Fail"
      ? failure.error as object
      : { _tag: `not a typed failure: ${exit.cause.reasons.map((r) => r._tag).join(",")}` }
  })

/** Writes an organization, its workspace and a user through the ports; returns the tenant and user. */
const seedTenant = (f: Fixtures.Fixtures) =>
  Effect.gen(function*() {
    const tenant = f.tenant()
    const admin = Fixtures.user(f, tenant.organizationId)
    yield* UnitOfWork.transactionFor(
      tenant,
      Effect.gen(function*() {
        yield* OrganizationRepository.use((r) => r.insert(Fixtures.organization(f, tenant)))
        yield* UserRepository.use((r) => r.insert(admin))
        yield* WorkspaceRepository.use((r) => r.insert(tenant, Fixtures.workspace(tenant, admin.id)))
      })
    )
    return { tenant, admin }
  })

/** A second workspace in the same organization. */
const seedWorkspace = (f: Fixtures.Fixtures, tenant: Tenant.Tenant, createdBy: Ids.UserId) =>
  Effect.gen(function*() {
    const other: Tenant.Tenant = { organizationId: tenant.organizationId, workspaceId: f.uuid() as Ids.WorkspaceId }
    yield* UnitOfWork.transactionFor(
      other,
      WorkspaceRepository.use((r) => r.insert(other, Fixtures.workspace(other, createdBy, { type: "branch" })))
    )
    return other
  })

/** `row` one version later with `changes`, an instance of `row`'s class (what a command writes). */
const next = <A extends { readonly version: number }>(row: A, changes: Partial<A> = {}): A => {
  const make = row.constructor as new(fields: A) => A
  return new make({ ...row, ...changes, version: row.version + 1 })
}

const inTx = <A, E, R>(tenant: Tenant.Tenant, effect: Effect.Effect<A, E, R>) =>
  UnitOfWork.transactionFor(tenant, effect)

type Suite<E> = (name: string, layer: Layer.Layer<IdentityPorts, E>) => void

/** Registers a port's tests on `it`, with fixtures unique to the suite. */
type SuiteBody<E> = (
  it: Parameters<Parameters<ReturnType<typeof withLayer<IdentityPorts, E>>>[1]>[0],
  f: Fixtures.Fixtures
) => void

const suite = <E>(port: string, body: SuiteBody<E>): Suite<E> => (name, layer) =>
  withLayer(layer, { timeout: "120 seconds" })(
    `identity contract ${port}: ${name}`,
    (it) => body(it, Fixtures.makeFixtures(`${port}/${name}`))
  )

export const userRepositoryContract: Suite<unknown> = suite("UserRepository", (it, f) => {
  it.effect("AUTH-03 insert then find by id and by e-mail key; a taken key is EmailTaken", () =>
    Effect.gen(function*() {
      const { tenant, admin } = yield* seedTenant(f)
      const repo = yield* UserRepository
      assert.deepStrictEqual(yield* inTx(tenant, repo.findById(admin.id)), Option.some(admin))
      assert.deepStrictEqual(yield* inTx(tenant, repo.findByEmailKey(admin.emailKey)), Option.some(admin))
      const twin = Fixtures.user(f, tenant.organizationId, {
        email: admin.email.toUpperCase(),
        emailKey: admin.emailKey
      })
      assert.strictEqual(yield* tagOf(inTx(tenant, repo.insert(twin))), "EmailTaken")
      assert.isTrue(Option.isNone(yield* inTx(tenant, repo.findById(twin.id))))
    }))

  it.effect("AUTH-06 update to another user's key is EmailTaken; own key and new keys are fine", () =>
    Effect.gen(function*() {
      const { tenant, admin } = yield* seedTenant(f)
      const repo = yield* UserRepository
      const other = Fixtures.user(f, tenant.organizationId)
      yield* inTx(tenant, repo.insert(other))
      assert.strictEqual(
        yield* tagOf(inTx(tenant, repo.update(next(other, { emailKey: admin.emailKey })))),
        "EmailTaken"
      )
      const renamed = next(other, { name: "Renamed" })
      yield* inTx(tenant, repo.update(renamed))
      const fresh = f.email()
      yield* inTx(tenant, repo.update(next(renamed, { email: fresh, emailKey: fresh })))
      assert.deepStrictEqual(
        Option.map(yield* inTx(tenant, repo.findByEmailKey(fresh)), (u) => u.id),
        Option.some(other.id)
      )
      assert.strictEqual(
        yield* tagOf(inTx(tenant, repo.update(next(Fixtures.user(f, tenant.organizationId))))),
        "NotFound"
      )
    }))

  it.effect("remove deletes; listByOrganization sees only that organization", () =>
    Effect.gen(function*() {
      const a = yield* seedTenant(f)
      const b = yield* seedTenant(f)
      const repo = yield* UserRepository
      assert.deepStrictEqual(
        (yield* inTx(a.tenant, repo.listByOrganization(a.tenant.organizationId))).map((u) => u.id),
        [a.admin.id]
      )
      assert.isTrue(yield* inTx(b.tenant, repo.remove(b.admin.id)))
      assert.isFalse(yield* inTx(b.tenant, repo.remove(b.admin.id)))
      assert.isTrue(Option.isNone(yield* inTx(b.tenant, repo.findByEmailKey(b.admin.emailKey))))
    }))

  it.effect("a failed unit of work leaves no user behind", () =>
    Effect.gen(function*() {
      const { tenant } = yield* seedTenant(f)
      const repo = yield* UserRepository
      const ghost = Fixtures.user(f, tenant.organizationId)
      yield* Effect.exit(inTx(tenant, Effect.andThen(repo.insert(ghost), Effect.fail(new Rollback()))))
      assert.isTrue(Option.isNone(yield* inTx(tenant, repo.findById(ghost.id))))
    }))
})

// The session contract in two groups, registered in this order (test names and order in reports stay put):
// what a session reads back as, and what removing sessions deletes.

/** AUTH-10, AUTH-13: a session is found by id and token hash, and only its metadata changes in place. */
const sessionLookupTests: SuiteBody<unknown> = (it, f) => {
  it.effect("AUTH-10 token hash is unique; find by id and by hash", () =>
    Effect.gen(function*() {
      const { tenant, admin } = yield* seedTenant(f)
      const repo = yield* SessionRepository
      const s = Fixtures.session(f, admin.id, tenant)
      yield* inTx(tenant, repo.insert(s))
      assert.deepStrictEqual(yield* inTx(tenant, repo.findById(s.id)), Option.some(s))
      assert.deepStrictEqual(yield* inTx(tenant, repo.findByTokenHash(s.tokenHash)), Option.some(s))
      assert.strictEqual(
        yield* tagOf(inTx(tenant, repo.insert(Fixtures.session(f, admin.id, tenant, { tokenHash: s.tokenHash })))),
        "Conflict"
      )
    }))

  it.effect("AUTH-13 updateMetadata changes ipAddress and userAgent only", () =>
    Effect.gen(function*() {
      const { tenant, admin } = yield* seedTenant(f)
      const repo = yield* SessionRepository
      const s = Fixtures.session(f, admin.id, tenant)
      yield* inTx(tenant, repo.insert(s))
      yield* inTx(tenant, repo.updateMetadata(s.id, { ipAddress: "10.0.0.1", userAgent: "curl" }))
      assert.deepStrictEqual(
        yield* inTx(tenant, repo.findById(s.id)),
        Option.some(new Session({ ...s, ipAddress: "10.0.0.1", userAgent: "curl" }))
      )
      assert.strictEqual(
        yield* tagOf(
          inTx(
            tenant,
            repo.updateMetadata(Fixtures.session(f, admin.id, tenant).id, { ipAddress: null, userAgent: null })
          )
        ),
        "NotFound"
      )
    }))
}

/** AUTH-14, AUTH-15: removal by id, by user and by expiry deletes exactly what it reports. */
const sessionRemovalTests: SuiteBody<unknown> = (it, f) => {
  it.effect("AUTH-14 remove and removeByUser return what they deleted", () =>
    Effect.gen(function*() {
      const { tenant, admin } = yield* seedTenant(f)
      const repo = yield* SessionRepository
      const [s1, s2, s3] = [
        Fixtures.session(f, admin.id, tenant),
        Fixtures.session(f, admin.id, tenant),
        Fixtures.session(f, admin.id, tenant)
      ]
      yield* inTx(tenant, Effect.forEach([s1, s2, s3], (s) => repo.insert(s)))
      assert.deepStrictEqual(Option.map(yield* inTx(tenant, repo.remove(s1.id)), (s) => s.id), Option.some(s1.id))
      assert.isTrue(Option.isNone(yield* inTx(tenant, repo.remove(s1.id))))
      assert.deepStrictEqual(
        (yield* inTx(tenant, repo.removeByUser(admin.id))).map((s) => s.id).sort(),
        [s2.id, s3.id].sort()
      )
      assert.deepStrictEqual(yield* inTx(tenant, repo.listByUser(admin.id)), [])
    }))

  it.effect("AUTH-15 deleteExpired removes exactly the sessions the predicate calls expired, bounded, idempotent", () =>
    Effect.gen(function*() {
      const { tenant, admin } = yield* seedTenant(f)
      const repo = yield* SessionRepository
      const now = 50_000
      const all = [40_000, 49_999, 50_000, 50_001, 90_000].map((expiresAt) =>
        Fixtures.session(f, admin.id, tenant, { expiresAt })
      )
      yield* inTx(tenant, Effect.forEach(all, (s) => repo.insert(s)))
      const first = yield* inTx(tenant, repo.deleteExpired(now, 2))
      assert.strictEqual(first.length, 2)
      const second = yield* inTx(tenant, repo.deleteExpired(now, 1000))
      const deletedIds = [...first, ...second].map((s) => s.id)
      const mine = (ids: ReadonlyArray<string>) => ids.filter((id) => all.some((s) => s.id === id)).sort()
      assert.deepStrictEqual(mine(deletedIds), all.filter((s) => sessionExpired(s, now)).map((s) => s.id).sort())
      assert.deepStrictEqual(mine((yield* inTx(tenant, repo.deleteExpired(now, 1000))).map((s) => s.id)), [])
      assert.deepStrictEqual((yield* inTx(tenant, repo.listByUser(admin.id))).map((s) => s.expiresAt).sort(), [
        50_001,
        90_000
      ])
    }))
}

export const sessionRepositoryContract: Suite<unknown> = suite("SessionRepository", (it, f) => {
  sessionLookupTests(it, f)
  sessionRemovalTests(it, f)
})

export const accountRepositoryContract: Suite<unknown> = suite("AccountRepository", (it, f) => {
  it.effect("AUTH-17 (providerId, accountId) is unique; the same accountId at another provider is fine", () =>
    Effect.gen(function*() {
      const { tenant, admin } = yield* seedTenant(f)
      const repo = yield* AccountRepository
      const a = Fixtures.account(f, admin.id)
      yield* inTx(tenant, repo.insert(a))
      assert.deepStrictEqual(yield* inTx(tenant, repo.findByProvider(a.providerId, a.accountId)), Option.some(a))
      assert.deepInclude(
        yield* failureOf(inTx(tenant, repo.insert(Fixtures.account(f, admin.id, { accountId: a.accountId })))),
        { _tag: "AccountLinked", providerId: a.providerId, accountId: a.accountId }
      )
      yield* inTx(tenant, repo.insert(Fixtures.account(f, admin.id, { providerId: "github", accountId: a.accountId })))
      assert.strictEqual((yield* inTx(tenant, repo.listByUser(admin.id))).length, 2)
    }))

  it.effect("AUTH-09 removeByUser deletes every account of the user", () =>
    Effect.gen(function*() {
      const { tenant, admin } = yield* seedTenant(f)
      const repo = yield* AccountRepository
      const a = Fixtures.account(f, admin.id)
      yield* inTx(tenant, Effect.forEach([a, Fixtures.account(f, admin.id)], (x) => repo.insert(x)))
      assert.deepStrictEqual(Option.map(yield* inTx(tenant, repo.remove(a.id)), (x) => x.id), Option.some(a.id))
      assert.strictEqual((yield* inTx(tenant, repo.removeByUser(admin.id))).length, 1)
      assert.deepStrictEqual(yield* inTx(tenant, repo.listByUser(admin.id)), [])
    }))
})

export const verificationRepositoryContract: Suite<unknown> = suite("VerificationRepository", (it, f) => {
  it.effect("AUTH-20 listFor is newest first per (email, type); markUsed succeeds once", () =>
    Effect.gen(function*() {
      const { tenant } = yield* seedTenant(f)
      const repo = yield* VerificationRepository
      const key = f.email()
      const old = Fixtures.verification(f, key, { createdAt: 1_000 })
      const recent = Fixtures.verification(f, key, { createdAt: 2_000 })
      const other = Fixtures.verification(f, key, { type: "password_reset" })
      yield* inTx(tenant, Effect.forEach([old, recent, other], (v) => repo.insert(v)))
      assert.deepStrictEqual((yield* inTx(tenant, repo.listFor(key, "registration"))).map((v) => v.id), [
        recent.id,
        old.id
      ])
      assert.isTrue(yield* inTx(tenant, repo.markUsed(recent.id, 3_000)))
      assert.isFalse(yield* inTx(tenant, repo.markUsed(recent.id, 4_000)))
      assert.deepStrictEqual(
        Option.map(yield* inTx(tenant, repo.findById(recent.id)), (v) => v.usedAt),
        Option.some(3_000)
      )
    }))

  it.effect("deleteExpired follows the pure predicate; removeByUser removes the user's codes", () =>
    Effect.gen(function*() {
      const { tenant, admin } = yield* seedTenant(f)
      const repo = yield* VerificationRepository
      const key = f.email()
      const codes = [10, 20, 30].map((expiresAt) => Fixtures.verification(f, key, { expiresAt, userId: admin.id }))
      yield* inTx(tenant, Effect.forEach(codes, (v) => repo.insert(v)))
      yield* inTx(tenant, repo.deleteExpired(20, 1000))
      const left = yield* inTx(tenant, repo.listFor(key, "registration"))
      assert.deepStrictEqual(left.map((v) => v.id), codes.filter((v) => !codeExpired(v, 20)).map((v) => v.id))
      assert.deepStrictEqual(
        (yield* inTx(tenant, repo.removeByUser(admin.id))).map((v) => v.id),
        codes.filter((v) => !codeExpired(v, 20)).map((v) => v.id)
      )
    }))
})

export const organizationRepositoryContract: Suite<unknown> = suite("OrganizationRepository", (it, f) => {
  it.effect("TEN-02 TEN-06 BIN is unique among live organizations and free again after a soft delete", () =>
    Effect.gen(function*() {
      const { tenant } = yield* seedTenant(f)
      const repo = yield* OrganizationRepository
      const org = Option.getOrThrow(yield* inTx(tenant, repo.findById(tenant.organizationId)))
      const rival = f.tenant()
      const twin = Fixtures.organization(f, rival, { bin: org.bin })
      assert.deepInclude(yield* failureOf(inTx(rival, repo.insert(twin))), { _tag: "BinTaken", bin: org.bin })
      yield* inTx(tenant, repo.update(next(org, { deletedAt: 5_000 })))
      assert.isTrue(Option.isNone(yield* inTx(tenant, repo.findById(org.id))))
      yield* inTx(rival, repo.insert(twin))
      assert.deepStrictEqual(yield* inTx(rival, repo.findById(twin.id)), Option.some(twin))
    }))

  it.effect("TEN-02 update to a BIN held by another live organization is BinTaken", () =>
    Effect.gen(function*() {
      const a = yield* seedTenant(f)
      const b = yield* seedTenant(f)
      const repo = yield* OrganizationRepository
      const orgA = Option.getOrThrow(yield* inTx(a.tenant, repo.findById(a.tenant.organizationId)))
      const orgB = Option.getOrThrow(yield* inTx(b.tenant, repo.findById(b.tenant.organizationId)))
      assert.deepInclude(yield* failureOf(inTx(b.tenant, repo.update(next(orgB, { bin: orgA.bin })))), {
        _tag: "BinTaken",
        bin: orgA.bin
      })
      yield* inTx(b.tenant, repo.update(next(orgB, { name: "Renamed" })))
      assert.deepStrictEqual(
        Option.map(yield* inTx(b.tenant, repo.findById(orgB.id)), (o) => o.name),
        Option.some("Renamed")
      )
    }))
})

export const workspaceRepositoryContract: Suite<unknown> = suite("WorkspaceRepository", (it, f) => {
  it.effect("TEN-01 TEN-06 another organization cannot see or update a workspace; soft-deleted ones are hidden", () =>
    Effect.gen(function*() {
      const a = yield* seedTenant(f)
      const b = yield* seedTenant(f)
      const repo = yield* WorkspaceRepository
      const ws = Option.getOrThrow(yield* inTx(a.tenant, repo.findById(a.tenant, a.tenant.workspaceId)))
      assert.isTrue(Option.isNone(yield* inTx(b.tenant, repo.findById(b.tenant, ws.id))))
      assert.strictEqual(yield* tagOf(inTx(b.tenant, repo.update(b.tenant, next(ws, { name: "stolen" })))), "NotFound")
      const branch = yield* seedWorkspace(f, a.tenant, a.admin.id)
      assert.strictEqual((yield* inTx(a.tenant, repo.list(a.tenant))).length, 2)
      const branchWs = Option.getOrThrow(yield* inTx(a.tenant, repo.findById(a.tenant, branch.workspaceId)))
      yield* inTx(a.tenant, repo.update(a.tenant, next(branchWs, { deletedAt: 9 })))
      assert.deepStrictEqual((yield* inTx(a.tenant, repo.list(a.tenant))).map((w) => w.id), [ws.id])
      assert.strictEqual(Option.getOrThrow(yield* inTx(a.tenant, repo.findById(a.tenant, ws.id))).name, "Main")
    }))
})

export const employeeRepositoryContract: Suite<unknown> = suite("EmployeeRepository", (it, f) => {
  it.effect("TEN-03 one live employee per (user, organization), across its workspaces; rehire after soft delete", () =>
    Effect.gen(function*() {
      const { tenant, admin } = yield* seedTenant(f)
      const branch = yield* seedWorkspace(f, tenant, admin.id)
      const repo = yield* EmployeeRepository
      const e = Fixtures.employee(f, admin.id, tenant)
      yield* inTx(tenant, repo.insert(tenant, e))
      assert.deepInclude(yield* failureOf(inTx(branch, repo.insert(branch, Fixtures.employee(f, admin.id, branch)))), {
        _tag: "AlreadyEmployed",
        userId: admin.id
      })
      yield* inTx(tenant, repo.update(tenant, next(e, { deletedAt: 2_000 })))
      assert.isTrue(Option.isNone(yield* inTx(tenant, repo.findById(tenant, e.id))))
      yield* inTx(branch, repo.insert(branch, Fixtures.employee(f, admin.id, branch)))
      assert.isTrue(Option.isSome(yield* inTx(tenant, repo.findByUser(tenant, admin.id))))
    }))

  it.effect("TEN-01 employees are invisible from another tenant; employee numbers are unique per organization", () =>
    Effect.gen(function*() {
      const a = yield* seedTenant(f)
      const b = yield* seedTenant(f)
      const repo = yield* EmployeeRepository
      const e = Fixtures.employee(f, a.admin.id, a.tenant, { employeeNumber: "E-1" })
      yield* inTx(a.tenant, repo.insert(a.tenant, e))
      assert.isTrue(Option.isNone(yield* inTx(b.tenant, repo.findById(b.tenant, e.id))))
      assert.deepStrictEqual(yield* inTx(b.tenant, repo.list(b.tenant)), [])
      assert.strictEqual(yield* tagOf(inTx(b.tenant, repo.update(b.tenant, next(e, { position: "x" })))), "NotFound")
      const colleague = Fixtures.user(f, a.tenant.organizationId)
      yield* inTx(a.tenant, UserRepository.use((r) => r.insert(colleague)))
      const clash = Fixtures.employee(f, colleague.id, a.tenant, { employeeNumber: "E-1" })
      assert.deepInclude(yield* failureOf(inTx(a.tenant, repo.insert(a.tenant, clash))), {
        _tag: "EmployeeNumberTaken",
        employeeNumber: "E-1"
      })
      const renumbered = Fixtures.employee(f, colleague.id, a.tenant, { employeeNumber: "E-2" })
      yield* inTx(a.tenant, repo.insert(a.tenant, renumbered))
      assert.deepInclude(
        yield* failureOf(inTx(a.tenant, repo.update(a.tenant, next(renumbered, { employeeNumber: "E-1" })))),
        { _tag: "EmployeeNumberTaken", employeeNumber: "E-1" }
      )
      yield* inTx(
        b.tenant,
        repo.insert(b.tenant, Fixtures.employee(f, b.admin.id, b.tenant, { employeeNumber: "E-1" }))
      )
    }))
})

export const departmentRepositoryContract: Suite<unknown> = suite("DepartmentRepository", (it, f) => {
  it.effect("TEN-04 TEN-06 codes are unique among the organization's live departments", () =>
    Effect.gen(function*() {
      const a = yield* seedTenant(f)
      const b = yield* seedTenant(f)
      const branch = yield* seedWorkspace(f, a.tenant, a.admin.id)
      const repo = yield* DepartmentRepository
      const d = Fixtures.department(f, a.tenant, { code: "OPS" })
      yield* inTx(a.tenant, repo.insert(a.tenant, d))
      assert.deepInclude(
        yield* failureOf(inTx(branch, repo.insert(branch, Fixtures.department(f, branch, { code: "OPS" })))),
        { _tag: "DepartmentCodeTaken", code: "OPS" }
      )
      const other = Fixtures.department(f, branch, { code: "HQ" })
      yield* inTx(branch, repo.insert(branch, other))
      assert.deepInclude(yield* failureOf(inTx(branch, repo.update(branch, next(other, { code: "OPS" })))), {
        _tag: "DepartmentCodeTaken",
        code: "OPS"
      })
      yield* inTx(b.tenant, repo.insert(b.tenant, Fixtures.department(f, b.tenant, { code: "OPS" })))
      yield* inTx(a.tenant, repo.update(a.tenant, next(d, { deletedAt: 3 })))
      yield* inTx(branch, repo.insert(branch, Fixtures.department(f, branch, { code: "OPS" })))
      assert.deepStrictEqual(yield* inTx(a.tenant, repo.list(a.tenant)), [])
    }))

  it.effect("TEN-01 parents covers the tenant's live departments only", () =>
    Effect.gen(function*() {
      const a = yield* seedTenant(f)
      const b = yield* seedTenant(f)
      const repo = yield* DepartmentRepository
      const root = Fixtures.department(f, a.tenant)
      const child = Fixtures.department(f, a.tenant, { parentId: root.id })
      yield* inTx(a.tenant, Effect.forEach([root, child], (d) => repo.insert(a.tenant, d)))
      yield* inTx(b.tenant, repo.insert(b.tenant, Fixtures.department(f, b.tenant)))
      const parents = yield* inTx(a.tenant, repo.parents(a.tenant))
      const expected: Array<[string, string | null]> = [[root.id, null], [child.id, root.id]]
      assert.deepStrictEqual([...parents.entries()].sort(), expected.sort())
      assert.isTrue(Option.isNone(yield* inTx(b.tenant, repo.findById(b.tenant, root.id))))
    }))
})

export const settingRepositoryContract: Suite<unknown> = suite("SettingRepository", (it, f) => {
  it.effect("TEN-08 (key, organization, workspace) is unique; organization and workspace scopes coexist", () =>
    Effect.gen(function*() {
      const a = yield* seedTenant(f)
      const b = yield* seedTenant(f)
      const repo = yield* SettingRepository
      const orgWide = Fixtures.setting(f, a.tenant, a.admin.id)
      const own = Fixtures.setting(f, a.tenant, a.admin.id, { workspaceId: a.tenant.workspaceId, value: "ru-KZ" })
      yield* inTx(a.tenant, Effect.forEach([orgWide, own], (s) => repo.insert(a.tenant, s)))
      assert.deepInclude(
        yield* failureOf(inTx(a.tenant, repo.insert(a.tenant, Fixtures.setting(f, a.tenant, a.admin.id)))),
        { _tag: "SettingKeyTaken", key: orgWide.key, scope: "organization" }
      )
      assert.deepInclude(
        yield* failureOf(
          inTx(
            a.tenant,
            repo.insert(a.tenant, Fixtures.setting(f, a.tenant, a.admin.id, { workspaceId: a.tenant.workspaceId }))
          )
        ),
        { _tag: "SettingKeyTaken", key: own.key, scope: "workspace" }
      )
      assert.deepStrictEqual(
        Option.map(yield* inTx(a.tenant, repo.findByKey(a.tenant, orgWide.key, null)), (s) => s.id),
        Option.some(orgWide.id)
      )
      assert.deepStrictEqual(
        Option.map(yield* inTx(a.tenant, repo.findByKey(a.tenant, own.key, a.tenant.workspaceId)), (s) => s.id),
        Option.some(own.id)
      )
      yield* inTx(b.tenant, repo.insert(b.tenant, Fixtures.setting(f, b.tenant, b.admin.id)))
      assert.strictEqual((yield* inTx(a.tenant, repo.list(a.tenant))).length, 2)
      assert.isTrue(Option.isNone(yield* inTx(b.tenant, repo.findById(b.tenant, orgWide.id))))
    }))

  it.effect("TEN-08 update cannot move a setting to another key or scope; remove deletes", () =>
    Effect.gen(function*() {
      const a = yield* seedTenant(f)
      const repo = yield* SettingRepository
      const s = Fixtures.setting(f, a.tenant, a.admin.id, { key: "tz" })
      yield* inTx(a.tenant, repo.insert(a.tenant, s))
      yield* inTx(
        a.tenant,
        repo.update(a.tenant, next(s, { key: "other", workspaceId: a.tenant.workspaceId, value: "Asia/Almaty" }))
      )
      const stored = Option.getOrThrow(yield* inTx(a.tenant, repo.findById(a.tenant, s.id)))
      assert.deepStrictEqual([stored.key, stored.workspaceId, stored.value], ["tz", null, "Asia/Almaty"])
      assert.isTrue(Option.isSome(yield* inTx(a.tenant, repo.remove(a.tenant, s.id))))
      assert.isTrue(Option.isNone(yield* inTx(a.tenant, repo.findById(a.tenant, s.id))))
    }))
})

export const rolePermissionRepositoryContract: Suite<unknown> = suite("RolePermissionRepository", (it, f) => {
  it.effect("overrides are per organization; remove restores the defaults", () =>
    Effect.gen(function*() {
      const a = yield* seedTenant(f)
      const b = yield* seedTenant(f)
      const repo = yield* RolePermissionRepository
      const perms = [Actor.permission("x.y.read"), Actor.permission("x.y.write")]
      yield* inTx(a.tenant, repo.set(a.tenant, "employee", perms))
      assert.deepStrictEqual(yield* inTx(a.tenant, repo.find(a.tenant, "employee")), Option.some(perms))
      assert.isTrue(Option.isNone(yield* inTx(b.tenant, repo.find(b.tenant, "employee"))))
      assert.deepStrictEqual(yield* inTx(a.tenant, repo.list(a.tenant)), [{ role: "employee", permissions: perms }])
      assert.isTrue(yield* inTx(a.tenant, repo.remove(a.tenant, "employee")))
      assert.isTrue(Option.isNone(yield* inTx(a.tenant, repo.find(a.tenant, "employee"))))
    }))
})

export const membershipRepositoryContract: Suite<unknown> = suite("MembershipRepository", (it, f) => {
  it.effect("AUTH-02 one membership per (organization, user), its role per organization; versioned; remove", () =>
    Effect.gen(function*() {
      const a = yield* seedTenant(f)
      const b = yield* seedTenant(f)
      const repo = yield* MembershipRepository
      const home = Fixtures.membership(a.admin.id, a.tenant.organizationId, { role: "admin" })
      const elsewhere = Fixtures.membership(a.admin.id, b.tenant.organizationId, {
        role: "Dispatcher",
        createdAt: 2_000,
        updatedAt: 2_000
      })
      yield* inTx(a.tenant, repo.insert(home))
      yield* inTx(b.tenant, repo.insert(elsewhere))
      assert.deepInclude(yield* failureOf(inTx(a.tenant, repo.insert(new Membership({ ...home, role: "staff" })))), {
        _tag: "AlreadyMember",
        userId: a.admin.id,
        organizationId: a.tenant.organizationId
      })
      assert.deepStrictEqual(yield* inTx(a.tenant, repo.find(a.tenant.organizationId, a.admin.id)), Option.some(home))
      assert.deepStrictEqual(yield* inTx(b.tenant, repo.listByOrganization(b.tenant.organizationId)), [elsewhere])
      // the home organization sees where its user is a member (its delete guard)
      assert.sameMembers(
        [...(yield* inTx(a.tenant, repo.organizationsOf(a.admin.id)))],
        [a.tenant.organizationId, b.tenant.organizationId]
      )
      const demoted = next(elsewhere, { role: "employee", updatedAt: 3_000 })
      yield* inTx(b.tenant, repo.update(demoted))
      assert.strictEqual(
        yield* tagOf(inTx(b.tenant, repo.update(next(elsewhere, { role: "Admin" })))),
        "StaleVersion",
        "stale"
      )
      assert.deepStrictEqual(
        yield* inTx(a.tenant, repo.find(a.tenant.organizationId, a.admin.id)),
        Option.some(home),
        "A's role untouched"
      )
      assert.deepStrictEqual(
        yield* inTx(b.tenant, repo.remove(b.tenant.organizationId, a.admin.id)),
        Option.some(demoted)
      )
      assert.isTrue(Option.isNone(yield* inTx(b.tenant, repo.remove(b.tenant.organizationId, a.admin.id))))
      assert.strictEqual(yield* tagOf(inTx(b.tenant, repo.update(next(demoted)))), "NotFound")
      assert.deepStrictEqual(yield* inTx(a.tenant, repo.organizationsOf(a.admin.id)), [a.tenant.organizationId])
    }))
})

export const invitationRepositoryContract: Suite<unknown> = suite("InvitationRepository", (it, f) => {
  it.effect("invitations are per organization, listed newest first within a bound; one answer wins (versioned)", () =>
    Effect.gen(function*() {
      const a = yield* seedTenant(f)
      const b = yield* seedTenant(f)
      const repo = yield* InvitationRepository
      const older = Fixtures.invitation(f, a.tenant, "one@example.kz")
      const newer = Fixtures.invitation(f, a.tenant, "two@example.kz", {
        createdAt: 2_000,
        updatedAt: 2_000,
        role: "staff"
      })
      yield* inTx(a.tenant, Effect.all([repo.insert(older), repo.insert(newer)]))
      assert.strictEqual(yield* tagOf(inTx(a.tenant, repo.insert(older))), "Conflict")
      assert.deepStrictEqual(yield* inTx(a.tenant, repo.listByOrganization(a.tenant.organizationId, 10)), [
        newer,
        older
      ])
      assert.deepStrictEqual(yield* inTx(a.tenant, repo.listByOrganization(a.tenant.organizationId, 1)), [newer])
      assert.isTrue(Option.isNone(yield* inTx(b.tenant, repo.findById(b.tenant.organizationId, older.id))))
      assert.deepStrictEqual(yield* inTx(b.tenant, repo.listByOrganization(b.tenant.organizationId, 10)), [])
      const accepted = next(older, { status: "accepted", updatedAt: 3_000 })
      yield* inTx(a.tenant, repo.update(accepted))
      assert.strictEqual(
        yield* tagOf(inTx(a.tenant, repo.update(next(older, { status: "declined" })))),
        "StaleVersion",
        "second answer"
      )
      assert.deepStrictEqual(
        yield* inTx(a.tenant, repo.findById(a.tenant.organizationId, older.id)),
        Option.some(accepted)
      )
    }))
})

export const optimisticConcurrencyContract: Suite<unknown> = suite("optimistic concurrency", (it, f) => {
  it.effect("a write that is not exactly one version after the stored row is StaleVersion and changes nothing", () =>
    Effect.gen(function*() {
      const { tenant, admin } = yield* seedTenant(f)
      const users = yield* UserRepository
      const orgs = yield* OrganizationRepository
      const workspaces = yield* WorkspaceRepository
      const employees = yield* EmployeeRepository
      const departments = yield* DepartmentRepository
      const settings = yield* SettingRepository
      const org = Option.getOrThrow(yield* inTx(tenant, orgs.findById(tenant.organizationId)))
      const ws = Option.getOrThrow(yield* inTx(tenant, workspaces.findById(tenant, tenant.workspaceId)))
      const e = Fixtures.employee(f, admin.id, tenant)
      const d = Fixtures.department(f, tenant)
      const s = Fixtures.setting(f, tenant, admin.id)
      yield* inTx(
        tenant,
        Effect.all([employees.insert(tenant, e), departments.insert(tenant, d), settings.insert(tenant, s)])
      )
      const stale: ReadonlyArray<Effect.Effect<void, { readonly _tag: string }>> = [
        users.update({ ...admin, name: "same version" }),
        users.update({ ...admin, name: "skipped", version: admin.version + 2 }),
        orgs.update({ ...org, name: "same version" }),
        workspaces.update(tenant, { ...ws, name: "same version" }),
        employees.update(tenant, { ...e, position: "same version" }),
        departments.update(tenant, { ...d, name: "same version" }),
        settings.update(tenant, { ...s, value: "same version" })
      ]
      for (const write of stale) assert.strictEqual(yield* tagOf(inTx(tenant, write)), "StaleVersion")
      assert.deepStrictEqual(yield* inTx(tenant, users.findById(admin.id)), Option.some(admin))
      assert.deepStrictEqual(yield* inTx(tenant, settings.findById(tenant, s.id)), Option.some(s))
      yield* inTx(tenant, users.update(next(admin, { name: "v2" })))
      assert.strictEqual(yield* tagOf(inTx(tenant, users.update(next(admin, { name: "lost update" })))), "StaleVersion")
      assert.deepStrictEqual(
        Option.map(yield* inTx(tenant, users.findById(admin.id)), (u) => [u.name, u.version]),
        Option.some(["v2", 2])
      )
    }))
})

/** Every identity port's contract. */
export const identityContractSuite = <E>(name: string, layer: Layer.Layer<IdentityPorts, E>): void => {
  for (const run of [
    userRepositoryContract,
    sessionRepositoryContract,
    accountRepositoryContract,
    verificationRepositoryContract,
    organizationRepositoryContract,
    workspaceRepositoryContract,
    employeeRepositoryContract,
    membershipRepositoryContract,
    invitationRepositoryContract,
    departmentRepositoryContract,
    settingRepositoryContract,
    rolePermissionRepositoryContract,
    optimisticConcurrencyContract
  ]) run(name, layer)
}
