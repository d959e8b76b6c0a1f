/**
 * Memberships and invitations (issue 10, AUTH-02, TEN-01): roles are per organization; another
 * organization joins a user only by an invitation the user accepts (their verified address, once,
 * before expiry), and then manages only its own membership of them.
 */
import { assert, layer } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { Access, IdentityConfig, Invitations, Memberships, Sessions } from "@erpkit/identity"
import { Actor } from "@erpkit/kernel"
import { layerTest } from "@erpkit/identity/testing"
import {
  actorOf,
  freshEmail,
  join,
  openTenant,
  outcome,
  register,
  registerVerified,
  snapshot,
  userWithRole
} from "./helpers.ts"

layer(layerTest())("memberships and invitations", (it) => {
  it.effect("AUTH-02 a role is per organization: B's assignment changes B's membership only", () =>
    Effect.gen(function*() {
      const a = yield* openTenant()
      const b = yield* openTenant()
      const { actor: adminB } = yield* userWithRole(b, "Admin")
      const user = yield* registerVerified(a)
      yield* Memberships.assignRole(Actor.system(a), { userId: user.id, role: "Finance Manager" })
      yield* join(b, user, "staff")
      const inB = yield* Memberships.assignRole(adminB, { userId: user.id, role: "Dispatcher" })
      assert.deepStrictEqual([inB.organizationId, inB.role], [b.organizationId, "Dispatcher"])
      const inA = yield* Memberships.getMembership(actorOf(user, a), { userId: user.id })
      assert.strictEqual(inA.role, "Finance Manager", "A decides what the user may do in A")
      const { token } = yield* Sessions.createSession(Actor.system(b), { userId: user.id })
      assert.deepStrictEqual(
        (yield* Sessions.authenticate(Access.anonymous(a), { token })).actor.roles,
        ["Dispatcher"],
        "a B session acts with B's role"
      )
    }))

  it.effect("an invitation is accepted once, by the holder of the verified address, before it expires", () =>
    Effect.gen(function*() {
      const home = yield* openTenant()
      const other = yield* openTenant()
      const { actor: admin } = yield* userWithRole(other, "Admin")
      const email = freshEmail("invitee")
      const { user: unverified } = yield* register(home, email)
      const invitation = yield* Invitations.inviteMember(admin, { email, role: "staff" })
      const invitee = Access.invitee(unverified.id, other)
      assert.strictEqual(
        yield* outcome(Invitations.acceptInvitation(invitee, { invitationId: invitation.id })),
        "EmailNotVerified"
      )
      const stranger = yield* registerVerified(home)
      const before = yield* snapshot
      assert.strictEqual(
        yield* outcome(
          Invitations.acceptInvitation(Access.invitee(stranger.id, other), { invitationId: invitation.id })
        ),
        "NotFound",
        "not for you"
      )
      assert.strictEqual(yield* snapshot, before)
      const verified = yield* registerVerified(home)
      const again = yield* Invitations.inviteMember(admin, { email: verified.email, role: "Sales Rep" })
      const membership = yield* Invitations.acceptInvitation(Access.invitee(verified.id, other), {
        invitationId: again.id
      })
      assert.deepStrictEqual([membership.organizationId, membership.role], [other.organizationId, "Sales Rep"])
      assert.strictEqual(
        yield* outcome(Invitations.acceptInvitation(Access.invitee(verified.id, other), { invitationId: again.id })),
        "InvitationClosed",
        "single use"
      )
      assert.strictEqual(
        yield* outcome(Invitations.inviteMember(admin, { email: verified.email, role: "staff" })),
        "AlreadyMember",
        "already a member"
      )
    }))

  it.effect("an expired invitation cannot be accepted; a revoked or declined one is closed", () =>
    Effect.gen(function*() {
      const home = yield* openTenant()
      const other = yield* openTenant()
      const { actor: admin } = yield* userWithRole(other, "Admin")
      const user = yield* registerVerified(home)
      const { invitationTtlMillis } = yield* IdentityConfig
      const first = yield* Invitations.inviteMember(admin, { email: user.email, role: "staff" })
      yield* TestClock.adjust(invitationTtlMillis)
      const expired = yield* outcome(
        Invitations.acceptInvitation(Access.invitee(user.id, other), { invitationId: first.id })
      )
      assert.strictEqual(expired, "InvitationClosed")
      const second = yield* Invitations.inviteMember(admin, { email: user.email, role: "staff" })
      assert.strictEqual((yield* Invitations.revokeInvitation(admin, { invitationId: second.id })).status, "revoked")
      assert.strictEqual(
        yield* outcome(Invitations.acceptInvitation(Access.invitee(user.id, other), { invitationId: second.id })),
        "InvitationClosed"
      )
      const third = yield* Invitations.inviteMember(admin, { email: user.email, role: "staff" })
      assert.strictEqual(
        (yield* Invitations.declineInvitation(Access.invitee(user.id, other), { invitationId: third.id })).status,
        "declined"
      )
      assert.strictEqual(
        yield* outcome(Memberships.getMembership(Actor.system(other), { userId: user.id })),
        "NotFound"
      )
    }).pipe(Effect.provide(TestClock.layer())))

  it.effect("AUTH-02 inviting sets a role, so only admin roles may invite; customers need their CRM customer", () =>
    Effect.gen(function*() {
      const tenant = yield* openTenant()
      const { actor: manager } = yield* userWithRole(tenant, "manager")
      const { actor: admin } = yield* userWithRole(tenant, "admin")
      assert.strictEqual(
        yield* outcome(Invitations.inviteMember(manager, { email: freshEmail(), role: "Admin" })),
        "Forbidden"
      )
      assert.strictEqual(
        yield* outcome(Invitations.inviteMember(admin, { email: freshEmail(), role: "customer" })),
        "ValidationError"
      )
      assert.strictEqual(
        yield* outcome(Invitations.inviteMember(admin, { email: freshEmail(), role: "system" })),
        "ValidationError"
      )
    }))

  it.effect("removing a member ends the membership, employment and sessions there; the home membership stays", () =>
    Effect.gen(function*() {
      const home = yield* openTenant()
      const other = yield* openTenant()
      const { actor: adminHome } = yield* userWithRole(home, "Admin")
      const { actor: adminOther } = yield* userWithRole(other, "Admin")
      const user = yield* registerVerified(home)
      yield* join(other, user)
      const there = yield* Sessions.createSession(Actor.system(other), { userId: user.id })
      const here = yield* Sessions.createSession(Actor.system(home), { userId: user.id })
      const removed = yield* Memberships.removeMember(adminOther, { userId: user.id })
      assert.strictEqual(removed.sessionsDeleted, 1)
      assert.strictEqual(
        yield* outcome(Sessions.authenticate(Access.anonymous(other), { token: there.token })),
        "SessionInvalid"
      )
      assert.strictEqual(
        (yield* Sessions.authenticate(Access.anonymous(home), { token: here.token })).actor.tenant.organizationId,
        home.organizationId
      )
      assert.strictEqual(yield* outcome(Memberships.removeMember(adminHome, { userId: user.id })), "HomeMembership")
    }))
})
