import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** A job started with --wait, recorded so `qehs jobs watch <id>|--last` can resume it from another shell. */
export interface JournalEntry {
  jobId: string;
  kind: string;
  statusUrl?: string;
  baseUrl: string;
  output?: string;
  idempotencyKey?: string;
  createdAt: string;
  /** Last status seen by the CLI (updated by appending a newer line). */
  status?: string;
}

/**
 * Append-only NDJSON: concurrent shells can append without clobbering each other; the latest line
 * for a job id wins when reading.
 */
export class Journal {
  readonly path: string;

  constructor(private readonly dir: string) {
    this.path = join(dir, 'jobs.ndjson');
  }

  async record(entry: JournalEntry): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await appendFile(this.path, `${JSON.stringify(entry)}\n`, { mode: 0o600 });
  }

  async update(jobId: string, patch: Partial<JournalEntry>): Promise<void> {
    const current = await this.find(jobId);
    if (current) await this.record({ ...current, ...patch });
  }

  async entries(): Promise<JournalEntry[]> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch {
      return [];
    }
    const latest = new Map<string, JournalEntry>();
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        const entry = JSON.parse(line) as JournalEntry;
        if (entry && typeof entry.jobId === 'string') {
          latest.delete(entry.jobId);
          latest.set(entry.jobId, entry);
        }
      } catch {
        // A torn line from a crashed writer: skip it, keep the rest.
      }
    }
    return [...latest.values()];
  }

  async find(jobId: string): Promise<JournalEntry | undefined> {
    return (await this.entries()).find((entry) => entry.jobId === jobId);
  }

  /** The most recently started job (by createdAt). */
  async last(): Promise<JournalEntry | undefined> {
    const all = await this.entries();
    return all.sort((a, b) => a.createdAt.localeCompare(b.createdAt)).at(-1);
  }
}
