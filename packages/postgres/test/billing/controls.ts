/**
 * Deliberately broken adapters, the controls of the concurrency tests: run through the same workload
 * and the same checks, they must be caught. A check that passes on them could not see the race it is
 * meant to see.
 */
import { Context, Effect, Option } from "effect"
import { Idempotency } from "@erpkit/kernel"
import { ClientAccountRepository } from "@erpkit/billing"
import { PgDatabase } from "../../src/Database.ts"

type Ctx = Context.Context<any>

/** A `ClientAccountRepository` whose `getForUpdate` is a plain SELECT (no row lock): lost updates. */
export const withoutAccountLock = (context: Ctx): Ctx => {
  const real = Context.get(context, ClientAccountRepository.ClientAccountRepository)
  return Context.add(context, ClientAccountRepository.ClientAccountRepository, { ...real, getForUpdate: real.get })
}

/**
 * A check-then-act idempotency store: it reads the completed record (a plain SELECT) and, after the
 * command, inserts its own with ON CONFLICT DO NOTHING, with no claim on the key before acting.
 * Sequential replays work; concurrent copies of a command all read "absent" and all act.
 */
export const checkThenActIdempotency = (context: Ctx): Ctx => {
  const db = Context.get(context, PgDatabase)
  const sql = db.sql
  const find = (tenant: { readonly organizationId: string; readonly workspaceId: string }, key: string) =>
    db.inTenant(tenant as never)(Effect.orDie(sql<{ command: string; requestHash: string; result: unknown }>`
      SELECT command, request_hash AS "requestHash", result FROM platform.idempotency_keys
      WHERE organization_id = ${tenant.organizationId} AND workspace_id = ${tenant.workspaceId} AND key = ${key}
        AND state = 'completed'`)).pipe(
      Effect.map((rows) => Option.fromNullishOr(rows[0] as Idempotency.IdempotencyRecord | undefined))
    )
  const naive: Idempotency.Idempotency["Service"] = {
    find,
    findForCommand: find,
    confirmAbsent: () => Effect.void,
    save: (tenant, key, record) =>
      db.inTenant(tenant)(Effect.orDie(sql`
        INSERT INTO platform.idempotency_keys (organization_id, workspace_id, key, state, command, request_hash, result,
          completed_at)
        VALUES (${tenant.organizationId}, ${tenant.workspaceId}, ${key}, 'completed', ${record.command},
                ${record.requestHash}, ${JSON.stringify(record.result)}::jsonb, now())
        ON CONFLICT DO NOTHING`)).pipe(Effect.asVoid)
  }
  return Context.add(context, Idempotency.Idempotency, naive)
}
