// POST /api/v1/scim/provisioning: adds a large set of members to a SCIM group, applied in chunks of 100.
// Members the tenant refuses (userName taken by an existing user, a blocked email domain) do not fail the job:
// they are listed in `result.failures`. Cancelling keeps the members already applied.
import type { ScimMemberFailure, ScimResult } from '../../sdk/operations/scim.js';
import { isEmail } from '../../sdk/validation/fields.js';
import type { OperationDefinition, PhaseView, Validation } from './types.js';

export const SCIM_CHUNK_SIZE = 100;
/** Most failures a result lists (`failed` counts them all). */
export const MAX_LISTED_FAILURES = 1000;
/** Members one scenario `durationMs` covers: bigger groups run proportionally longer. */
export const MEMBERS_PER_BASE_DURATION = 10_000;
/** Body limit: room for ~100k members with a few addresses each. */
export const MAX_SCIM_BODY_BYTES = 64 * 1024 ** 2;

/** Users every sandbox tenant already has: provisioning another user with one of these userNames fails. */
export const EXISTING_USER_NAMES = ['admin', 'anja.mueller', 'jose.garcia', 'li.wei', 'priya.natarajan'] as const;
/** Email domains the sandbox tenant's policy blocks. */
export const BLOCKED_EMAIL_DOMAINS = ['blocked.example'] as const;

const GROUP_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;

interface Member {
  userName: string;
  emails: string[];
}

export interface ScimParams {
  groupId: string;
  members: Member[];
}

function emailsOf(raw: unknown): string[] | undefined {
  if (typeof raw === 'string') return raw.split(';').map((s) => s.trim()).filter(Boolean);
  if (!Array.isArray(raw)) return undefined;
  const out: string[] = [];
  for (const entry of raw) {
    const value = typeof entry === 'string' ? entry : (entry as { value?: unknown } | null)?.value;
    if (typeof value !== 'string') return undefined;
    out.push(value.trim());
  }
  return out;
}

function validateScim(body: Record<string, unknown>): Validation<ScimParams> {
  const { groupId, members } = body;
  if (typeof groupId !== 'string' || !GROUP_ID.test(groupId)) {
    return { ok: false, field: 'groupId', detail: '"groupId" is required: 1-128 letters, digits, _ . : -' };
  }
  if (!Array.isArray(members) || members.length === 0) {
    return { ok: false, field: 'members', detail: '"members" must be a non-empty array' };
  }
  const parsed: Member[] = [];
  for (let i = 0; i < members.length; i++) {
    const member = members[i] as Record<string, unknown> | null;
    const userName = typeof member?.userName === 'string' ? member.userName.trim() : '';
    if (userName === '') return { ok: false, field: `members[${i}].userName`, detail: `members[${i}].userName is required` };
    const emails = emailsOf(member?.emails);
    if (!emails || emails.length === 0) {
      return { ok: false, field: `members[${i}].emails`, detail: `members[${i}].emails must list at least one address` };
    }
    parsed.push({ userName, emails });
  }
  return { ok: true, params: { groupId, members: parsed } };
}

/** Why the tenant refuses this member, or undefined when it is applied. */
function refusal(member: Member): Omit<ScimMemberFailure, 'userName'> | undefined {
  const lower = member.userName.toLowerCase();
  if ((EXISTING_USER_NAMES as readonly string[]).includes(lower)) {
    return { code: 'user_name_taken', message: `userName "${member.userName}" belongs to an existing user` };
  }
  for (const email of member.emails) {
    if (!isEmail(email)) return { code: 'invalid_email', message: `"${email}" is not a valid email address` };
    const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
    if ((BLOCKED_EMAIL_DOMAINS as readonly string[]).includes(domain)) {
      return { code: 'email_domain_blocked', message: `the tenant blocks email addresses at ${domain}` };
    }
  }
  return undefined;
}

function chunkMessage(params: ScimParams, phase: PhaseView): string {
  const total = params.members.length;
  const chunks = Math.ceil(total / SCIM_CHUNK_SIZE);
  switch (phase.status) {
    case 'queued':
      return 'Waiting for a worker';
    case 'running': {
      const done = Math.floor(total * phase.fraction);
      return `Applying chunk ${Math.min(chunks, Math.floor(done / SCIM_CHUNK_SIZE) + 1)} of ${chunks}`;
    }
    case 'succeeded':
      return `Applied ${chunks} chunk${chunks === 1 ? '' : 's'} to group ${params.groupId}`;
    case 'failed':
      return 'Provisioning failed';
    case 'cancelled':
      return 'Cancelled; members already applied stay in the group';
  }
}

export function createScimOperation(): OperationDefinition<ScimParams> {
  return {
    type: 'scim',
    path: '/scim/provisioning',
    maxBodyBytes: MAX_SCIM_BODY_BYTES,
    durationMs: (params, baseMs) => baseMs * Math.max(1, params.members.length / MEMBERS_PER_BASE_DURATION),
    validate: validateScim,
    totalUnits: (job) => job.params.members.length,
    unit: 'members',
    message: (job, phase) => chunkMessage(job.params, phase),
    produce(job, terminal) {
      const { members, groupId } = job.params;
      const processed = terminal.status === 'succeeded' ? members.length : Math.floor((members.length * terminal.progress) / 100);
      const failures: ScimMemberFailure[] = [];
      let failed = 0;
      for (const member of members.slice(0, processed)) {
        const refused = refusal(member);
        if (!refused) continue;
        failed++;
        if (failures.length < MAX_LISTED_FAILURES) failures.push({ userName: member.userName, ...refused });
      }
      const result: ScimResult = { groupId, members: members.length, applied: processed - failed, failed, failures };
      if (terminal.status === 'cancelled') result.notProcessed = members.length - processed;
      return { result: { ...result } };
    },
  };
}
