/** The test targets live in `src/testing` so other packages' suites can run on Postgres too. */
export { freshTenant, serverTarget, type Target, targets } from "../src/testing/index.ts"
