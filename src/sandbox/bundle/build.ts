// Builds a signed evidence bundle: BagIt 1.0 layout in a ZIP, tag manifest signed with a DSSE envelope
// (in-toto Statement v1, Ed25519). The verifier lives in src/sdk/bundle/verify.ts.
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { zipSync, type Zippable } from 'fflate';
import {
  BAGIT_DECLARATION,
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
  manifestLine,
  preAuthEncoding,
  publicKeyFingerprint,
  sha256Hex,
  toBytes,
  unsafeEntryReason,
  type DsseEnvelope,
  type InTotoStatement,
} from '../../sdk/bundle/format.js';

export interface BundleFile {
  /** Path inside the payload directory, e.g. `incidents.json` or `attachments/photo.jpg` (stored as `data/<path>`). */
  path: string;
  data: Uint8Array | string;
}

export interface BuildEvidenceBundleOptions {
  files: BundleFile[];
  jobId: string;
  tenant: string;
  /** Ed25519 private key. */
  privateKey: KeyObject;
  now?: Date;
}

export interface BuiltEvidenceBundle {
  zip: Uint8Array;
  /** ISO time recorded in the signed statement. */
  manifestTimestamp: string;
  fileCount: number;
  payloadBytes: number;
}

export interface BundleKeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicKeyPem: string;
  /** DSSE keyid: hex sha256 of the SPKI DER. */
  keyId: string;
}

export function generateBundleKeyPair(): BundleKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privateKey,
    publicKey,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    keyId: publicKeyFingerprint(publicKey),
  };
}

export function buildEvidenceBundle(opts: BuildEvidenceBundleOptions): BuiltEvidenceBundle {
  if (opts.privateKey.type !== 'private' || opts.privateKey.asymmetricKeyType !== 'ed25519') {
    throw new Error('buildEvidenceBundle: privateKey must be an Ed25519 private key');
  }
  for (const [name, value] of [['jobId', opts.jobId], ['tenant', opts.tenant]] as const) {
    // These go into bag-info.txt lines, so they must stay on one line.
    if (value.length === 0 || /[\r\n]/.test(value)) throw new Error(`buildEvidenceBundle: ${name} must be a non-empty single line`);
  }
  const now = opts.now ?? new Date();
  const manifestTimestamp = now.toISOString();
  const payload = payloadEntries(opts.files);
  const payloadBytes = payload.reduce((sum, f) => sum + f.bytes.length, 0);
  const payloadOxum = `${payloadBytes}.${payload.length}`;

  const tagFiles: Record<string, Uint8Array> = {
    [BAGIT_FILE]: toBytes(BAGIT_DECLARATION),
    [BAG_INFO_FILE]: toBytes(
      [
        `Source-Organization: ${opts.tenant}`,
        `External-Identifier: ${opts.jobId}`,
        `Bagging-Date: ${manifestTimestamp.slice(0, 10)}`,
        `Payload-Oxum: ${payloadOxum}`,
        'Bag-Software-Agent: qehs-sandbox',
        '',
      ].join('\n'),
    ),
    [MANIFEST_FILE]: toBytes(payload.map((f) => manifestLine(sha256Hex(f.bytes), f.entryName)).join('')),
  };
  const tagManifest = toBytes(SIGNED_TAG_FILES.map((name) => manifestLine(sha256Hex(tagFiles[name]!), name)).join(''));

  const statement: InTotoStatement = {
    _type: IN_TOTO_STATEMENT_TYPE,
    subject: [{ name: TAG_MANIFEST_FILE, digest: { sha256: sha256Hex(tagManifest) } }],
    predicateType: EVIDENCE_BUNDLE_PREDICATE_TYPE,
    predicate: { timestamp: manifestTimestamp, jobId: opts.jobId, tenant: opts.tenant, payloadOxum, fileCount: payload.length, payloadBytes },
  };
  const statementBytes = toBytes(JSON.stringify(statement));
  const signature = sign(null, preAuthEncoding(DSSE_PAYLOAD_TYPE, statementBytes), opts.privateKey);
  const envelope: DsseEnvelope = {
    payloadType: DSSE_PAYLOAD_TYPE,
    payload: Buffer.from(statementBytes).toString('base64'),
    signatures: [{ keyid: publicKeyFingerprint(opts.privateKey), sig: Buffer.from(signature).toString('base64') }],
  };

  const entries: Zippable = {
    ...tagFiles,
    [TAG_MANIFEST_FILE]: tagManifest,
    [SIGNATURE_FILE]: toBytes(`${JSON.stringify(envelope, null, 2)}\n`),
  };
  for (const f of payload) entries[f.entryName] = f.bytes;
  const zip = zipSync(entries, { mtime: now });
  return { zip, manifestTimestamp, fileCount: payload.length, payloadBytes };
}

/** Validates payload paths and returns the files sorted by their `data/...` entry name (stable output). */
function payloadEntries(files: BundleFile[]): { entryName: string; bytes: Uint8Array }[] {
  const seen = new Set<string>();
  const out = files.map((f) => {
    const reason = unsafeEntryReason(f.path);
    if (reason !== undefined || f.path.endsWith('/')) {
      throw new Error(`buildEvidenceBundle: payload path ${JSON.stringify(f.path)} ${reason ?? 'names a directory'}`);
    }
    const entryName = PAYLOAD_DIR + f.path;
    if (seen.has(entryName)) throw new Error(`buildEvidenceBundle: duplicate payload path ${JSON.stringify(f.path)}`);
    seen.add(entryName);
    return { entryName, bytes: toBytes(f.data) };
  });
  return out.sort((a, b) => (a.entryName < b.entryName ? -1 : a.entryName > b.entryName ? 1 : 0));
}
