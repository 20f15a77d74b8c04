#!/usr/bin/env node
// Benchmarks, reported as ratios against baselines measured in the same run (never absolute targets):
//   1. start-up: `qehs --version` / `qehs --help` vs a bare `node -e ''`
//   2. download memory: peak RSS of a 256 MiB verified download vs a 1 MiB one (constant memory => ~1.0)
//   3. download speed: qehs download (hash + .part + rename) vs a raw undici stream to /dev/null
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const bin = join(root, 'bin', 'qehs.js');
const runs = Number(process.env.BENCH_RUNS ?? 15);

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

function timeCommand(args) {
  const samples = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'ignore'] });
    if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return median(samples);
}

function line(label, value, baseline, unit) {
  console.log(`${label.padEnd(44)} ${value.toFixed(1).padStart(9)} ${unit}   ratio ${(value / baseline).toFixed(2)}x`);
}

console.log(`qehs benchmarks (median of ${runs} runs where timed)\n`);

// 1. Start-up
const bare = timeCommand(['-e', '']);
line('baseline: node -e ""', bare, bare, 'ms');
line('qehs --version', timeCommand([bin, '--version']), bare, 'ms');
line('qehs --help', timeCommand([bin, '--help']), bare, 'ms');

// 2 + 3. Downloads from a local server, each in a fresh child process so its peak RSS is its own.
const dir = await mkdtemp(join(tmpdir(), 'qehs-bench-'));
const files = {};
for (const [name, size] of [['small', 1 << 20], ['large', 256 << 20]]) {
  const path = join(dir, `${name}.bin`);
  const data = randomBytes(size);
  await writeFile(path, data);
  files[name] = { path, size, sha256: createHash('sha256').update(data).digest('hex') };
}
const server = createServer((req, res) => {
  const file = files[req.url.slice(1)];
  if (!file) return res.writeHead(404).end();
  res.writeHead(200, { 'content-length': file.size, 'content-type': 'application/octet-stream', etag: `"${file.sha256}"` });
  createReadStream(file.path).pipe(res);
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}`;

// Async: the server lives in this process and must keep answering while the child downloads.
async function childDownload(name, mode) {
  const file = files[name];
  const script = `
    const { QehsClient } = await import(${JSON.stringify(join(root, 'dist/sdk/index.js'))});
    const { request } = await import('undici');
    const url = ${JSON.stringify(`${base}/${name}`)};
    const start = performance.now();
    if (${JSON.stringify(mode)} === 'raw') {
      const res = await request(url);
      for await (const _ of res.body) {}
    } else {
      const client = new QehsClient({ baseUrl: ${JSON.stringify(base)}, token: 'bench' });
      await client.download({ url, sizeBytes: ${file.size}, sha256: ${JSON.stringify(file.sha256)}, contentType: 'application/octet-stream' },
        ${JSON.stringify(join(dir, `out-${name}-${mode}.bin`))}, { force: true });
    }
    const ms = performance.now() - start;
    console.log(JSON.stringify({ ms, maxRssKb: process.resourceUsage().maxRSS }));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  return JSON.parse(stdout.trim().split('\n').at(-1));
}

try {
  const runsFor = async (name, mode, n) => {
    const results = [];
    for (let i = 0; i < n; i++) results.push(await childDownload(name, mode));
    return results;
  };
  const small = await runsFor('small', 'qehs', 3);
  const large = await runsFor('large', 'qehs', 3);
  const raw = await runsFor('large', 'raw', 3);
  console.log('');
  const smallRss = median(small.map((r) => r.maxRssKb)) / 1024;
  line('baseline: peak RSS, 1 MiB verified download', smallRss, smallRss, 'MiB');
  line('peak RSS, 256 MiB verified download', median(large.map((r) => r.maxRssKb)) / 1024, smallRss, 'MiB');
  console.log('');
  const rawMs = median(raw.map((r) => r.ms));
  const mbps = (ms) => 256 / (ms / 1000);
  line('baseline: raw undici stream, 256 MiB', mbps(rawMs), mbps(rawMs), 'MiB/s');
  line('qehs download (sha256, .part, rename)', mbps(median(large.map((r) => r.ms))), mbps(rawMs), 'MiB/s');
} finally {
  server.close();
  await rm(dir, { recursive: true, force: true });
}
