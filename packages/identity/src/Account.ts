/**
 * Provider accounts (seed 002 `account`): the link between a user and a login provider's account id
 * (AUTH-16, AUTH-17). Credentials (password hashes, OAuth tokens) stay with the host's auth library;
 * this record is what identity needs for uniqueness and cascades.
 */
import { Schema } from "effect"
import { Ids, Instant } from "@erpkit/kernel"

export const AccountId = Ids.makeId("AccountId")
export type AccountId = typeof AccountId.Type

export class Account extends Schema.Class<Account>("Account")({
  id: AccountId,
  userId: Ids.UserId,
  /** e.g. `credential`, `google`, `github`. */
  providerId: Schema.String,
  /** The user's id at the provider. */
  accountId: Schema.String,
  createdAt: Instant.Instant
}) {}

/** The uniqueness key (AUTH-17); Postgres has `UNIQUE (provider_id, account_id)`. */
export const providerKey = (a: { readonly providerId: string; readonly accountId: string }): string =>
  `${a.providerId.length}:${a.providerId}/${a.accountId}`
