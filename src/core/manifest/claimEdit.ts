/**
 * *Add Resource*: the text edits that add a claim to a paved.yaml (`spec.claims.NAME: { type, class }`) and bind its
 * main output in `spec.env` (`DATABASE_URL: ${claims.db.url}`), keeping everything else in the file as it is. The
 * editor applies them as one undoable WorkspaceEdit; the CLI or an agent can apply them with `applyEdits`.
 */
import { PavedError } from '../errors';
import { CLAIM_NAME } from '../resources/types';
import { addKeyEdit } from './fixes';
import { V1 } from './migrate';
import { parseYaml } from './parse';
import type { YMap } from './tree';
import { findPair, keyString } from './tree';
import type { TextEdit } from './types';

export interface NewClaim {
  name: string;
  type: string;
  class?: string;
  /** Bind `${claims.NAME.output}` to `envVar` in spec.env (both or neither). */
  output?: string;
  envVar?: string;
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The edits that add `claim` to the paved.yaml `text`; a conflict (the claim or the variable exists) is a PavedError. */
export function addClaimEdits(text: string, claim: NewClaim): TextEdit[] {
  if (!CLAIM_NAME.test(claim.name)) throw new PavedError('invalid-input', `"${claim.name}" is not a claim name: lowercase letters, digits, '_' and '-', starting with a letter`);
  if (claim.envVar !== undefined && !ENV_NAME.test(claim.envVar)) throw new PavedError('invalid-input', `"${claim.envVar}" is not an environment variable name`);
  const parsed = parseYaml(text);
  const root = parsed.docs[0]?.contents;
  if (!root || root.type !== 'map') throw new PavedError('invalid-input', 'paved.yaml is not a map of keys; fix its YAML first');
  const api = findPair(root, 'apiVersion');
  if (api?.value.type !== 'scalar' || api.value.value !== V1) throw new PavedError('invalid-input', `claims need ${V1}; migrate this manifest first`);
  const spec = findPair(root, 'spec')?.value;
  if (!spec || spec.type !== 'map') throw new PavedError('invalid-input', 'paved.yaml has no spec map to add the claim to');

  const pieces: { edit: TextEdit; depth: number }[] = [];
  const entry: Record<string, unknown> = { type: claim.type };
  if (claim.class !== undefined) entry.class = claim.class;
  const claims = findPair(spec, 'claims')?.value;
  if (claims && claims.type === 'map') {
    if (claims.pairs.some((p) => keyString(p.key) === claim.name)) throw new PavedError('conflict', `spec.claims already has a claim "${claim.name}"`);
    pieces.push({ edit: addKeyEdit(text, claims, claim.name, entry), depth: 2 });
  } else if (claims && !(claims.type === 'scalar' && (claims.value === null || claims.value === ''))) {
    throw new PavedError('invalid-input', 'spec.claims is not a map; fix it first');
  } else {
    pieces.push({ edit: claims ? replaceEmpty(text, spec, 'claims', { [claim.name]: entry }) : addKeyEdit(text, spec, 'claims', { [claim.name]: entry }), depth: 1 });
  }
  if (claim.envVar !== undefined && claim.output !== undefined) {
    const value = `\${claims.${claim.name}.${claim.output}}`;
    const env = findPair(spec, 'env')?.value;
    if (env && env.type === 'map') {
      if (env.pairs.some((p) => keyString(p.key) === claim.envVar)) throw new PavedError('conflict', `spec.env already sets ${claim.envVar}; pick another variable`);
      pieces.push({ edit: addKeyEdit(text, env, claim.envVar, value), depth: 2 });
    } else if (env && !(env.type === 'scalar' && (env.value === null || env.value === ''))) {
      throw new PavedError('invalid-input', 'spec.env is not a map; fix it first');
    } else {
      pieces.push({ edit: env ? replaceEmpty(text, spec, 'env', { [claim.envVar]: value }) : addKeyEdit(text, spec, 'env', { [claim.envVar]: value }), depth: 1 });
    }
  }
  // Two insertions at one place (the end of spec): the deeper entry first, so it stays in its own map.
  pieces.sort((a, b) => a.edit.offset - b.edit.offset || b.depth - a.depth);
  const out: TextEdit[] = [];
  for (const p of pieces) {
    const prev = out[out.length - 1];
    if (prev && prev.offset === p.edit.offset && prev.length === 0 && p.edit.length === 0) prev.newText += p.edit.newText;
    else out.push({ ...p.edit });
  }
  return out;
}

/** `key:` with an empty value in `map`: the key and its empty value replaced by the filled block. */
function replaceEmpty(text: string, map: YMap, key: string, value: Record<string, unknown>): TextEdit {
  const pair = findPair(map, key)!;
  const withoutPair: YMap = { ...map, pairs: map.pairs.filter((p) => p !== pair) };
  const add = addKeyEdit(text, { ...withoutPair, end: pair.key.start }, key, value);
  // Replace from the start of the key's line (after its indentation) to the end of its (empty) value.
  const lineStart = text.lastIndexOf('\n', pair.key.start - 1) + 1;
  return { offset: lineStart, length: Math.max(pair.key.end, pair.value.end) - lineStart, newText: add.newText.replace(/^\r?\n/, '') };
}
