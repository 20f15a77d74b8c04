// Text for the optional `parts` extension of a snapshot (e.g. the tables of a warehouse sync), shared by the
// plain and TTY renderers. Dependency-free so the plain renderer stays light.
import type { JobPart, JobSnapshot } from '../../sdk/types.js';

/** The snapshot's well-formed parts (a malformed entry from the server is skipped, never a crash). */
export function partsOf(snapshot: JobSnapshot): JobPart[] {
  if (!Array.isArray(snapshot.parts)) return [];
  return snapshot.parts.filter(
    (p): p is JobPart => typeof p === 'object' && p !== null && typeof p.name === 'string' && typeof p.phase === 'string' && typeof p.done === 'number',
  );
}

/** `copying 600/1,200 rows`, `done 40 rows`. */
export function describePartProgress(part: JobPart): string {
  const unit = part.unit ? ` ${part.unit}` : '';
  const done = part.done.toLocaleString('en-US');
  const amount = typeof part.total === 'number' ? `${done}/${part.total.toLocaleString('en-US')}${unit}` : `${done}${unit}`;
  return `${part.phase} ${amount}`;
}
