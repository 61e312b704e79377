/** `volume`: a persistent directory per service and environment (`<state-dir>/resources/data/<id>`). */
import * as fs from 'node:fs';
import type { ResourceDriver } from './types';

export const volumeDriver: ResourceDriver = {
  ensure: 'always',
  async provision(ctx) {
    fs.mkdirSync(ctx.record.dir, { recursive: true, mode: 0o700 });
    return { path: ctx.record.dir };
  },
  async release(record, _type, log) {
    fs.rmSync(record.dir, { recursive: true, force: true });
    log(`deleted ${record.dir}`);
  },
};
