/**
 * ISO 4217 currencies with their minor-unit exponent. The table holds the currencies erpkit's users
 * trade in plus every zero- and three-decimal currency, so an unknown code is a validation error
 * rather than a silently wrong exponent.
 */
import { Schema } from "effect"

export const exponents = {
  KZT: 2,
  USD: 2,
  EUR: 2,
  GBP: 2,
  RUB: 2,
  CNY: 2,
  CHF: 2,
  CAD: 2,
  AUD: 2,
  UZS: 2,
  KGS: 2,
  TRY: 2,
  AED: 2,
  INR: 2,
  SEK: 2,
  NOK: 2,
  DKK: 2,
  PLN: 2,
  CZK: 2,
  HKD: 2,
  SGD: 2,
  NZD: 2,
  MXN: 2,
  BRL: 2,
  ZAR: 2,
  GEL: 2,
  AZN: 2,
  AMD: 2,
  BYN: 2,
  UAH: 2,
  TJS: 2,
  TMT: 2,
  MNT: 2,
  THB: 2,
  MYR: 2,
  PHP: 2,
  JPY: 0,
  KRW: 0,
  VND: 0,
  CLP: 0,
  ISK: 0,
  PYG: 0,
  UGX: 0,
  XAF: 0,
  XOF: 0,
  BHD: 3,
  KWD: 3,
  OMR: 3,
  JOD: 3,
  IQD: 3,
  LYD: 3,
  TND: 3
} as const satisfies Record<string, 0 | 2 | 3>

export type Currency = keyof typeof exponents

export const codes = Object.keys(exponents) as ReadonlyArray<Currency>

export const Currency = Schema.Literals(codes as [Currency, ...Array<Currency>])

export const exponentOf = (currency: Currency): number => exponents[currency]
