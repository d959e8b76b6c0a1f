/**
 * Business dates: calendar days ("2026-11-21") in a tenant's time zone, as the seeds' DATE columns.
 * Instants are UTC epoch milliseconds; `today` turns one into a local date with the IANA zone rules.
 * ISO dates compare correctly as strings, so `<`/`>` on them is calendar order.
 */
import { Schema } from "effect"

const isoPattern = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/

const isRealDate = (s: string): boolean => {
  if (!isoPattern.test(s)) return false
  // the pattern fixes the positions: YYYY-MM-DD
  const y = Number(s.slice(0, 4))
  const m = Number(s.slice(5, 7))
  const d = Number(s.slice(8, 10))
  return d <= daysInMonth(y, m)
}

const daysInMonth = (y: number, m: number): number =>
  m === 2
    ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28)
    : m === 4 || m === 6 || m === 9 || m === 11
    ? 30
    : 31

export const LocalDate = Schema.String.pipe(
  Schema.check(Schema.makeFilter((s: string) => isRealDate(s) || "must be a calendar date YYYY-MM-DD")),
  Schema.brand("LocalDate")
)
export type LocalDate = typeof LocalDate.Type

export const unsafeMake = (iso: string): LocalDate => {
  if (!isRealDate(iso)) throw new RangeError(`not a calendar date: ${iso}`)
  return iso as LocalDate
}

const formatters = new Map<string, Intl.DateTimeFormat>()
const formatterFor = (timeZone: string): Intl.DateTimeFormat => {
  let f = formatters.get(timeZone)
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" })
    formatters.set(timeZone, f)
  }
  return f
}

/** The calendar date of the instant `epochMillis` in `timeZone` (IANA name, e.g. "Asia/Almaty"). */
export const atInstant = (epochMillis: number, timeZone: string): LocalDate =>
  formatterFor(timeZone).format(epochMillis) as LocalDate

/** Is `timeZone` an IANA zone this runtime knows? */
export const isTimeZone = (timeZone: string): boolean => {
  try {
    formatterFor(timeZone)
    return true
  } catch {
    return false
  }
}

export const addDays = (date: LocalDate, days: number): LocalDate => {
  const [y, m, d] = date.split("-").map(Number) as [number, number, number]
  return new globalThis.Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10) as LocalDate
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export const daysBetween = (from: LocalDate, to: LocalDate): number =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000)
