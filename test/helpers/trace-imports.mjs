// Preloaded with `node --import`: reports every module URL the program loads, on stderr, at exit.
import { register } from 'node:module';

const { port1, port2 } = new MessageChannel();
const loaded = new Set();
port1.on('message', (url) => loaded.add(url));
port1.unref();
register(
  'data:text/javascript,' +
    encodeURIComponent(`
      let port;
      export function initialize(data) { port = data.port; }
      export async function resolve(specifier, context, next) {
        const result = await next(specifier, context);
        port.postMessage(result.url);
        return result;
      }`),
  import.meta.url,
  { data: { port: port2 }, transferList: [port2] },
);
process.on('exit', () => {
  process.stderr.write(`\nLOADED_MODULES ${JSON.stringify([...loaded])}\n`);
});
