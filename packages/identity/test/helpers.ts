/** Test helpers: the shared command-level fixtures of the test kit, and a snapshot of the memory store. */
import { Effect } from "effect"
import { MemoryStore } from "@erpkit/kernel"

export {
  actorOf,
  freshBin,
  freshEmail,
  join,
  openTenant,
  outcome,
  register,
  registerVerified,
  userWithRole
} from "@erpkit/identity/testing"

const tables = [
  "auth.users",
  "auth.sessions",
  "auth.accounts",
  "auth.email_verifications",
  "identity.organizations",
  "identity.workspaces",
  "identity.employees",
  "identity.memberships",
  "identity.invitations",
  "identity.departments",
  "identity.settings",
  "identity.role_permissions",
  "platform.outbox",
  "platform.audit_log",
  "platform.idempotency_keys"
]

/** Every identity and platform table, as sorted JSON: equal snapshots mean nothing was written. */
export const snapshot = Effect.gen(function*() {
  const store = yield* MemoryStore.MemoryStore
  const parts = yield* Effect.forEach(
    tables,
    (t) => Effect.map(store.table<unknown>(t).all, (rows) => rows.map((r) => JSON.stringify(r)).sort())
  )
  return JSON.stringify(parts)
})
