// Shared pieces of the evidence-bundle format (BagIt 1.0 in a ZIP + DSSE/in-toto signature).
// Used by the sandbox builder and the offline verifier so both sides agree byte for byte.
import { createHash, createPublicKey, type KeyObject } from 'node:crypto';

export const BAGIT_FILE = 'bagit.txt';
export const BAG_INFO_FILE = 'bag-info.txt';
export const MANIFEST_FILE = 'manifest-sha256.txt';
export const TAG_MANIFEST_FILE = 'tagmanifest-sha256.txt';
export const SIGNATURE_FILE = 'signature.dsse.json';
export const PAYLOAD_DIR = 'data/';

/** Tag files the tag manifest must cover (the signature covers the tag manifest itself). */
export const SIGNED_TAG_FILES = [BAGIT_FILE, BAG_INFO_FILE, MANIFEST_FILE] as const;

export const BAGIT_DECLARATION = 'BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n';
export const DSSE_PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const IN_TOTO_STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const EVIDENCE_BUNDLE_PREDICATE_TYPE = 'https://qehsethos.com/evidence-bundle/v1';

export interface DsseSignature {
  keyid: string;
  sig: string;
}
export interface DsseEnvelope {
  payloadType: string;
  payload: string;
  signatures: DsseSignature[];
}
export interface EvidenceBundlePredicate {
  /** ISO 8601 time the manifest was made. */
  timestamp: string;
  jobId: string;
  tenant: string;
  payloadOxum: string;
  fileCount: number;
  payloadBytes: number;
}
export interface InTotoStatement {
  _type: string;
  subject: { name: string; digest: { sha256: string } }[];
  predicateType: string;
  predicate: EvidenceBundlePredicate;
}

const utf8 = new TextEncoder();

export function toBytes(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? utf8.encode(data) : data;
}

export function sha256Hex(data: Uint8Array | string): string {
  return createHash('sha256').update(toBytes(data)).digest('hex');
}

/** DSSE pre-authentication encoding: "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
export function preAuthEncoding(payloadType: string, body: Uint8Array): Uint8Array {
  const type = utf8.encode(payloadType);
  const head = utf8.encode(`DSSEv1 ${type.length} ${payloadType} ${body.length} `);
  const out = new Uint8Array(head.length + body.length);
  out.set(head, 0);
  out.set(body, head.length);
  return out;
}

/** Public key from a PEM string or a KeyObject (a private key yields its public half). Throws without echoing key material. */
export function toPublicKey(key: string | KeyObject): KeyObject {
  let publicKey: KeyObject;
  try {
    publicKey = typeof key === 'string' || key.type === 'private' ? createPublicKey(key) : key;
  } catch {
    throw new Error('bundle key: not a readable public key (expected an Ed25519 SPKI PEM)');
  }
  if (publicKey.asymmetricKeyType !== 'ed25519') {
    throw new Error(`bundle key: expected an Ed25519 key, got ${publicKey.asymmetricKeyType ?? publicKey.type}`);
  }
  return publicKey;
}

/** DSSE keyid of a key: hex sha256 of the public key's SPKI DER. */
export function publicKeyFingerprint(key: string | KeyObject): string {
  const der = toPublicKey(key).export({ type: 'spki', format: 'der' });
  return sha256Hex(der);
}

/** Why a ZIP entry name is unsafe to extract (escapes the bag), or undefined when it is fine. */
export function unsafeEntryReason(name: string): string | undefined {
  if (name.length === 0) return 'empty entry name';
  if (name.includes('\\')) return 'contains a backslash';
  if (name.includes('\0')) return 'contains a NUL byte';
  if (name.startsWith('/')) return 'is an absolute path';
  if (/^[A-Za-z]:/.test(name)) return 'starts with a drive letter';
  const segments = name.replace(/\/$/, '').split('/');
  if (segments.some((s) => s === '..')) return "contains a '..' segment";
  if (segments.some((s) => s === '' || s === '.')) return "contains an empty or '.' segment";
  return undefined;
}

// RFC 8493 §2.1.3: CR, LF and % in manifest paths are percent-encoded.
export function encodeManifestPath(path: string): string {
  return path.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
export function decodeManifestPath(path: string): string {
  return path.replace(/%0D/gi, '\r').replace(/%0A/gi, '\n').replace(/%25/g, '%');
}

export function manifestLine(digestHex: string, path: string): string {
  return `${digestHex}  ${encodeManifestPath(path)}\n`;
}

export interface ManifestEntry {
  line: number;
  digest: string;
  path: string;
}

/** Parses `<hex>  <path>` lines; lines that do not fit land in `malformed` (1-based line numbers). */
export function parseManifest(text: string): { entries: ManifestEntry[]; malformed: number[] } {
  const entries: ManifestEntry[] = [];
  const malformed: number[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    if (raw.trim() === '') return;
    const match = /^([0-9a-fA-F]{64})[ \t]+(.+)$/.exec(raw);
    if (!match) malformed.push(index + 1);
    else entries.push({ line: index + 1, digest: match[1]!.toLowerCase(), path: decodeManifestPath(match[2]!) });
  });
  return { entries, malformed };
}

/** bag-info.txt `Label: value` lines; continuation lines start with whitespace. First value of a label wins. */
export function parseBagInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  let last: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^[ \t]/.test(raw) && last !== undefined) {
      fields.set(last, `${fields.get(last)} ${raw.trim()}`);
      continue;
    }
    const colon = raw.indexOf(':');
    if (colon <= 0) continue;
    const label = raw.slice(0, colon).trim();
    if (fields.has(label)) {
      last = undefined;
      continue;
    }
    fields.set(label, raw.slice(colon + 1).trim());
    last = label;
  }
  return fields;
}
