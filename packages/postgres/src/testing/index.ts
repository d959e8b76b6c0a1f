/**
 * `@erpkit/postgres/testing`: run suites against PGlite and, when DATABASE_URL is set, a server.
 */
export { freshTenant, serverTarget, type Target, targets } from "./targets.ts"
