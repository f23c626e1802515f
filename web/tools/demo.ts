import { buildDemo, DEMO_DIR } from './build';
import { serveStatic } from './server';

/**
 * `npm run demo [-- --port N]`: builds the page next to the built library and serves it on
 * 127.0.0.1 (port 8080 unless told otherwise; 0 picks a free one) until interrupted.
 */
async function main(args: string[]): Promise<void> {
  const at = args.indexOf('--port');
  const text = at >= 0 ? args[at + 1] : (process.env.PORT ?? '8080');
  const port = Number(text);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be an integer in [0, 65535], got ${text ?? 'nothing'}`);
  }
  await buildDemo();
  const server = await serveStatic(DEMO_DIR, port).catch((err: NodeJS.ErrnoException) => {
    throw err.code === 'EADDRINUSE'
      ? new Error(`port ${port} is in use: pass --port N (0 picks a free one)`)
      : err;
  });
  console.log(`emwasm demo: ${server.url}  (Ctrl+C to stop)`);
}

main(process.argv.slice(2)).catch((err: Error) => {
  console.error(`emwasm demo: ${err.message}`);
  process.exit(1);
});
