/**
 * Billing's in-memory reference layers: every port over the kernel `MemoryStore`.
 */
import {
  type Actor,
  type Command,
  layerMemoryComplete as kernelLayerMemoryComplete,
  type MemoryStore
} from "@erpkit/kernel"
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

/** The memory ports that use no other port. */
const independentPorts = Layer.mergeAll(
  ClientAccountRepository.layerMemory,
  LedgerRepository.layerMemory,
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

/** The memory ports that read or change client accounts through the `ClientAccountRepository` port. */
const accountUsingPorts = Layer.mergeAll(CreditHoldRepository.layerMemory, InvoiceRepository.layerMemory)

/** Every billing port in memory; needs the kernel `MemoryStore` (shared with the platform layers). */
export const layerMemory: Layer.Layer<Repositories, never, MemoryStore.MemoryStore> = accountUsingPorts.pipe(
  Layer.provideMerge(independentPorts)
)

/**
 * Every billing port in memory except those `replacement` provides, which are taken from it instead,
 * also by the memory ports that use them (invoices and credit holds use `ClientAccountRepository`).
 * Plain `Layer.merge(layerMemory, mine)` would not do: the memory invoice port would keep using the
 * memory accounts. Compose the unit of work with your store too (kernel `UnitOfWork.enlist`).
 */
export const layerMemoryWith = <ROut extends Repositories, E, RIn>(
  replacement: Layer.Layer<ROut, E, RIn>
): Layer.Layer<Repositories, E, MemoryStore.MemoryStore | RIn> => {
  // merge: on a port both provide, the layer merged last wins
  const base = Layer.merge(independentPorts, replacement)
  return Layer.merge(accountUsingPorts.pipe(Layer.provideMerge(base)), replacement)
}

/** A whole in-memory billing host: the ports plus the kernel memory platform (UUIDv7 ids) with `withGrants`. */
export const layerMemoryComplete = (
  withGrants: Actor.Grants = grants
): Layer.Layer<Repositories | Command.CommandServices | MemoryStore.MemoryStore> =>
  layerMemory.pipe(Layer.provideMerge(kernelLayerMemoryComplete(withGrants)))
