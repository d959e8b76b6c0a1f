import { describe, expect, it } from "vitest"
import { Result, Schema } from "effect"
import * as Text from "../src/Text.ts"
import { IdempotencyKey } from "../src/Idempotency.ts"

const ok = (schema: Schema.Codec<string, unknown>, input: unknown) => Result.isSuccess(Schema.decodeUnknownResult(schema)(input))

describe("Text", () => {
  it("refuses NUL in every text schema (Postgres text cannot store it)", () => {
    for (const schema of [Text.Bounded(50), Text.NonBlank(50), Text.Trimmed(50), IdempotencyKey as Schema.Codec<string, unknown>]) {
      expect(ok(schema, "a\u0000b")).toBe(false)
      expect(ok(schema, "a'b\"; DROP TABLE x; --")).toBe(true)
    }
  })
  it("bounds length and refuses blanks where required", () => {
    expect(ok(Text.NonBlank(3), "abcd")).toBe(false)
    expect(ok(Text.NonBlank(3), "   ")).toBe(false)
    expect(ok(Text.Bounded(3), "")).toBe(true)
    expect(Schema.decodeUnknownSync(Text.Trimmed(10))("  Ada  ")).toBe("Ada")
    expect(ok(Text.Trimmed(10), "   ")).toBe(false)
  })
})
