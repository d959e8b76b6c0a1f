import { describe, expect, it } from "@effect/vitest"
import * as fc from "fast-check"
import { changedFields } from "../src/AuditLog.ts"

/** The definition: a top-level field changed when its JSON text differs. */
const byJsonText = (before: Record<string, unknown>, after: Record<string, unknown>) =>
  [...new Set([...Object.keys(before), ...Object.keys(after)])].sort().filter((k) =>
    JSON.stringify(before[k]) !== JSON.stringify(after[k])
  )

describe("AuditLog.changedFields", () => {
  it("TEN-07 names exactly the top-level fields whose JSON differs (property, against JSON text)", () => {
    const record = fc.dictionary(fc.constantFrom("a", "b", "c", "lines", "status"), fc.jsonValue({ maxDepth: 3 }))
    fc.assert(
      fc.property(record, record, fc.boolean(), (before, other, mutate) => {
        // half the cases share most fields, so "unchanged" is exercised as much as "changed"
        const after = mutate ? { ...before, ...other } : other
        expect(changedFields(before as never, after as never)).toEqual(byJsonText(before, after))
      }),
      { numRuns: 500 }
    )
  })

  it("sees changes deep inside arrays and objects, and in key order as JSON does", () => {
    const line = { qty: "1", price: "10" }
    expect(changedFields({ lines: [line], n: 1 }, { lines: [{ ...line, price: "11" }], n: 1 })).toEqual(["lines"])
    expect(changedFields({ o: { x: 1, y: 2 } }, { o: { y: 2, x: 1 } })).toEqual(["o"])
    expect(changedFields({ a: null }, { a: 0 })).toEqual(["a"])
    expect(changedFields(null, { id: "x", v: 1 })).toEqual(["id", "v"])
    expect(changedFields({ id: "x" }, null)).toEqual(["id"])
    expect(changedFields({ id: "x", l: [1, [2]] }, { id: "x", l: [1, [2]] })).toEqual([])
  })
})
