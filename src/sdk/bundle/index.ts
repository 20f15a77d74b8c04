export { verifyEvidenceBundle, verifyEvidenceBundleFile } from './verify.js';
export type { BundleProblem, BundleProblemCode, BundleVerification } from './verify.js';
export {
  publicKeyFingerprint,
  preAuthEncoding,
  DSSE_PAYLOAD_TYPE,
  EVIDENCE_BUNDLE_PREDICATE_TYPE,
  IN_TOTO_STATEMENT_TYPE,
} from './format.js';
export type { DsseEnvelope, DsseSignature, InTotoStatement, EvidenceBundlePredicate } from './format.js';
