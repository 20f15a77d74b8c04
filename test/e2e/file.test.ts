import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OSHA_300A_COLUMNS } from '../../src/sandbox/filings/osha300a.js';
import { cliWorld, jobIdIn, type CliWorld } from '../helpers/cli.js';

// One sandbox for the file: every test counts only the requests it caused.
let world: CliWorld;
beforeAll(async () => {
  world = await cliWorld({ scenario: { queuedMs: 20, durationMs: 80 } });
});
afterAll(async () => {
  await world.close();
});

const LEI = '529900T8BM49AURSDO55';
const TRIFID = '78744QHSDS1200E';

/** Runs the CLI and returns the result plus the requests it sent to the sandbox. */
async function run(args: string[], options: Parameters<CliWorld['run']>[1] = {}) {
  const before = world.sandbox.requests.length;
  const result = await world.run(args, options);
  return { ...result, stdout: String(result.stdout), stderr: String(result.stderr), sent: world.sandbox.requests.slice(before) };
}

describe('qehs file osha-300a', () => {
  it('files EST-001 and downloads the ITA CSV byte for byte', async () => {
    const r = await run(['file', 'osha-300a', '--year', '2025', '--establishment', 'EST-001', '--yes', '--wait', '-o', 'osha.csv']);
    expect(r.exitCode, r.stderr).toBe(0);
    const jobId = jobIdIn(r.stderr);
    const written = await readFile(join(world.dir, 'osha.csv'));
    expect(written.equals(world.sandbox.outputOf(jobId)!)).toBe(true);
    const rows = parse(written) as string[][];
    expect(rows[0]).toEqual([...OSHA_300A_COLUMNS]);
    expect(rows[1]![0]).toBe('Austin Distribution Center');
    expect(r.stderr).toMatch(/Receipt: OSHA ITA confirmation ITA-2025-[0-9A-F]{8}/);
    expect(r.sent.filter((q) => q.method === 'POST').map((q) => q.path)).toEqual(['/api/v1/filings']);
  });

  it('EST-BAD fails the job: exit 1 with the error code and the field on stderr, no file', async () => {
    const r = await run(['file', 'osha-300a', '--year', '2025', '--establishment', 'EST-BAD', '--yes', '--wait', '-o', 'bad.csv']);
    expect(r.exitCode).toBe(1);
    expect(r.stderr).toContain('OSHA_300A_INVALID');
    expect(r.stderr).toContain('annual_average_employees');
    expect(existsSync(join(world.dir, 'bad.csv'))).toBe(false);
  });

  it('without a terminal and without --yes exits 2 naming --yes, and sends nothing', async () => {
    const r = await run(['file', 'osha-300a', '--year', '2025', '--establishment', 'EST-001', '--wait']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toMatch(/OSHA Form 300A for 2025, establishment EST-001, to http:\/\/127\.0\.0\.1:\d+ needs confirmation/);
    expect(r.stderr).toContain('--yes');
    expect(r.sent).toHaveLength(0);
  });

  it('--dry-run needs no --yes, files nothing, and exits by the verdict', async () => {
    const good = await run(['file', 'osha-300a', '--year', '2025', '--establishment', 'EST-001', '--dry-run', '--wait', '--json']);
    expect(good.exitCode, good.stderr).toBe(0);
    const doc = JSON.parse(good.stdout);
    expect(doc.result).toMatchObject({ dryRun: true, valid: true, problems: [] });
    expect(doc.result.download).toBeUndefined();
    expect(doc.result.submissionId).toBeUndefined();
    expect(good.stderr).toMatch(/would be accepted; nothing was filed/);

    const bad = await run(['file', 'osha-300a', '--year', '2025', '--establishment', 'EST-BAD', '--dry-run', '--wait']);
    expect(bad.exitCode).toBe(1);
    expect(bad.stderr).toMatch(/would be rejected/);
    expect(bad.stderr).toMatch(/annual_average_employees: \d+ must be greater than/);
  });

  it('a bad --year exits 2 before sending', async () => {
    const r = await run(['file', 'osha-300a', '--year', '25', '--establishment', 'EST-001', '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--year "25"');
    expect(r.sent).toHaveLength(0);
  });
});

describe('qehs file epa-tri', () => {
  it('a malformed TRIFID exits 2 naming the flag and value; nothing sent', async () => {
    const r = await run(['file', 'epa-tri', '--year', '2025', '--facility', '7874QHSDS1200E', '--yes', '--wait']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--facility "7874QHSDS1200E"');
    expect(r.stderr).toMatch(/TRIFID must be 15 characters/);
    expect(r.sent).toHaveLength(0);
  });

  it('a wrong CAS check digit exits 2 naming the flag and value; nothing sent', async () => {
    const r = await run(['file', 'epa-tri', '--year', '2025', '--facility', TRIFID, '--chemical', '108-88-3', '67-56-2', '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--chemical "67-56-2"');
    expect(r.stderr).toMatch(/check digit is wrong \(expected 1\)/);
    expect(r.sent).toHaveLength(0);
  });

  it('--json prints the snapshot with the submission id, the receipt and the local file', async () => {
    const r = await run(['file', 'epa-tri', '--year', '2025', '--facility', TRIFID, '--chemical', '108-88-3', '--chemical', '67-56-1', '--yes', '--wait', '--json', '-o', 'tri.xml']);
    expect(r.exitCode, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ status: 'succeeded', type: 'filing' });
    expect(doc.result.submissionId).toBe(`sub-${doc.jobId.slice(4)}`);
    expect(doc.result.receipt).toMatchObject({ agency: 'EPA', confirmationNumber: expect.stringMatching(/^CDX-2025-/) });
    expect(doc.result.receipt.documentControlNumbers.map((d: { cas: string; form: string }) => `${d.cas}:${d.form}`)).toEqual(['108-88-3:R', '67-56-1:A']);
    expect(doc.local.output.sha256).toBe(doc.result.download.sha256);
    const xml = await readFile(join(world.dir, 'tri.xml'), 'utf8');
    expect(xml).toContain(`<TRIFID>${TRIFID}</TRIFID>`);
    expect(xml.match(/<ChemicalReport /g)).toHaveLength(2);
  });
});

describe('qehs file csrd-xbrl', () => {
  it('a bad LEI exits 2 naming the flag and value; nothing sent', async () => {
    const r = await run(['file', 'csrd-xbrl', '--year', '2025', '--entity', '529900T8BM49AURSDO56', '--yes']);
    expect(r.exitCode).toBe(2);
    expect(r.stderr).toContain('--entity "529900T8BM49AURSDO56"');
    expect(r.stderr).toMatch(/MOD 97/);
    expect(r.sent).toHaveLength(0);
  });

  it('started without --wait, `jobs watch --last` fetches the XBRL report package', async () => {
    const started = await run(['file', 'csrd-xbrl', '--year', '2025', '--entity', LEI, '--yes']);
    expect(started.exitCode).toBe(0);
    const jobId = started.stdout.trim();
    expect(jobId).toMatch(/^job-[a-z0-9]+$/);
    const watched = await run(['jobs', 'watch', '--last', '-o', 'esrs.xbri']);
    expect(watched.exitCode, watched.stderr).toBe(0);
    const bytes = await readFile(join(world.dir, 'esrs.xbri'));
    expect(bytes.equals(world.sandbox.outputOf(jobId)!)).toBe(true);
    const entries = unzipSync(new Uint8Array(bytes));
    const root = `${LEI}-2025-esrs`;
    expect(Object.keys(entries).sort()).toEqual([`${root}/META-INF/reportPackage.json`, `${root}/reports/${root}.xhtml`]);
    expect(JSON.parse(strFromU8(entries[`${root}/META-INF/reportPackage.json`]!)).documentInfo.documentType).toBe(
      'https://xbrl.org/report-package/2023/xbri',
    );
    const xhtml = strFromU8(entries[`${root}/reports/${root}.xhtml`]!);
    expect(xhtml).toContain('<ix:header>');
    expect(xhtml).toContain(`scheme="http://standards.iso.org/iso/17442">${LEI}<`);
    expect(xhtml).toContain('esrs:GrossScope1GreenhouseGasEmissions');
  });
});
