// @ts-check
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS script node runs as it is */
/**
 * One PostgreSQL resource of the local platform: PGlite (PostgreSQL compiled to WebAssembly) on a loopback port, its
 * data in PAVED_PG_DATA. Started by `paved serve` as a process of its own (its own process group, carrying
 * PAVED_OWNER), so it outlives a platform killed with SIGKILL and is adopted by the next one.
 *
 * PGlite itself accepts any user and password, so this process asks every client for its password first (MD5
 * authentication, the password never crosses the socket in clear) and hands the connection to PGlite only when it is
 * right; PGlite listens on a Unix socket in a private directory nobody else can open.
 *
 * Environment: PAVED_PGLITE_MODULE, PAVED_PGLITE_SOCKET_MODULE (entry files), PAVED_PG_DATA, PAVED_PG_PORT,
 * PAVED_PG_USER, PAVED_PG_DATABASE, PAVED_PG_AUTH (md5(password + user) in hex: the password itself is not given).
 */
'use strict';
const { Buffer } = require('node:buffer');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const env = process.env;
const log = (/** @type {string} */ line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`);

/** @param {string} name */
function required(name) {
  const v = env[name];
  if (!v) {
    log(`missing ${name}`);
    process.exit(2);
  }
  return v;
}

const user = required('PAVED_PG_USER');
const database = required('PAVED_PG_DATABASE');
const auth = required('PAVED_PG_AUTH');
const port = Number(required('PAVED_PG_PORT'));
const dataDir = required('PAVED_PG_DATA');

/** A protocol message: type byte, int32 length (itself included), body. */
function message(/** @type {string} */ type, /** @type {Buffer} */ body) {
  const head = Buffer.alloc(5);
  head.write(type, 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function errorResponse(/** @type {string} */ code, /** @type {string} */ text) {
  const field = (/** @type {string} */ t, /** @type {string} */ v) => Buffer.concat([Buffer.from(t, 'latin1'), Buffer.from(v, 'utf8'), Buffer.from([0])]);
  return message('E', Buffer.concat([field('S', 'FATAL'), field('V', 'FATAL'), field('C', code), field('M', text), Buffer.from([0])]));
}

/** Startup parameters (key/value pairs after the protocol version). */
function startupParams(/** @type {Buffer} */ buf) {
  /** @type {Record<string, string>} */
  const out = {};
  const parts = buf.subarray(8).toString('utf8').split('\0');
  for (let i = 0; i + 1 < parts.length; i += 2) if (parts[i]) out[parts[i]] = parts[i + 1];
  return out;
}

const SSL_REQUEST = 80877103;
const GSS_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const PROTOCOL_3 = 196608;

/**
 * Authenticates one client, then pipes it to PGlite's socket (the startup message replayed first).
 * @param {net.Socket} client
 * @param {string} inner
 */
function gate(client, inner) {
  let buf = Buffer.alloc(0);
  /** @type {Buffer | undefined} */
  let startup;
  /** @type {Buffer | undefined} */
  let salt;
  const fail = (/** @type {string} */ code, /** @type {string} */ text) => {
    client.end(errorResponse(code, text));
  };
  client.on('error', () => client.destroy());
  const onData = (/** @type {Buffer} */ chunk) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (!startup) {
        if (buf.length < 8) return;
        const len = buf.readInt32BE(0);
        if (len < 8 || len > 10000) return fail('08P01', 'invalid startup packet');
        if (buf.length < len) return;
        const code = buf.readInt32BE(4);
        const packet = buf.subarray(0, len);
        buf = buf.subarray(len);
        if (code === SSL_REQUEST || code === GSS_REQUEST) {
          client.write('N');
          continue;
        }
        if (code === CANCEL_REQUEST) return void client.end();
        if (code !== PROTOCOL_3) return fail('08P01', 'unsupported frontend protocol');
        const params = startupParams(packet);
        if (params.user !== user) return fail('28P01', `password authentication failed for user "${params.user ?? ''}"`);
        if ((params.database ?? params.user) !== database) return fail('3D000', `database "${params.database}" does not exist`);
        startup = Buffer.from(packet);
        salt = crypto.randomBytes(4);
        const body = Buffer.alloc(8);
        body.writeInt32BE(5, 0);
        salt.copy(body, 4);
        client.write(message('R', body));
        continue;
      }
      if (buf.length < 5) return;
      const len = buf.readInt32BE(1);
      if (buf.length < len + 1) return;
      const type = String.fromCharCode(buf[0]);
      const body = buf.subarray(5, len + 1);
      const rest = buf.subarray(len + 1);
      if (type !== 'p') return fail('08P01', 'expected a password message');
      const given = body.toString('utf8').replace(/\0$/, '');
      const expected = 'md5' + crypto.createHash('md5').update(Buffer.concat([Buffer.from(auth, 'utf8'), /** @type {Buffer} */ (salt)])).digest('hex');
      const ok = given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      if (!ok) return fail('28P01', `password authentication failed for user "${user}"`);
      client.removeListener('data', onData);
      client.pause();
      const upstream = net.connect(inner, () => {
        upstream.write(/** @type {Buffer} */ (startup));
        if (rest.length) upstream.write(rest);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      upstream.on('error', close);
      upstream.on('close', close);
      client.on('close', close);
      return;
    }
  };
  client.on('data', onData);
}

async function main() {
  const started = Date.now();
  const fresh = !fs.existsSync(path.join(dataDir, 'PG_VERSION'));
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  log(`starting PGlite on 127.0.0.1:${port} (${fresh ? 'new database: initialising' : 'existing data'})`);
  const { PGlite } = require(required('PAVED_PGLITE_MODULE'));
  const { PGLiteSocketServer } = require(required('PAVED_PGLITE_SOCKET_MODULE'));
  const db = await PGlite.create({ dataDir });
  const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'paved-pg-'));
  fs.chmodSync(privateDir, 0o700);
  const inner = path.join(privateDir, 's');
  const server = new PGLiteSocketServer({ db, path: inner, maxConnections: 100 });
  await server.start();
  const front = net.createServer((c) => gate(c, inner));
  await new Promise((resolve, reject) => {
    front.once('error', reject);
    front.listen(port, '127.0.0.1', () => resolve(undefined));
  });
  log(`ready on 127.0.0.1:${port} in ${Date.now() - started} ms`);
  let stopping = false;
  const stop = async (/** @type {string} */ why) => {
    if (stopping) return;
    stopping = true;
    log(`stopping (${why})`);
    front.close();
    try {
      await server.stop();
      await db.close();
    } finally {
      fs.rmSync(privateDir, { recursive: true, force: true });
      log('stopped');
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  log(`failed: ${err instanceof Error ? err.stack || err.message : String(err)}`);
  process.exit(1);
});
