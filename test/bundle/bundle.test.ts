import { describe, it, expect } from 'vitest';
import { sign } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { strFromU8, strToU8, unzipSync, zipSync } from 'fflate';
import { buildEvidenceBundle, generateBundleKeyPair } from '../../src/sandbox/bundle/index.js';
import {
  publicKeyFingerprint,
  preAuthEncoding,
  verifyEvidenceBundle,
  verifyEvidenceBundleFile,
  type BundleVerification,
} from '../../src/sdk/bundle/index.js';
import { sha256Hex } from '../../src/sdk/bundle/format.js';

const keys = generateBundleKeyPair();
const otherKeys = generateBundleKeyPair();
const now = new Date('2025-03-04T05:06:07.890Z');
const incidents = JSON.stringify([{ id: 'INC-1', title: 'Slip in bay 3' }]);
const capas = 'id,owner\nCAPA-1,ops\n';
const photo = new Uint8Array([0xff, 0xd8, 0xff, 0x00, 0x01, 0x02]);
const built = buildEvidenceBundle({
  files: [
    { path: 'incidents.json', data: incidents },
    { path: 'capas.csv', data: capas },
    { path: 'attachments/photo.jpg', data: photo },
  ],
  jobId: 'job_123',
  tenant: 'acme',
  privateKey: keys.privateKey,
  now,
});
const totalBytes = strToU8(incidents).length + strToU8(capas).length + photo.length;

type Entries = Record<string, Uint8Array>;
/** Unzips the good bundle, lets the test change entries, and zips it again. */
function tampered(change: (entries: Entries) => void): Uint8Array {
  const entries = unzipSync(built.zip);
  change(entries);
  return zipSync(entries);
}
function flipByte(data: Uint8Array, index = 0): Uint8Array {
  const copy = data.slice();
  copy[index] = copy[index]! ^ 0x01;
  return copy;
}
function codes(result: BundleVerification): string[] {
  return result.problems.map((p) => `${p.code}:${p.path ?? ''}`);
}
function envelopeOf(entries: Entries) {
  return JSON.parse(strFromU8(entries['signature.dsse.json']!)) as {
    payloadType: string;
    payload: string;
    signatures: { keyid: string; sig: string }[];
  };
}

describe('buildEvidenceBundle', () => {
  it('lays out a BagIt bag with manifests and a DSSE envelope', () => {
    const entries = unzipSync(built.zip);
    expect(Object.keys(entries).sort()).toEqual([
      'bag-info.txt',
      'bagit.txt',
      'data/attachments/photo.jpg',
      'data/capas.csv',
      'data/incidents.json',
      'manifest-sha256.txt',
      'signature.dsse.json',
      'tagmanifest-sha256.txt',
    ]);
    expect(strFromU8(entries['bagit.txt']!)).toBe('BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n');
    const bagInfo = strFromU8(entries['bag-info.txt']!);
    expect(bagInfo).toContain('Bagging-Date: 2025-03-04\n');
    expect(bagInfo).toContain(`Payload-Oxum: ${totalBytes}.3\n`);
    expect(bagInfo).toContain('External-Identifier: job_123\n');
    expect(strFromU8(entries['manifest-sha256.txt']!)).toContain(`${sha256Hex(capas)}  data/capas.csv\n`);
    expect(strFromU8(entries['tagmanifest-sha256.txt']!).split('\n').filter(Boolean)).toHaveLength(3);
    expect(built).toMatchObject({ manifestTimestamp: now.toISOString(), fileCount: 3, payloadBytes: totalBytes });

    const envelope = envelopeOf(entries);
    expect(envelope.payloadType).toBe('application/vnd.in-toto+json');
    expect(envelope.signatures).toEqual([{ keyid: keys.keyId, sig: expect.any(String) }]);
    const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
    expect(statement).toMatchObject({
      _type: 'https://in-toto.io/Statement/v1',
      subject: [{ name: 'tagmanifest-sha256.txt', digest: { sha256: sha256Hex(entries['tagmanifest-sha256.txt']!) } }],
      predicate: { timestamp: now.toISOString(), jobId: 'job_123', tenant: 'acme' },
    });
  });

  it('uses keyid = sha256 of the SPKI DER and the DSSE PAE', () => {
    expect(keys.keyId).toBe(sha256Hex(keys.publicKey.export({ type: 'spki', format: 'der' })));
    expect(publicKeyFingerprint(keys.publicKeyPem)).toBe(keys.keyId);
    expect(Buffer.from(preAuthEncoding('t/x', strToU8('héllo'))).toString('utf8')).toBe('DSSEv1 3 t/x 6 héllo');
  });

  it('refuses unsafe or duplicate payload paths and multi-line ids', () => {
    const base = { jobId: 'j', tenant: 't', privateKey: keys.privateKey };
    expect(() => buildEvidenceBundle({ ...base, files: [{ path: '../x', data: '' }] })).toThrow(/\.\./);
    expect(() => buildEvidenceBundle({ ...base, files: [{ path: '/x', data: '' }] })).toThrow(/absolute/);
    expect(() => buildEvidenceBundle({ ...base, files: [{ path: 'a', data: '' }, { path: 'a', data: 'b' }] })).toThrow(/duplicate/);
    expect(() => buildEvidenceBundle({ ...base, jobId: 'a\nPayload-Oxum: 1.1', files: [] })).toThrow(/jobId/);
    expect(() => buildEvidenceBundle({ ...base, privateKey: keys.publicKey, files: [] })).toThrow(/private key/);
  });
});

describe('verifyEvidenceBundle', () => {
  it('accepts the untouched bundle and summarises it', () => {
    const result = verifyEvidenceBundle(built.zip, keys.publicKeyPem);
    expect(result.problems).toEqual([]);
    expect(result).toEqual({
      ok: true,
      problems: [],
      summary: { files: 3, payloadBytes: totalBytes, manifestTimestamp: now.toISOString(), keyId: keys.keyId, jobId: 'job_123' },
    });
    expect(verifyEvidenceBundle(built.zip, keys.publicKey).ok).toBe(true);
  });

  it('accepts an empty payload', () => {
    const empty = buildEvidenceBundle({ files: [], jobId: 'j', tenant: 't', privateKey: keys.privateKey, now });
    expect(verifyEvidenceBundle(empty.zip, keys.publicKeyPem)).toMatchObject({ ok: true, summary: { files: 0, payloadBytes: 0 } });
  });

  it('reads a bundle from disk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'qehs-bundle-'));
    try {
      const file = join(dir, 'bundle.zip');
      await writeFile(file, built.zip);
      expect((await verifyEvidenceBundleFile(file, keys.publicKeyPem)).ok).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reports an unreadable zip', () => {
    const result = verifyEvidenceBundle(strToU8('not a zip'), keys.publicKeyPem);
    expect(result.ok).toBe(false);
    expect(codes(result)).toEqual(['zip-unreadable:']);
  });

  it('reports a bad key without echoing it', () => {
    const result = verifyEvidenceBundle(built.zip, 'SECRET-LOOKING-NOT-A-KEY');
    expect(codes(result)).toContain('key-invalid:');
    expect(JSON.stringify(result)).not.toContain('SECRET-LOOKING');
  });

  it('flags one changed byte in a payload file', () => {
    const zip = tampered((e) => (e['data/capas.csv'] = flipByte(e['data/capas.csv']!)));
    const result = verifyEvidenceBundle(zip, keys.publicKeyPem);
    expect(result.ok).toBe(false);
    expect(codes(result)).toEqual(['digest-mismatch:data/capas.csv']);
  });

  it('flags one changed byte in the tag manifest', () => {
    const zip = tampered((e) => (e['tagmanifest-sha256.txt'] = flipByte(e['tagmanifest-sha256.txt']!, 5)));
    const result = verifyEvidenceBundle(zip, keys.publicKeyPem);
    expect(result.ok).toBe(false);
    expect(codes(result)).toContain('statement-digest-mismatch:tagmanifest-sha256.txt');
  });

  it('flags a tag file that no longer matches the tag manifest', () => {
    const zip = tampered((e) => (e['bag-info.txt'] = strToU8(`${strFromU8(e['bag-info.txt']!)}Contact-Name: mallory\n`)));
    expect(codes(verifyEvidenceBundle(zip, keys.publicKeyPem))).toEqual(['tag-digest-mismatch:bag-info.txt']);
  });

  it('flags one changed byte in the signature', () => {
    const zip = tampered((e) => {
      const envelope = envelopeOf(e);
      const sig = flipByte(Buffer.from(envelope.signatures[0]!.sig, 'base64'), 10);
      envelope.signatures[0]!.sig = Buffer.from(sig).toString('base64');
      e['signature.dsse.json'] = strToU8(JSON.stringify(envelope));
    });
    expect(codes(verifyEvidenceBundle(zip, keys.publicKeyPem))).toEqual(['signature-invalid:signature.dsse.json']);
  });

  it('flags a raw byte flip in the envelope file', () => {
    const zip = tampered((e) => (e['signature.dsse.json'] = flipByte(e['signature.dsse.json']!, 0)));
    expect(codes(verifyEvidenceBundle(zip, keys.publicKeyPem))).toEqual(['envelope-invalid:signature.dsse.json']);
  });

  it('flags a bundle signed by another key', () => {
    const foreign = buildEvidenceBundle({
      files: [{ path: 'incidents.json', data: incidents }],
      jobId: 'job_123',
      tenant: 'acme',
      privateKey: otherKeys.privateKey,
      now,
    });
    const result = verifyEvidenceBundle(foreign.zip, keys.publicKeyPem);
    expect(result.ok).toBe(false);
    expect(codes(result)).toEqual(['keyid-mismatch:signature.dsse.json', 'signature-invalid:signature.dsse.json']);
  });

  it('flags a forged keyid on another key’s signature', () => {
    const zip = tampered((e) => {
      const envelope = envelopeOf(e);
      const foreign = envelopeOf(unzipSync(buildEvidenceBundle({ files: [], jobId: 'j', tenant: 't', privateKey: otherKeys.privateKey }).zip));
      envelope.signatures = [{ keyid: keys.keyId, sig: foreign.signatures[0]!.sig }];
      e['signature.dsse.json'] = strToU8(JSON.stringify(envelope));
    });
    expect(codes(verifyEvidenceBundle(zip, keys.publicKeyPem))).toEqual(['signature-invalid:signature.dsse.json']);
  });

  it('flags an extra file in data/', () => {
    const zip = tampered((e) => (e['data/extra.txt'] = strToU8('sneaky')));
    const result = verifyEvidenceBundle(zip, keys.publicKeyPem);
    expect(codes(result)).toEqual(['extra-file:data/extra.txt', 'payload-oxum-mismatch:bag-info.txt']);
    expect(result.summary.files).toBe(4);
  });

  it('flags a missing payload file', () => {
    const zip = tampered((e) => delete e['data/attachments/photo.jpg']);
    expect(codes(verifyEvidenceBundle(zip, keys.publicKeyPem))).toEqual([
      'missing-file:data/attachments/photo.jpg',
      'payload-oxum-mismatch:bag-info.txt',
    ]);
  });

  it('flags a missing required tag file', () => {
    const zip = tampered((e) => delete e['manifest-sha256.txt']);
    // Without a manifest there is nothing to compare the payload against: one problem, not one per file.
    expect(codes(verifyEvidenceBundle(zip, keys.publicKeyPem))).toEqual(['missing-tag-file:manifest-sha256.txt']);
  });

  it.each([
    ['../evil', 'parent segment'],
    ['data/../../evil', 'nested parent segment'],
    ['/etc/evil', 'absolute path'],
    ['data\\evil.txt', 'backslash'],
    ['C:/evil.txt', 'drive letter'],
  ])('flags the escaping entry %s (%s)', (name) => {
    const zip = tampered((e) => (e[name] = strToU8('x')));
    const result = verifyEvidenceBundle(zip, keys.publicKeyPem);
    expect(result.ok).toBe(false);
    expect(codes(result)).toEqual([`unsafe-path:${name}`]);
  });

  it('flags duplicate ZIP entries (only one of them would be checked)', () => {
    // fflate cannot write duplicate names, so rename the second entry in place (names are not covered by the CRC).
    const zip = tampered((e) => (e['data/capaX.csv'] = e['data/capas.csv']!));
    const renamed = Buffer.from(Buffer.from(zip).toString('latin1').replaceAll('data/capaX.csv', 'data/capas.csv'), 'latin1');
    expect(codes(verifyEvidenceBundle(renamed, keys.publicKeyPem))).toContain('duplicate-entry:data/capas.csv');
  });

  it('flags an unsigned file outside data/', () => {
    const zip = tampered((e) => (e['README.txt'] = strToU8('trust me')));
    expect(codes(verifyEvidenceBundle(zip, keys.publicKeyPem))).toEqual(['unexpected-file:README.txt']);
  });

  it('flags a wrong Payload-Oxum even when the bag is re-signed', () => {
    // Re-sign with the right key so only the Oxum itself is wrong.
    const bad = buildEvidenceBundle({ files: [{ path: 'a.txt', data: 'abc' }], jobId: 'j', tenant: 't', privateKey: keys.privateKey, now });
    const entries = unzipSync(bad.zip);
    entries['data/a.txt'] = strToU8('abcd');
    const manifest = `${sha256Hex('abcd')}  data/a.txt\n`;
    entries['manifest-sha256.txt'] = strToU8(manifest);
    const result = verifyEvidenceBundle(zipSync(entries), keys.publicKeyPem);
    expect(codes(result)).toContain('payload-oxum-mismatch:bag-info.txt');
    expect(result.problems.find((p) => p.code === 'payload-oxum-mismatch')!.message).toContain('4.1');
  });

  it('flags a Payload-Oxum edit in bag-info.txt', () => {
    const zip = tampered((e) => {
      e['bag-info.txt'] = strToU8(strFromU8(e['bag-info.txt']!).replace(/Payload-Oxum: \d+\.3/, 'Payload-Oxum: 1.3'));
    });
    expect(codes(verifyEvidenceBundle(zip, keys.publicKeyPem))).toEqual([
      'tag-digest-mismatch:bag-info.txt',
      'payload-oxum-mismatch:bag-info.txt',
    ]);
  });

  it('flags a statement whose subject digest does not match, even with a valid signature', () => {
    const zip = tampered((e) => {
      const envelope = envelopeOf(e);
      const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
      statement.subject[0].digest.sha256 = '0'.repeat(64);
      const body = strToU8(JSON.stringify(statement));
      envelope.payload = Buffer.from(body).toString('base64');
      envelope.signatures[0]!.sig = sign(null, preAuthEncoding(envelope.payloadType, body), keys.privateKey).toString('base64');
      e['signature.dsse.json'] = strToU8(JSON.stringify(envelope));
    });
    expect(codes(verifyEvidenceBundle(zip, keys.publicKeyPem))).toEqual(['statement-digest-mismatch:tagmanifest-sha256.txt']);
  });

  it('collects several problems at once', () => {
    const zip = tampered((e) => {
      e['data/capas.csv'] = flipByte(e['data/capas.csv']!);
      e['../evil'] = strToU8('x');
      delete e['data/incidents.json'];
    });
    const result = verifyEvidenceBundle(zip, keys.publicKeyPem);
    expect(codes(result).sort()).toEqual(
      ['unsafe-path:../evil', 'digest-mismatch:data/capas.csv', 'missing-file:data/incidents.json', 'payload-oxum-mismatch:bag-info.txt'].sort(),
    );
  });
});
