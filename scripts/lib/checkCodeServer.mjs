// Starts code-server once on a free port, checks that it serves the workbench, and stops it. Used by setup.sh.
import { startCodeServer } from './codeServer.mjs';

const t0 = Date.now();
const cs = await startCodeServer({ folder: process.cwd() });
try {
  const res = await fetch(cs.url);
  const html = await res.text();
  if (!res.ok || !html.includes('workbench')) throw new Error(`GET ${cs.url} -> ${res.status}, no workbench in the page`);
  console.log(`code-server answered on ${cs.url} after ${Date.now() - t0} ms`);
} finally {
  await cs.stop();
}
