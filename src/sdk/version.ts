import { createRequire } from 'node:module';

// dist/sdk/version.js and src/sdk/version.ts both sit two levels below package.json.
const packageJson = createRequire(import.meta.url)('../../package.json') as { version: string };

export const SDK_VERSION: string = packageJson.version;
