/**
 * The catalog scan's worker thread (bundled as dist/scan-worker.js): reads and parses the workspace manifests off the
 * platform's event loop, so a huge or hostile manifest never delays an answer. Keeps its cache between scans.
 * Protocol: `{ id, folders }` in; `{ id, scan }` or `{ id, error }` out.
 */
import { parentPort } from 'node:worker_threads';
import { describeError } from '../../core/errors';
import { scanWorkspaces, type ScanCache } from './source';

const cache: ScanCache = new Map();

parentPort?.on('message', (msg: { id: number; folders: string[] }) => {
  try {
    parentPort?.postMessage({ id: msg.id, scan: scanWorkspaces(msg.folders, cache) });
  } catch (err) {
    parentPort?.postMessage({ id: msg.id, error: describeError(err) });
  }
});
