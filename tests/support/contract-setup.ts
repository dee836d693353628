import { afterEach } from 'vitest';
import { checkGlobalFetch, contractViolations } from './contract.ts';

// Responses of servers the tests start (and of the processes e2e tests spawn) are held to the
// document too; `createTestApp` does the same for the app's own `fetch`.
checkGlobalFetch();

// A drift fails its test even where the request's own failure was swallowed (a served app turns
// the thrown drift into a 500 the test may not look at).
afterEach(() => {
  const problems = contractViolations.splice(0);
  if (problems.length > 0) {
    throw new Error(`The responses differ from openapi/openapi.json:\n  ${problems.join('\n  ')}`);
  }
});
