// The GraphQL-over-HTTP conformance audit of `graphql-http` against a running server.
// Usage: node audit.mjs http://127.0.0.1:8000/graphql
// Prints every audit that did not pass; exits 1 on any error or warning (notices are
// printed only), 2 on bad usage.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql endpoint url>');
  process.exit(2);
}

const results = await auditServer({ url });
const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
for (const result of results) {
  counts[result.status] += 1;
  if (result.status !== 'ok') {
    const detail = result.reason ?? '';
    console.log(`${result.status.toUpperCase()} ${result.id} ${result.name}\n  ${detail}`);
  }
}
console.log(
  `graphql-http audit of ${url}: ${results.length} audits, ` +
    `${counts.ok} ok, ${counts.notice} notices, ${counts.warn} warnings, ${counts.error} errors`,
);
process.exit(counts.warn + counts.error === 0 ? 0 : 1);
