// Generates churn.csv: 2,000 synthetic telecom customers, deterministic (seeded), with numeric and
// categorical columns, missing values, and a `churned` label that depends on them through a known
// logistic model plus noise. The data is generated, not collected: public domain (CC0).
//
//   node --import @swc-node/register/esm-register examples/churn/make-data.ts
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const CHURN_COLUMNS = [
  'customer_id',
  'tenure_months',
  'monthly_charges',
  'total_charges',
  'contract',
  'payment_method',
  'internet_service',
  'support_calls',
  'senior_citizen',
  'churned',
] as const;

/** The CSV text of `rows` customers. */
export function makeChurnCsv(rows = 2000, seed = 20261123): string {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[], weights: readonly number[]): T => {
    let u = random() * weights.reduce((s, w) => s + w, 0);
    for (let i = 0; i < items.length; i++) {
      u -= weights[i]!;
      if (u <= 0) return items[i]!;
    }
    return items[items.length - 1]!;
  };
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const lines = [CHURN_COLUMNS.join(',')];
  for (let i = 0; i < rows; i++) {
    const contract = pick(['month-to-month', 'one-year', 'two-year'], [0.55, 0.25, 0.2]);
    const internet = pick(['dsl', 'fiber', 'none'], [0.35, 0.45, 0.2]);
    const payment = pick(['electronic-check', 'mailed-check', 'bank-transfer', 'credit-card'], [0.35, 0.2, 0.22, 0.23]);
    const tenure = Math.min(72, Math.floor(random() * (contract === 'month-to-month' ? 40 : 73)));
    const base = internet === 'fiber' ? 80 : internet === 'dsl' ? 55 : 25;
    const monthly = Math.round(Math.max(12, base + normal() * 12 + (contract === 'two-year' ? -5 : 0)) * 100) / 100;
    const total = Math.round(Math.max(0, tenure * monthly + normal() * 50) * 100) / 100;
    const calls = Math.min(10, Math.floor(-Math.log(1 - random()) * (internet === 'fiber' ? 2.2 : 1.4)));
    const senior = random() < 0.16 ? 1 : 0;
    const logit =
      -1.4 +
      (contract === 'month-to-month' ? 1.5 : contract === 'two-year' ? -1.2 : 0) -
      0.045 * tenure +
      0.018 * (monthly - 65) +
      (internet === 'fiber' ? 0.5 : 0) +
      0.38 * calls +
      (payment === 'electronic-check' ? 0.45 : 0) +
      0.3 * senior +
      normal() * 0.6;
    const churned = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    const missing = (p: number) => random() < p;
    lines.push(
      [
        `C${String(i + 1).padStart(5, '0')}`,
        tenure,
        missing(0.03) ? '' : monthly.toFixed(2),
        missing(0.02) ? '' : total.toFixed(2),
        contract,
        missing(0.04) ? '' : payment,
        internet,
        calls,
        senior,
        churned,
      ].join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const out = fileURLToPath(new URL('./churn.csv', import.meta.url));
  writeFileSync(out, makeChurnCsv());
  console.log(`wrote ${out}`);
}
