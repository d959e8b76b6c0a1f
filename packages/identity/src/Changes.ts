/**
 * Audit changes (TEN-07) for `Outcome.changes`: the command pipeline stamps them with the tenant,
 * actor, time and changed fields. Values are canonical JSON; callers strip secrets first (token
 * hashes, code hashes, secret setting values never reach the log).
 */
import type { Schema } from "effect"
import { AuditLog, Idempotency } from "@erpkit/kernel"

export const toJson = (value: unknown): Schema.Json => JSON.parse(Idempotency.canonicalJson(value)) as Schema.Json

export const created = (entityType: string, entityId: string, value: unknown): AuditLog.AuditChange =>
  AuditLog.change(entityType, entityId, null, toJson(value))

export const updated = (entityType: string, entityId: string, before: unknown, after: unknown): AuditLog.AuditChange =>
  AuditLog.change(entityType, entityId, toJson(before), toJson(after))

/** A hard delete has no new values; a soft delete passes the row with its `deletedAt` as `after`. */
export const deleted = (
  entityType: string,
  entityId: string,
  before: unknown,
  after: unknown = null
): AuditLog.AuditChange =>
  AuditLog.change(entityType, entityId, toJson(before), after === null ? null : toJson(after), "DELETE")
