// Offline verification of an evidence bundle (BagIt ZIP + DSSE signature). No network, no terminal output:
// every finding becomes a problem in the result, and all checks run even after the first failure.
import { verify as verifySignature, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { strFromU8, unzipSync } from 'fflate';
import {
  BAGIT_FILE,
  BAG_INFO_FILE,
  DSSE_PAYLOAD_TYPE,
  EVIDENCE_BUNDLE_PREDICATE_TYPE,
  IN_TOTO_STATEMENT_TYPE,
  MANIFEST_FILE,
  PAYLOAD_DIR,
  SIGNATURE_FILE,
  SIGNED_TAG_FILES,
  TAG_MANIFEST_FILE,
  parseBagInfo,
  parseManifest,
  preAuthEncoding,
  publicKeyFingerprint,
  sha256Hex,
  toPublicKey,
  unsafeEntryReason,
} from './format.js';

export type BundleProblemCode =
  | 'zip-unreadable'
  | 'unsafe-path'
  | 'duplicate-entry'
  | 'missing-tag-file'
  | 'bad-bagit-declaration'
  | 'key-invalid'
  | 'envelope-invalid'
  | 'payload-type-mismatch'
  | 'keyid-mismatch'
  | 'signature-invalid'
  | 'statement-invalid'
  | 'statement-digest-mismatch'
  | 'job-id-mismatch'
  | 'manifest-malformed'
  | 'tag-digest-mismatch'
  | 'tag-file-unlisted'
  | 'unexpected-file'
  | 'digest-mismatch'
  | 'missing-file'
  | 'extra-file'
  | 'payload-oxum-mismatch';

export interface BundleProblem {
  code: BundleProblemCode | (string & {});
  /** Entry path inside the ZIP the problem is about, when there is one. */
  path?: string;
  message: string;
}

export interface BundleVerification {
  ok: boolean;
  problems: BundleProblem[];
  summary: {
    /** Payload files actually present under data/. */
    files: number;
    payloadBytes: number;
    manifestTimestamp?: string;
    keyId?: string;
    jobId?: string;
  };
}

export { publicKeyFingerprint };

export async function verifyEvidenceBundleFile(path: string, publicKeyPem: string | KeyObject): Promise<BundleVerification> {
  return verifyEvidenceBundle(await readFile(path), publicKeyPem);
}

export function verifyEvidenceBundle(zip: Uint8Array, publicKeyPem: string | KeyObject): BundleVerification {
  const problems: BundleProblem[] = [];
  const summary: BundleVerification['summary'] = { files: 0, payloadBytes: 0 };
  const problem = (code: BundleProblemCode, message: string, path?: string) =>
    problems.push(path === undefined ? { code, message } : { code, path, message });
  const done = (): BundleVerification => ({ ok: problems.length === 0, problems, summary });

  let publicKey: KeyObject | undefined;
  try {
    publicKey = toPublicKey(publicKeyPem);
    summary.keyId = publicKeyFingerprint(publicKey);
  } catch (error) {
    problem('key-invalid', (error as Error).message);
  }

  // fflate keeps only the last of duplicate names, so count names while reading.
  const seenNames = new Map<string, number>();
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(zip, {
      filter: (info) => {
        seenNames.set(info.name, (seenNames.get(info.name) ?? 0) + 1);
        return true;
      },
    });
  } catch (error) {
    problem('zip-unreadable', `not a readable ZIP archive: ${(error as Error).message}`);
    return done();
  }
  for (const [name, count] of seenNames) {
    if (count > 1) problem('duplicate-entry', `entry appears ${count} times in the ZIP`, name);
  }

  // Sort entries into tag files and payload files; unsafe names are reported and otherwise ignored.
  const files = new Map<string, Uint8Array>();
  for (const [name, data] of Object.entries(entries)) {
    const reason = unsafeEntryReason(name);
    if (reason !== undefined) {
      problem('unsafe-path', `entry path escapes the bag: ${reason}`, name);
      continue;
    }
    if (name.endsWith('/')) continue; // directory entry
    files.set(name, data);
  }
  const payloadNames = [...files.keys()].filter((n) => n.startsWith(PAYLOAD_DIR));
  summary.files = payloadNames.length;
  summary.payloadBytes = payloadNames.reduce((sum, n) => sum + files.get(n)!.length, 0);

  const text = (name: string): string | undefined => {
    const data = files.get(name);
    return data === undefined ? undefined : strFromU8(data);
  };
  for (const name of [BAGIT_FILE, BAG_INFO_FILE, MANIFEST_FILE, TAG_MANIFEST_FILE, SIGNATURE_FILE]) {
    if (!files.has(name)) problem('missing-tag-file', `required tag file ${name} is missing`, name);
  }

  const bagit = text(BAGIT_FILE);
  if (bagit !== undefined) {
    const declared = parseBagInfo(bagit);
    if (declared.get('BagIt-Version') !== '1.0' || declared.get('Tag-File-Character-Encoding')?.toUpperCase() !== 'UTF-8') {
      problem('bad-bagit-declaration', 'expected BagIt-Version 1.0 and Tag-File-Character-Encoding UTF-8', BAGIT_FILE);
    }
  }

  const statementJobId = checkSignature(files, publicKey, summary, problem);
  checkTagManifest(files, problem);
  checkPayload(files, payloadNames, problem);

  const bagInfo = text(BAG_INFO_FILE);
  if (bagInfo !== undefined) {
    const info = parseBagInfo(bagInfo);
    const oxum = info.get('Payload-Oxum');
    const actual = `${summary.payloadBytes}.${summary.files}`;
    if (oxum !== actual) {
      problem('payload-oxum-mismatch', `Payload-Oxum is ${oxum ?? '(absent)'} but the payload holds ${actual} (bytes.files)`, BAG_INFO_FILE);
    }
    const externalId = info.get('External-Identifier');
    if (statementJobId !== undefined && externalId !== undefined && externalId !== statementJobId) {
      problem('job-id-mismatch', `External-Identifier ${externalId} differs from the signed job id ${statementJobId}`, BAG_INFO_FILE);
    }
    summary.jobId ??= externalId;
  }
  return done();
}

type Report = (code: BundleProblemCode, message: string, path?: string) => void;

/** Envelope, keyid, Ed25519 signature over PAE, and the statement's subject digest. Returns the signed job id. */
function checkSignature(
  files: Map<string, Uint8Array>,
  publicKey: KeyObject | undefined,
  summary: BundleVerification['summary'],
  problem: Report,
): string | undefined {
  const raw = files.get(SIGNATURE_FILE);
  if (raw === undefined) return undefined;
  let envelope: unknown;
  try {
    envelope = JSON.parse(strFromU8(raw));
  } catch {
    problem('envelope-invalid', 'signature envelope is not valid JSON', SIGNATURE_FILE);
    return undefined;
  }
  if (!isRecord(envelope) || typeof envelope.payload !== 'string' || !isBase64(envelope.payload) || !Array.isArray(envelope.signatures)) {
    problem('envelope-invalid', 'signature envelope lacks a base64 payload or a signatures array', SIGNATURE_FILE);
    return undefined;
  }
  if (envelope.payloadType !== DSSE_PAYLOAD_TYPE) {
    problem('payload-type-mismatch', `payloadType is ${JSON.stringify(envelope.payloadType)}, expected ${DSSE_PAYLOAD_TYPE}`, SIGNATURE_FILE);
  }
  const payloadType = typeof envelope.payloadType === 'string' ? envelope.payloadType : '';
  const body = Buffer.from(envelope.payload, 'base64');
  const signatures = envelope.signatures.filter(
    (s): s is { keyid: string; sig: string } => isRecord(s) && typeof s.sig === 'string' && typeof s.keyid === 'string',
  );
  if (signatures.length === 0) {
    problem('envelope-invalid', 'signature envelope holds no signatures', SIGNATURE_FILE);
  } else if (publicKey !== undefined) {
    if (!signatures.some((s) => s.keyid.toLowerCase() === summary.keyId)) {
      problem('keyid-mismatch', `no signature has the keyid of the given key (${summary.keyId})`, SIGNATURE_FILE);
    }
    const pae = preAuthEncoding(payloadType, body);
    const valid = signatures.some((s) => isBase64(s.sig) && safeVerify(pae, publicKey, Buffer.from(s.sig, 'base64')));
    if (!valid) problem('signature-invalid', 'no Ed25519 signature over the DSSE payload verifies with the given key', SIGNATURE_FILE);
  }

  let statement: unknown;
  try {
    statement = JSON.parse(body.toString('utf8'));
  } catch {
    problem('statement-invalid', 'signed payload is not valid JSON', SIGNATURE_FILE);
    return undefined;
  }
  if (!isRecord(statement) || statement._type !== IN_TOTO_STATEMENT_TYPE || statement.predicateType !== EVIDENCE_BUNDLE_PREDICATE_TYPE) {
    problem('statement-invalid', `signed payload is not an in-toto Statement v1 with predicateType ${EVIDENCE_BUNDLE_PREDICATE_TYPE}`, SIGNATURE_FILE);
    return undefined;
  }
  const predicate = isRecord(statement.predicate) ? statement.predicate : {};
  if (typeof predicate.timestamp === 'string') summary.manifestTimestamp = predicate.timestamp;
  const jobId = typeof predicate.jobId === 'string' ? predicate.jobId : undefined;
  if (jobId !== undefined) summary.jobId = jobId;

  const subject = Array.isArray(statement.subject)
    ? statement.subject.find((s): s is Record<string, unknown> => isRecord(s) && s.name === TAG_MANIFEST_FILE)
    : undefined;
  const claimed = subject && isRecord(subject.digest) ? subject.digest.sha256 : undefined;
  const tagManifest = files.get(TAG_MANIFEST_FILE);
  if (typeof claimed !== 'string') {
    problem('statement-invalid', `statement has no sha256 subject for ${TAG_MANIFEST_FILE}`, SIGNATURE_FILE);
  } else if (tagManifest !== undefined && claimed.toLowerCase() !== sha256Hex(tagManifest)) {
    problem('statement-digest-mismatch', `signed digest of ${TAG_MANIFEST_FILE} does not match the file`, TAG_MANIFEST_FILE);
  }
  return jobId;
}

/** Every tag-manifest line matches its file; signed tag files are all listed; no unsigned file outside data/. */
function checkTagManifest(files: Map<string, Uint8Array>, problem: Report): void {
  const raw = files.get(TAG_MANIFEST_FILE);
  if (raw === undefined) return;
  const { entries, malformed } = parseManifest(strFromU8(raw));
  for (const line of malformed) problem('manifest-malformed', `line ${line} is not "<sha256>  <path>"`, TAG_MANIFEST_FILE);
  const listed = new Set<string>();
  for (const entry of entries) {
    listed.add(entry.path);
    const data = files.get(entry.path);
    if (data === undefined) {
      // A missing required tag file is already reported as missing-tag-file.
      if (!(SIGNED_TAG_FILES as readonly string[]).includes(entry.path)) {
        problem('missing-file', `listed in ${TAG_MANIFEST_FILE} but absent from the bundle`, entry.path);
      }
    } else if (sha256Hex(data) !== entry.digest) {
      problem('tag-digest-mismatch', `sha256 differs from ${TAG_MANIFEST_FILE} line ${entry.line}`, entry.path);
    }
  }
  for (const name of SIGNED_TAG_FILES) {
    if (files.has(name) && !listed.has(name)) problem('tag-file-unlisted', `not covered by ${TAG_MANIFEST_FILE}, so not signed`, name);
  }
  for (const name of files.keys()) {
    const known = name.startsWith(PAYLOAD_DIR) || name === TAG_MANIFEST_FILE || name === SIGNATURE_FILE || listed.has(name);
    if (!known) problem('unexpected-file', `file outside data/ not covered by ${TAG_MANIFEST_FILE}`, name);
  }
}

/** Payload digests against manifest-sha256.txt, both directions. */
function checkPayload(files: Map<string, Uint8Array>, payloadNames: string[], problem: Report): void {
  const raw = files.get(MANIFEST_FILE);
  if (raw === undefined) return;
  const { entries, malformed } = parseManifest(strFromU8(raw));
  for (const line of malformed) problem('manifest-malformed', `line ${line} is not "<sha256>  <path>"`, MANIFEST_FILE);
  const listed = new Set<string>();
  for (const entry of entries) {
    if (listed.has(entry.path)) {
      problem('manifest-malformed', `path listed twice (line ${entry.line})`, entry.path);
      continue;
    }
    listed.add(entry.path);
    if (!entry.path.startsWith(PAYLOAD_DIR) || unsafeEntryReason(entry.path) !== undefined) {
      problem('manifest-malformed', `${MANIFEST_FILE} line ${entry.line} names a path outside data/`, entry.path);
      continue;
    }
    const data = files.get(entry.path);
    if (data === undefined) problem('missing-file', `listed in ${MANIFEST_FILE} but absent from the bundle`, entry.path);
    else if (sha256Hex(data) !== entry.digest) problem('digest-mismatch', `sha256 differs from ${MANIFEST_FILE} line ${entry.line}`, entry.path);
  }
  for (const name of payloadNames) {
    if (!listed.has(name)) problem('extra-file', `payload file not listed in ${MANIFEST_FILE}`, name);
  }
}

function safeVerify(data: Uint8Array, key: KeyObject, signature: Uint8Array): boolean {
  try {
    return verifySignature(null, data, key, signature);
  } catch {
    return false;
  }
}

// DSSE allows standard or URL-safe base64.
function isBase64(value: string): boolean {
  return /^[A-Za-z0-9+/_-]*={0,2}$/.test(value);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
