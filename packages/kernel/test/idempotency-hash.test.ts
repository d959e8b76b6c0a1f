import { describe, expect, it } from "vitest"
import { Effect } from "effect"
import { canonicalJson, requestHash, sha256Hex } from "../src/Idempotency.ts"

describe("request hash", () => {
  it("sha256Hex matches the FIPS 180-4 test vectors, across block boundaries and for multi-byte UTF-8", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    expect(sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
      .toBe("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    expect(sha256Hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"))
      .toBe("cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1")
    expect(sha256Hex("a".repeat(1_000_000))).toBe("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    // UTF-8 of "é😀": c3 a9 f0 9f 98 80
    expect(sha256Hex("é😀")).toBe(sha256Hex("\u00e9\ud83d\ude00"))
  })

  it("sha256Hex agrees with crypto.subtle for every length around the padding boundaries", async () => {
    for (let n = 0; n < 200; n++) {
      const text = "ü".repeat(n % 7) + "x".repeat(n)
      const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text)))
      expect(sha256Hex(text)).toBe(Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join(""))
    }
  })

  it("requestHash hashes the command name and the canonical JSON input", () => {
    const input = { b: 1n, a: "x" }
    expect(Effect.runSync(requestHash("c", input))).toBe(sha256Hex(`c\n${canonicalJson(input)}`))
  })
})
