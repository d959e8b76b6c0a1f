import { describe, expect, it } from "vitest"
import { Result, Schema } from "effect"
import * as fc from "fast-check"
import * as Text from "../src/Text.ts"
import { IdempotencyKey } from "../src/Idempotency.ts"

const ok = (schema: Schema.Codec<string, unknown>, input: unknown) =>
  Result.isSuccess(Schema.decodeUnknownResult(schema)(input))
const schemas = [Text.Bounded(50), Text.NonBlank(50), Text.Trimmed(50), IdempotencyKey as Schema.Codec<string, unknown>]

describe("Text", () => {
  it("refuses NUL and lone surrogates in every text schema (Postgres text and jsonb cannot store them)", () => {
    for (const schema of schemas) {
      expect(ok(schema, "a\u0000b")).toBe(false)
      expect(ok(schema, "a\uD800b")).toBe(false)
      expect(ok(schema, "a\uDC00b")).toBe(false)
      expect(ok(schema, "ab\uD800")).toBe(false)
      expect(ok(schema, "a\uDBFF\uDFFFb")).toBe(true) // a surrogate pair is one well-formed character
      expect(ok(schema, "a'b\"; DROP TABLE x; --")).toBe(true)
    }
  })
  it("isStorable agrees with encoding to UTF-8 and back, on any string", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 8 }), (s) => {
        const roundTrips = new TextDecoder().decode(new TextEncoder().encode(s)) === s
        expect(Text.isStorable(s)).toBe(roundTrips && !s.includes("\u0000"))
      }),
      { seed: 20261206, numRuns: 2000 }
    )
  })
  it("isStorableJson looks into nested values and keys", () => {
    expect(Text.isStorableJson({ a: [1, "x", { b: null }] })).toBe(true)
    expect(Text.isStorableJson({ a: [1, "x", { b: "\u0000" }] })).toBe(false)
    expect(Text.isStorableJson({ ["k\uD800"]: 1 })).toBe(false)
    expect(Text.isStorableJson(["\uDC00"])).toBe(false)
  })
  it("bounds length and refuses blanks where required", () => {
    expect(ok(Text.NonBlank(3), "abcd")).toBe(false)
    expect(ok(Text.NonBlank(3), "   ")).toBe(false)
    expect(ok(Text.Bounded(3), "")).toBe(true)
    expect(Schema.decodeUnknownSync(Text.Trimmed(10))("  Ada  ")).toBe("Ada")
    expect(ok(Text.Trimmed(10), "   ")).toBe(false)
  })
})
