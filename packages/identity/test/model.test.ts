/**
 * Model-based test (fast-check `commands`): random sequences of registration, verification, status
 * changes, bans, sign-ins and deletions against a small reference model. After every step the
 * stored users match the model and satisfy every `User` invariant.
 */
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Effect, Exit, type Layer, ManagedRuntime, Option } from "effect"
import * as fc from "fast-check"
import { Actor, StateMachine, type Tenant } from "@erpkit/kernel"
import { Access, Sessions, SessionRepository, User, UserRepository, Users } from "@erpkit/identity"
import { layerTest } from "@erpkit/identity/testing"
import { freshEmail, openTenant, userWithRole } from "./helpers.ts"

interface ModelUser {
  readonly id: User.User["id"]
  readonly email: string
  readonly code: string
  status: User.UserStatus
  registration: User.RegistrationStatus
  banned: boolean
  sessions: number
}
interface Model {
  readonly users: Array<ModelUser>
}
type Services = Layer.Success<ReturnType<typeof layerTest>>
interface Real {
  readonly run: <A, E>(effect: Effect.Effect<A, E, Services>) => Promise<Exit.Exit<A, E>>
  readonly tenant: Tenant.Tenant
  readonly admin: Actor.Actor
}

const pick = (m: Model, i: number) => m.users[i % m.users.length]!

/** Compares the stored user with the model and checks the invariants. */
const agree = async (real: Real, u: ModelUser) => {
  const stored = await real.run(UserRepository.use((r) => r.findById(u.id)))
  const user = Exit.isSuccess(stored) ? Option.getOrThrow(stored.value) : assert.fail("user missing")
  assert.deepStrictEqual(
    [user.status, user.registrationStatus, user.banned, user.emailVerified],
    [u.status, u.registration, u.banned, u.registration !== "email_pending"]
  )
  assert.deepStrictEqual(User.brokenInvariants(user), [])
  const sessions = await real.run(SessionRepository.use((r) => r.listByUser(u.id)))
  assert.strictEqual(Exit.isSuccess(sessions) ? sessions.value.length : -1, u.sessions)
}

class Register implements fc.AsyncCommand<Model, Real> {
  check = () => true
  async run(m: Model, r: Real) {
    const email = freshEmail("model")
    const exit = await r.run(Users.register(Access.anonymous(r.tenant), { email, name: "M" }))
    if (!Exit.isSuccess(exit)) return assert.fail("registration failed")
    const u: ModelUser = {
      id: exit.value.user.id,
      email,
      code: exit.value.verification.code,
      status: "pending",
      registration: "email_pending",
      banned: false,
      sessions: 0
    }
    m.users.push(u)
    await agree(r, u)
  }
  toString = () => "register"
}

/** A command on the model's `i`-th user (the index wraps around); it needs one user at least. */
abstract class OnUser implements fc.AsyncCommand<Model, Real> {
  readonly i: number
  constructor(i: number) {
    this.i = i
  }
  check = (m: Readonly<Model>) => m.users.length > 0
  run(m: Model, r: Real): Promise<void> {
    return this.runOn(pick(m, this.i), m, r)
  }
  abstract runOn(u: ModelUser, m: Model, r: Real): Promise<void>
}

class Verify extends OnUser {
  async runOn(u: ModelUser, _m: Model, r: Real) {
    const exit = await r.run(Users.verifyEmail(Access.anonymous(r.tenant), { email: u.email, code: u.code }))
    assert.strictEqual(Exit.isSuccess(exit), u.registration === "email_pending")
    if (Exit.isSuccess(exit)) {
      ;[u.registration, u.status] = ["email_verified", u.status === "pending" ? "active" : u.status]
    }
    await agree(r, u)
  }
  override toString = () => `verify(${this.i})`
}

class SetStatus extends OnUser {
  readonly to: User.UserStatus
  constructor(i: number, to: User.UserStatus) {
    super(i)
    this.to = to
  }
  async runOn(u: ModelUser, _m: Model, r: Real) {
    const exit = await r.run(Users.setUserStatus(r.admin, { userId: u.id, status: this.to }))
    assert.strictEqual(Exit.isSuccess(exit), StateMachine.canTransition(User.statusMachine, u.status, this.to))
    if (Exit.isSuccess(exit)) u.status = this.to
    await agree(r, u)
  }
  override toString = () => `status(${this.i}, ${this.to})`
}

class Ban extends OnUser {
  readonly on: boolean
  constructor(i: number, on: boolean) {
    super(i)
    this.on = on
  }
  async runOn(u: ModelUser, _m: Model, r: Real) {
    const exit = await r.run(
      this.on ? Users.banUser(r.admin, { userId: u.id, reason: "abuse" }) : Users.unbanUser(r.admin, { userId: u.id })
    )
    assert.isTrue(Exit.isSuccess(exit))
    u.banned = this.on
    if (this.on) u.sessions = 0
    await agree(r, u)
  }
  override toString = () => `${this.on ? "ban" : "unban"}(${this.i})`
}

class SignIn extends OnUser {
  async runOn(u: ModelUser, _m: Model, r: Real) {
    const exit = await r.run(Sessions.createSession(Actor.system(r.tenant), { userId: u.id }))
    assert.strictEqual(Exit.isSuccess(exit), !u.banned && u.status !== "suspended" && u.status !== "inactive")
    if (Exit.isSuccess(exit)) u.sessions++
    await agree(r, u)
  }
  override toString = () => `signIn(${this.i})`
}

class Delete extends OnUser {
  async runOn(u: ModelUser, m: Model, r: Real) {
    assert.isTrue(Exit.isSuccess(await r.run(Users.deleteUser(r.admin, { userId: u.id }))))
    m.users.splice(m.users.indexOf(u), 1)
    const gone = await r.run(UserRepository.use((repo) => repo.findById(u.id)))
    assert.isTrue(Exit.isSuccess(gone) && Option.isNone(gone.value))
  }
  override toString = () => `delete(${this.i})`
}

const commands = [
  fc.constant(new Register()),
  fc.nat().map((i) => new Verify(i)),
  fc.tuple(fc.nat(), fc.constantFrom<User.UserStatus>("pending", "active", "inactive", "suspended")).map(([i, s]) =>
    new SetStatus(i, s)
  ),
  fc.tuple(fc.nat(), fc.boolean()).map(([i, on]) => new Ban(i, on)),
  fc.nat().map((i) => new SignIn(i)),
  fc.nat().map((i) => new Delete(i))
]

const runtimes: Array<ManagedRuntime.ManagedRuntime<Services, never>> = []
afterAll(() => Promise.all(runtimes.map((r) => r.dispose())))

describe("user lifecycle model", () => {
  it("AUTH-05 AUTH-08 AUTH-19 any sequence of user commands agrees with the reference model", async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: "max" }), async (cmds) => {
        const runtime = ManagedRuntime.make(layerTest())
        runtimes.push(runtime)
        const run: Real["run"] = (effect) => runtime.runPromise(Effect.exit(effect))
        const setup = await runtime.runPromise(Effect.gen(function*() {
          const tenant = yield* openTenant()
          const { actor } = yield* userWithRole(tenant, "Admin")
          return { tenant, admin: actor }
        }))
        await fc.asyncModelRun(() => ({ model: { users: [] }, real: { run, ...setup } }), cmds)
      }),
      { numRuns: 80 }
    )
  })
})
