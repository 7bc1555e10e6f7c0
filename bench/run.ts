/**
 * npm run bench: every benchmark, each in its own process, printing its figures.
 * Targets are printed beside the figures; a missed target is reported, not hidden.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

interface Benchmark {
  name: string;
  script: string;
  args?: string[];
  targets: (figures: Record<string, number>) => string[];
}

const BENCHMARKS: Benchmark[] = [
  {
    name: 'Textract Blocks → plan, 3,000-page GetDocumentAnalysis result (synthetic)',
    script: 'blocks-to-plan.ts',
    targets: (f) => [
      check('time, Blocks → plan', f.blocksToPlanSeconds, '<', 10, 's'),
      check('peak RSS', f.peakRssMb, '<', 512, 'MB'),
    ],
  },
  {
    name: 'Local PDF analyser (PDF → Textract-shaped Blocks → plan), one process per document',
    script: 'local-analyser.ts',
    targets: (f) => [
      check('pages per second', f.pagesPerSecond, '>=', 20, 'pages/s'),
      ...(f.pages !== undefined && f.pages >= 500
        ? [check(`peak RSS at 500 pages, heap limit ${f.heapLimitMb}`, f.peakRssMb, '<', 300, 'MB')]
        : []),
      ...(f.accuracyPercent !== undefined ? [check('items exact', f.accuracyPercent, '>=', 100, '%')] : []),
    ],
  },
  {
    name: 'Local analyser against a 1 GB FlateDecode bomb (about 1 MB on disk), and the event loop while a plan is analysed',
    script: 'bomb-pdf.ts',
    targets: (f) =>
      f.peakRssMb !== undefined
        ? [check(`peak RSS, ${f.case}`, f.peakRssMb, '<', 512, 'MB'), check(`refused, ${f.case}`, f.refused, '>=', 1, '')]
        : String(f.case).endsWith('worker')
          ? [check(`longest event-loop delay, ${f.case}`, f.maxDelayMs, '<', 200, 'ms')]
          : [],
  },
  {
    name: 'Local ingestion (upload → items stored in DynamoDB Local), per fixture PDF',
    script: 'local-ingest.ts',
    targets: () => [],
  },
  {
    name: 'Query API through the local gateway, 200 plans × 70 items × 3 actions in DynamoDB Local: latency and DynamoDB requests per call',
    script: 'api.ts',
    targets: (f) =>
      f.p95Ms === undefined
        ? []
        : [
            check(`${f.route} p95 latency`, f.p95Ms, '<', 50, 'ms'),
            check(`${f.route} DynamoDB requests per call (at most 3)`, f.maxDynamoDbRequests, '<', 4, 'requests'),
          ],
  },
];

function check(
  label: string,
  value: number | undefined,
  op: '<' | '>=',
  limit: number,
  unit: string,
): string {
  const met = value !== undefined && (op === '<' ? value < limit : value >= limit);
  return `${met ? 'met   ' : 'MISSED'} ${label}: ${value ?? '?'} ${unit} (target ${op} ${limit} ${unit})`;
}

// Each benchmark runs on this Node (process.execPath): under npm run, the project's pinned Node 22.
process.stdout.write(`Node ${process.version} (${process.execPath})\n`);
let missed = 0;
for (const benchmark of BENCHMARKS) {
  process.stdout.write(`\n## ${benchmark.name}\n`);
  const script = fileURLToPath(new URL(benchmark.script, import.meta.url));
  const run = spawnSync(process.execPath, ['--import', 'tsx', script, ...(benchmark.args ?? [])], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (run.status !== 0) {
    process.stdout.write(`failed with exit code ${run.status}\n`);
    missed++;
    continue;
  }
  for (const line of run.stdout.trim().split('\n')) {
    const figures = JSON.parse(line) as Record<string, number>;
    process.stdout.write(`${JSON.stringify(figures)}\n`);
    for (const verdict of benchmark.targets(figures)) {
      if (verdict.startsWith('MISSED')) missed++;
      process.stdout.write(`  ${verdict}\n`);
    }
  }
}
process.stdout.write(`\n${missed === 0 ? 'All targets met.' : `${missed} target(s) missed.`}\n`);
