/**
 * Billing's in-memory reference layers: every port over the kernel `MemoryStore`.
 */
import { type Actor, type Command, layerMemory as kernelLayerMemory, type MemoryStore } from "@erpkit/kernel"
import { Layer } from "effect"
import { AccountingSyncRepository } from "./AccountingSyncRepository.ts"
import { BillingRunRepository } from "./BillingRunRepository.ts"
import { ClientAccountRepository } from "./ClientAccountRepository.ts"
import { CreditHoldRepository } from "./CreditHoldRepository.ts"
import { CreditNoteRepository } from "./CreditNoteRepository.ts"
import { InvoiceRepository } from "./InvoiceRepository.ts"
import { LedgerRepository } from "./LedgerRepository.ts"
import { PaymentRepository } from "./PaymentRepository.ts"
import { grants } from "./Permissions.ts"
import { DisputeRepository } from "./DisputeRepository.ts"
import { DocumentRepository } from "./DocumentRepository.ts"
import { QuoteRepository } from "./QuoteRepository.ts"
import { RateCardRepository, SurchargeRepository } from "./RateCardRepository.ts"

/** Every billing port that billing stores itself (the external `AccountingSystem` and `UsageSource` are the host's). */
export type Repositories =
  | ClientAccountRepository
  | LedgerRepository
  | CreditHoldRepository
  | InvoiceRepository
  | PaymentRepository
  | CreditNoteRepository
  | RateCardRepository
  | SurchargeRepository
  | AccountingSyncRepository
  | QuoteRepository
  | DisputeRepository
  | DocumentRepository
  | BillingRunRepository

/** Every billing port in memory; needs the kernel `MemoryStore` (shared with the platform layers). */
export const layerMemory: Layer.Layer<Repositories, never, MemoryStore.MemoryStore> = Layer.mergeAll(
  ClientAccountRepository.layerMemory,
  LedgerRepository.layerMemory,
  CreditHoldRepository.layerMemory,
  InvoiceRepository.layerMemory,
  PaymentRepository.layerMemory,
  CreditNoteRepository.layerMemory,
  RateCardRepository.layerMemory,
  SurchargeRepository.layerMemory,
  AccountingSyncRepository.layerMemory,
  QuoteRepository.layerMemory,
  DisputeRepository.layerMemory,
  DocumentRepository.layerMemory,
  BillingRunRepository.layerMemory
)

/** A whole in-memory billing host: the ports plus the kernel memory platform (UUIDv7 ids) with `withGrants`. */
export const layerMemoryComplete = (
  withGrants: Actor.Grants = grants
): Layer.Layer<Repositories | Command.CommandServices | MemoryStore.MemoryStore> =>
  layerMemory.pipe(Layer.provideMerge(kernelLayerMemory(withGrants)))
