/**
 * @erpkit/billing/testing: the ports' contract suite (run it against any adapter), fast-check
 * arbitraries for billing inputs, and fixtures (a memory layer with deterministic ids, actors, table
 * snapshots, short flows over the real commands).
 */
export * as Arbitraries from "./arbitraries.ts"
export * as Operations from "./operations.ts"
export { type FakeAccountingSystem, fakeAccountingSystem, type FakeUsageSource, fakeUsageSource } from "./fakes.ts"
export { billingContractSuite, contractTests } from "./contract.ts"
export { type WorkflowPort, workflowContractTests, workflowPorts } from "./contractWorkflow.ts"
export {
  accountsManager,
  customerId,
  customerUser,
  draftInvoice,
  financeManager,
  invoiceNumber,
  layerTest,
  openAccount,
  pricingAnalyst,
  rateCard,
  request,
  salesManager,
  sentInvoice,
  snapshot,
  system,
  tableNames
} from "./fixtures.ts"
