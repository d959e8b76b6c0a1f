import { assert, describe, it } from "@effect/vitest"
import { expect } from "vitest"
import { Effect, Result, Schema } from "effect"
import * as fc from "fast-check"
import { TestClock } from "effect/testing"
import * as Ids from "../src/Ids.ts"
import * as LocalDate from "../src/LocalDate.ts"

describe("ids", () => {
  it.effect("UUIDv7 ids carry the Clock time and the version and variant bits", () =>
    Effect.gen(function*() {
      yield* TestClock.setTime(0x0190_1234_5678)
      const id = yield* Ids.IdGenerator.use((g) => g.next)
      assert.match(id, /^01901234-5678-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      assert.isTrue(Schema.is(Ids.UserId)(id))
      const other = yield* Ids.IdGenerator.use((g) => g.next)
      assert.notStrictEqual(other, id)
    }).pipe(Effect.provide(Ids.IdGenerator.layerUuidV7)))

  it.effect("the sequential test generator is deterministic and ordered", () =>
    Effect.gen(function*() {
      const a = yield* Ids.IdGenerator.use((g) => g.next)
      const b = yield* Ids.IdGenerator.use((g) => g.next)
      assert.strictEqual(a, "00000007-0000-7000-8000-000000000001")
      assert.isTrue(a < b)
    }).pipe(Effect.provide(Ids.IdGenerator.layerSequential(7))))

  it("uuidV7 lays out the 48-bit time and random bytes as RFC 9562 says (property, vs a byte-wise reference)", () => {
    const reference = (millis: number, random: Uint8Array) => {
      const bytes = new Uint8Array(16)
      for (let i = 5, ts = BigInt(millis); i >= 0; i--, ts >>= 8n) bytes[i] = Number(ts & 0xffn)
      bytes.set(random, 6)
      bytes[6] = (bytes[6]! & 0x0f) | 0x70
      bytes[8] = (bytes[8]! & 0x3f) | 0x80
      const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
    }
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 48 - 1 }),
        fc.uint8Array({ minLength: 10, maxLength: 10 }),
        (millis, random) => {
          expect(Ids.uuidV7(millis, random)).toBe(reference(millis, random))
        }
      ),
      { numRuns: 1000 }
    )
  })

  it("branded ids reject anything but a lower-case UUID", () => {
    for (const bad of ["", "not-a-uuid", "0190ABCD-5678-7000-8000-000000000001", "x".repeat(10_000), 42]) {
      expect(Result.isFailure(Schema.decodeUnknownResult(Ids.OrganizationId)(bad))).toBe(true)
    }
  })
})

describe("LocalDate", () => {
  it("gives the business date in the tenant's time zone", () => {
    const instant = Date.UTC(2026, 10, 21, 20, 30) // 21 Nov 20:30 UTC = 22 Nov 01:30 in Almaty (UTC+5)
    expect(LocalDate.atInstant(instant, "Asia/Almaty")).toBe("2026-11-22")
    expect(LocalDate.atInstant(instant, "UTC")).toBe("2026-11-21")
    expect(LocalDate.atInstant(instant, "America/New_York")).toBe("2026-11-21")
  })

  it("validates real calendar dates and does calendar arithmetic", () => {
    expect(Result.isSuccess(Schema.decodeUnknownResult(LocalDate.LocalDate)("2028-02-29"))).toBe(true)
    for (const bad of ["2026-02-29", "2026-13-01", "26-01-01", "2026-1-1", "", 20260101]) {
      expect(Result.isFailure(Schema.decodeUnknownResult(LocalDate.LocalDate)(bad))).toBe(true)
    }
    for (const leap of ["2000-02-29", "2024-02-29", "2026-04-30", "2026-12-31"]) {
      expect(LocalDate.unsafeMake(leap)).toBe(leap)
    }
    for (const bad of ["1900-02-29", "2100-02-29", "2026-04-31", "2026-06-31", "2026-00-10", "2026-01-00"]) {
      expect(Result.isFailure(Schema.decodeUnknownResult(LocalDate.LocalDate)(bad))).toBe(true)
    }
    const d = LocalDate.unsafeMake("2026-12-28")
    expect(LocalDate.addDays(d, 7)).toBe("2027-01-04")
    expect(LocalDate.daysBetween(d, LocalDate.unsafeMake("2027-01-04"))).toBe(7)
    expect(LocalDate.isTimeZone("Asia/Almaty")).toBe(true)
    expect(LocalDate.isTimeZone("Mars/Olympus")).toBe(false)
  })

  it("a YYYY-MM-DD string is a LocalDate exactly when the proleptic Gregorian calendar has that day (property)", () => {
    const pad = (n: number, w: number) => String(n).padStart(w, "0")
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 9999 }),
        fc.integer({ min: 0, max: 13 }),
        fc.integer({ min: 0, max: 32 }),
        (y, m, d) => {
          const iso = `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`
          const probe = new globalThis.Date(0)
          probe.setUTCFullYear(y, m - 1, d)
          const real = m >= 1 && m <= 12 && d >= 1 && probe.getUTCFullYear() === y && probe.getUTCMonth() === m - 1 &&
            probe.getUTCDate() === d
          expect(Result.isSuccess(Schema.decodeUnknownResult(LocalDate.LocalDate)(iso))).toBe(real)
        }
      ),
      { numRuns: 2000 }
    )
  })
})
