/**
 * Provider accounts: linking a login provider's account to a user (AUTH-16, AUTH-17).
 */
import { Effect, Option, Schema } from "effect"
// oxlint-disable-next-line no-unused-vars -- declaration emit names these types
import { type Actor, Command, Errors, Ids } from "@erpkit/kernel"
import { selfOr } from "./Access.ts"
import * as Account from "./Account.ts"
import { AccountRepository } from "./AccountRepository.ts"
import { created, deleted } from "./Changes.ts"
import * as Permissions from "./Permissions.ts"
import { RequiredText } from "./User.ts"
import { loadForChange, loadVisible } from "./Users.ts"

/**
 * AUTH-16: the user must exist (and be visible to the tenant); AUTH-17: the provider account is new.
 * A login is part of the user's own record: only the user, their home organization or the system.
 */
export const linkAccount = Command.make({
  name: "identity.linkAccount",
  input: Schema.Struct({ userId: Ids.UserId, providerId: RequiredText(100), accountId: RequiredText(255) }),
  output: Account.Account,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const user = yield* loadForChange(ctx.tenant, ctx.actor, input.userId, Permissions.accountLink)
    const account = new Account.Account({
      id: yield* Ids.nextId(Account.AccountId),
      userId: user.id,
      providerId: input.providerId,
      accountId: input.accountId,
      createdAt: ctx.now
    })
    yield* AccountRepository.use((r) => r.insert(account))
    return { result: account, changes: [created("Account", account.id, account)] }
  })
})

export const unlinkAccount = Command.make({
  name: "identity.unlinkAccount",
  input: Schema.Struct({ accountId: Account.AccountId }),
  output: Account.Account,
  handler: Effect.fnUntraced(function*(input, ctx) {
    const found = yield* AccountRepository.use((r) => r.findById(input.accountId))
    if (Option.isNone(found)) return yield* new Errors.NotFound({ entity: "Account", id: input.accountId })
    yield* loadForChange(ctx.tenant, ctx.actor, found.value.userId, Permissions.accountLink)
    yield* AccountRepository.use((r) => r.remove(input.accountId))
    return { result: found.value, changes: [deleted("Account", found.value.id, found.value)] }
  })
})

export const listAccounts = Command.query({
  name: "identity.listAccounts",
  input: Schema.Struct({ userId: Ids.UserId }),
  handler: Effect.fnUntraced(function*(input, ctx) {
    yield* selfOr(ctx.actor, input.userId, Permissions.userRead)
    yield* loadVisible(ctx.tenant, ctx.actor, input.userId)
    return yield* AccountRepository.use((r) => r.listByUser(input.userId))
  })
})
