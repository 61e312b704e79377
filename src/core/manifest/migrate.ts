/**
 * paved.dev/v1alpha1 → paved.dev/v1. What changed:
 *   metadata.team            → metadata.owner
 *   spec.command, spec.port  → spec.run: { command, port }
 *   spec.healthcheck: /path  → spec.health: { path: /path }
 *   spec.replicas: N         → spec.replicas: { min: N, max: N }
 * On plain objects (for policies and `parsePavedManifest`) and on text through `yaml`'s Document API, which keeps
 * comments and the order of keys.
 */
import type { Document, Pair, Scalar, YAMLMap } from 'yaml';
import { yaml } from '../lazy';
import { PavedError } from '../errors';

function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v) ?? '';
}

export const V1 = 'paved.dev/v1';
export const V1ALPHA1 = 'paved.dev/v1alpha1';

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function setOwn(o: Obj, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}

/** Renames/reshapes one object's keys, keeping their order; returns a new object. */
function reshape(o: Obj, f: (k: string, v: unknown, out: Obj) => void): Obj {
  const out: Obj = {};
  for (const k of Object.keys(o)) f(k, o[k], out);
  return out;
}

/** Migrates a v1alpha1 manifest object (as parsed) to v1. Unknown keys are carried over for the schema to report. */
export function migrateObject(doc: unknown): unknown {
  if (!isObj(doc)) return doc;
  return reshape(doc, (k, v, out) => {
    if (k === 'apiVersion') setOwn(out, k, v === V1ALPHA1 ? V1 : v);
    else if (k === 'metadata' && isObj(v)) setOwn(out, k, reshape(v, (mk, mv, mo) => setOwn(mo, mk === 'team' ? 'owner' : mk, mv)));
    else if (k === 'spec' && isObj(v)) setOwn(out, k, migrateSpec(v));
    else setOwn(out, k, v);
  });
}

function migrateSpec(spec: Obj): Obj {
  const hasCommand = Object.prototype.hasOwnProperty.call(spec, 'command');
  const hasPort = Object.prototype.hasOwnProperty.call(spec, 'port');
  return reshape(spec, (k, v, out) => {
    if (k === 'command' || (k === 'port' && !hasCommand)) {
      const run: Obj = {};
      if (hasCommand) run.command = spec.command;
      if (hasPort) run.port = spec.port;
      setOwn(out, 'run', run);
    } else if (k === 'port') {
      // folded into run
    } else if (k === 'healthcheck') {
      setOwn(out, 'health', { path: v });
    } else if (k === 'replicas' && typeof v === 'number') {
      setOwn(out, 'replicas', { min: v, max: v });
    } else {
      setOwn(out, k, v);
    }
  });
}

/** Where a v1 path (of the migrated object) is in the v1alpha1 source. */
export function v1PathToV1alpha1(path: readonly string[]): string[] {
  const [a, b, c, ...rest] = path;
  if (a === 'metadata' && b === 'owner') return ['metadata', 'team', ...(c === undefined ? [] : [c, ...rest])];
  if (a === 'spec' && b === 'run') {
    if (c === 'command' || c === 'port') return ['spec', c, ...rest];
    return ['spec', 'command'];
  }
  if (a === 'spec' && b === 'health') return c === undefined ? ['spec', 'healthcheck'] : ['spec', 'healthcheck'];
  if (a === 'spec' && b === 'replicas') return ['spec', 'replicas'];
  return [...path];
}

function findPairNode(map: YAMLMap, key: string): Pair | undefined {
  const { isScalar } = yaml();
  for (const p of map.items) if (isScalar(p.key) && scalarText(p.key.value) === key) return p;
  return undefined;
}

/**
 * Migrates one v1alpha1 document's text to v1, keeping comments. Parts that do not have the v1alpha1 shape are left
 * as they are. Throws PavedError('invalid-input') when the text has YAML errors.
 */
export function migrateText(docText: string): string {
  const doc = yaml().parseDocument(docText, { uniqueKeys: false });
  if (doc.errors.length > 0) {
    throw new PavedError('invalid-input', `Fix the YAML errors before migrating (${doc.errors[0].message.split('\n')[0]}).`);
  }
  migrateDocument(doc);
  const eol = docText.includes('\r\n') ? '\r\n' : '\n';
  let out = doc.toString({ lineWidth: 0 });
  if (eol === '\r\n') out = out.replace(/\r?\n/g, '\r\n');
  if (!docText.endsWith('\n')) out = out.replace(/\r?\n$/, '');
  return out;
}

export function migrateDocument(doc: Document): void {
  const { isMap, isScalar, Pair, Scalar, YAMLMap } = yaml();
  const root = doc.contents;
  if (!isMap(root)) return;
  const api = findPairNode(root, 'apiVersion');
  if (api && isScalar(api.value) && api.value.value === V1ALPHA1) api.value.value = V1;
  const meta = findPairNode(root, 'metadata');
  if (meta && isMap(meta.value)) {
    const team = findPairNode(meta.value, 'team');
    if (team && isScalar(team.key) && !findPairNode(meta.value, 'owner')) team.key.value = 'owner';
  }
  const specPair = findPairNode(root, 'spec');
  if (!specPair || !isMap(specPair.value)) return;
  const spec = specPair.value;
  const command = findPairNode(spec, 'command');
  const port = findPairNode(spec, 'port');
  if ((command || port) && !findPairNode(spec, 'run')) {
    const run = new YAMLMap();
    run.flow = false;
    if (command) run.items.push(new Pair(new Scalar('command'), command.value));
    if (port) run.items.push(new Pair(new Scalar('port'), port.value));
    const anchor = (command ?? port)!;
    const runPair = new Pair(new Scalar('run'), run);
    const oldKey = anchor.key as Scalar;
    if (isScalar(oldKey) && oldKey.commentBefore) (runPair.key as Scalar).commentBefore = oldKey.commentBefore;
    spec.items.splice(spec.items.indexOf(anchor), 1, runPair);
    if (command && port) spec.items.splice(spec.items.indexOf(port), 1);
  }
  const hc = findPairNode(spec, 'healthcheck');
  if (hc && isScalar(hc.key) && !findPairNode(spec, 'health')) {
    hc.key.value = 'health';
    const health = new YAMLMap();
    health.items.push(new Pair(new Scalar('path'), hc.value));
    hc.value = health;
  }
  const rep = findPairNode(spec, 'replicas');
  if (rep && isScalar(rep.value) && typeof rep.value.value === 'number') {
    const n = rep.value.value;
    const m = new YAMLMap();
    m.flow = true;
    m.items.push(new Pair(new Scalar('min'), rep.value), new Pair(new Scalar('max'), new Scalar(n)));
    rep.value = m;
  }
}
