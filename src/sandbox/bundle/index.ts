export { buildEvidenceBundle, generateBundleKeyPair } from './build.js';
export type { BundleFile, BuildEvidenceBundleOptions, BuiltEvidenceBundle, BundleKeyPair } from './build.js';
