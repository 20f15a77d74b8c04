import type { Command } from 'commander';
import { filingResultOf, validateFilingRequest, type FilingProblem, type FilingRequest } from '../../sdk/operations/filings.js';
import type { JobSnapshot } from '../../sdk/types.js';
import { validateYear } from '../../sdk/validation/identifiers.js';
import { action, type ActionHost } from '../command-kit.js';
import type { Context } from '../context.js';
import { EXIT, UsageError } from '../exit-codes.js';
import { addWaitOptions, startAndMaybeFollow, type WaitFlags } from '../operation.js';

interface FileFlags extends WaitFlags {
  year: string;
  yes?: boolean;
  dryRun?: boolean;
  establishment?: string;
  facility?: string;
  chemical?: string[];
  entity?: string;
}

interface FormCommand {
  name: FilingRequest['form'];
  label: string;
  description: string;
  /** First reporting year the form exists for. */
  firstYear: number;
  declare(command: Command): Command;
  request(flags: FileFlags, year: number, dryRun: boolean): FilingRequest;
  /** "establishment EST-001" etc., for the confirmation. */
  subject(request: FilingRequest): string;
  examples: string;
}

const FLAG_OF: Record<FilingProblem['field'], string> = {
  form: 'form',
  year: '--year',
  establishment: '--establishment',
  facility: '--facility',
  chemicals: '--chemical',
  entity: '--entity',
};

const FORMS: readonly FormCommand[] = [
  {
    name: 'osha-300a',
    label: 'OSHA Form 300A',
    description: "File an establishment's OSHA Form 300A summary (ITA CSV) built from its incident records",
    firstYear: 2016,
    declare: (c) => c.requiredOption('--establishment <id>', 'establishment id, e.g. EST-001'),
    request: (f, year, dryRun) => ({ form: 'osha-300a', year, establishment: f.establishment!.trim(), dryRun }),
    subject: (r) => `establishment ${(r as { establishment: string }).establishment}`,
    examples: `
  $ qehs file osha-300a --year 2025 --establishment EST-001 --dry-run --wait
  $ qehs file osha-300a --year 2025 --establishment EST-001 --yes --wait -o osha300a-2025.csv`,
  },
  {
    name: 'epa-tri',
    label: 'EPA TRI (Form R / Form A)',
    description: "File a facility's EPA Toxics Release Inventory report: Form R or Form A per chemical (XML)",
    firstYear: 1987,
    declare: (c) =>
      c
        .requiredOption('--facility <TRIFID>', 'TRI facility id: 5-digit ZIP + 10 letters/digits, e.g. 78744QHSDS1200E')
        .option('--chemical <CAS...>', "CAS numbers to report (default: the facility's listed chemicals), e.g. 108-88-3"),
    request: (f, year, dryRun) => ({
      form: 'epa-tri',
      year,
      facility: f.facility!.trim(),
      chemicals: f.chemical?.flatMap((c) => c.split(',')).map((c) => c.trim()).filter(Boolean),
      dryRun,
    }),
    subject: (r) => {
      const tri = r as { facility: string; chemicals?: string[] };
      return `facility ${tri.facility}${tri.chemicals?.length ? `, chemicals ${tri.chemicals.join(', ')}` : ''}`;
    },
    examples: `
  $ qehs file epa-tri --year 2025 --facility 78744QHSDS1200E --dry-run --wait
  $ qehs file epa-tri --year 2025 --facility 78744QHSDS1200E --chemical 108-88-3 67-56-1 --yes --wait -o tri-2025.xml`,
  },
  {
    name: 'csrd-xbrl',
    label: 'CSRD XBRL report',
    description: "File a legal entity's CSRD sustainability statement as an inline XBRL report package (ESRS)",
    firstYear: 2024,
    declare: (c) => c.requiredOption('--entity <LEI>', 'Legal Entity Identifier (ISO 17442, 20 characters)'),
    request: (f, year, dryRun) => ({ form: 'csrd-xbrl', year, entity: f.entity!.trim(), dryRun }),
    subject: (r) => `entity ${(r as { entity: string }).entity}`,
    examples: `
  $ qehs file csrd-xbrl --year 2025 --entity 529900T8BM49AURSDO55 --dry-run --wait
  $ qehs file csrd-xbrl --year 2025 --entity 529900T8BM49AURSDO55 --yes --wait -o esrs-2025.xbri`,
  },
];

export function registerFile(program: Command, host: ActionHost): void {
  const file = program
    .command('file')
    .description('Submit a regulatory filing (OSHA 300A, EPA TRI, CSRD XBRL); asks for confirmation, or pass --yes');
  file.addHelpText(
    'after',
    `
Filing is consequential: in a terminal it shows what will be filed and asks; without one (CI, --no-input)
it needs --yes, else it exits 2 and nothing is sent. --dry-run validates only and files nothing.

Examples:
  $ qehs file osha-300a --year 2025 --establishment EST-001 --dry-run --wait
  $ qehs file csrd-xbrl --year 2025 --entity 529900T8BM49AURSDO55 --yes --wait --json`,
  );
  for (const form of FORMS) registerForm(file, host, form);
}

function registerForm(file: Command, host: ActionHost, form: FormCommand): void {
  const command = form.declare(
    file
      .command(form.name)
      .description(form.description)
      .requiredOption('--year <YYYY>', 'reporting year (a finished calendar year)'),
  )
    .option('-y, --yes', 'file without asking (required without a terminal)')
    .option('--dry-run', 'validate only: the job returns {valid, problems} and nothing is filed (no --yes needed)');
  addWaitOptions(command);
  command.addHelpText(
    'after',
    `
Exits 2 (nothing sent) on a malformed identifier or without --yes where nobody can confirm. With --wait:
0 filed, 1 rejected (the error names the code and field); a --dry-run exits 1 when the filing would be rejected.

Examples:${form.examples}`,
  );
  command.action(action(host, (ctx, _args, options) => runFiling(ctx, form, options as unknown as FileFlags)));
}

async function runFiling(ctx: Context, form: FormCommand, flags: FileFlags): Promise<number> {
  const dryRun = Boolean(flags.dryRun);
  const request = form.request(flags, parseYear(ctx, flags.year, form.firstYear), dryRun);
  const problems = validateFilingRequest(request);
  if (problems.length > 0) {
    const lines = problems.map((p) => `${FLAG_OF[p.field]} ${JSON.stringify(p.value)}: ${p.message}`);
    throw new UsageError(`Invalid ${lines.join('; ')}`, 'fix the value; nothing was sent');
  }
  if (!dryRun && !flags.yes) {
    const confirmed = await confirmFiling(ctx, form, request);
    if (!confirmed) {
      ctx.say('Not filed; nothing was sent.');
      return EXIT.usage;
    }
  }
  const { exitCode, snapshot: finalSnapshot } = await startAndMaybeFollow(ctx, flags, {
    kind: 'filing',
    start: (client, kickoff) => client.filings.start(request, kickoff),
    summarize: (snapshot) => summarizeFiling(snapshot, form.label),
  });
  // A dry run's job succeeds either way; its verdict decides the exit code (CI gates on it).
  if (exitCode === EXIT.ok && finalSnapshot && filingResultOf(finalSnapshot)?.valid === false) return EXIT.failed;
  return exitCode;
}

function parseYear(ctx: Context, value: string, firstYear: number): number {
  const problem = validateYear(value.trim(), new Date(ctx.now()), firstYear);
  if (problem) throw new UsageError(`Invalid --year ${JSON.stringify(value)}: ${problem}`, 'pass a 4-digit reporting year, e.g. --year 2025');
  return Number(value.trim());
}

/** Shows what will be filed where, then asks; where nobody can answer, exits 2 naming --yes before anything is sent. */
async function confirmFiling(ctx: Context, form: FormCommand, request: FilingRequest): Promise<boolean> {
  const { baseUrl } = await ctx.settings();
  const what = `${form.label} for ${request.year}, ${form.subject(request)}, to ${baseUrl}`;
  if (!ctx.canPrompt()) {
    throw new UsageError(`Filing ${what} needs confirmation, and this run cannot prompt; nothing was sent`, 'pass --yes to file non-interactively, or --dry-run to validate only');
  }
  ctx.io.stderr.write(`About to file ${what}.\n`);
  return ctx.confirm(`Submit this ${form.label} filing?`, '--yes');
}

/** Human lines for a finished filing: the receipt, or a dry run's verdict. */
export function summarizeFiling(snapshot: JobSnapshot, label: string): string[] {
  const result = filingResultOf(snapshot);
  if (!result || snapshot.status !== 'succeeded') return [];
  if (result.dryRun) {
    if (result.valid) return [`Dry run: the ${label} filing for ${result.year} would be accepted; nothing was filed.`];
    return [
      `Dry run: the ${label} filing for ${result.year} would be rejected; nothing was filed:`,
      ...(result.problems ?? []).map((p) => `  ${p.field}: ${p.message}`),
    ];
  }
  const lines = [`Submission ${result.submissionId ?? '?'} filed.`];
  const receipt = result.receipt;
  if (receipt) {
    lines.push(`Receipt: ${receipt.agency} ${receipt.system} confirmation ${receipt.confirmationNumber} (submitted ${receipt.submittedAt})`);
    const dcns = receipt.documentControlNumbers as { cas: string; form: string; dcn: string }[] | undefined;
    for (const d of dcns ?? []) lines.push(`  ${d.cas}: Form ${d.form}, document control number ${d.dcn}`);
  }
  return lines;
}
