/**
 * The resource types this platform offers: Paved's built-ins (postgres, volume) and the definition files of
 * `paved serve --resources DIR` (`*.yaml` files of `kind: ResourceType`, checked against
 * schemas/resource-type.schema.json). An invalid file is reported and not served; the first type of a name wins
 * (the built-ins first).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import { parse } from 'yaml';
import { BUILTIN_TYPES, type ResourceType } from '../../core/resources';
import { PavedError, describeError } from '../../core/errors';
import schema from '../../../schemas/resource-type.schema.json';

/** An `exec` driver's commands (run with /bin/sh in `cwd`, the definition file's directory). */
export interface ExecCommands {
  provision: string;
  deprovision?: string;
  timeoutSeconds: number;
  cwd: string;
}

/** A type with what its driver needs. */
export interface DefinedType extends ResourceType {
  exec?: ExecCommands;
}

interface Definition {
  metadata: { name: string; description: string };
  spec: {
    classes: { name: string; description?: string; default?: boolean }[];
    params?: Record<string, unknown>;
    outputs: { name: string; description?: string; secret?: boolean }[];
    mainOutput?: string;
    mainEnv?: string;
    driver: { exec: { provision: string; deprovision?: string; timeoutSeconds?: number } };
  };
}

const validate = new Ajv({ allErrors: true, strict: false }).compile<Definition>(schema);

/** Reads one definition file; a problem is a PavedError naming the file. */
export function readDefinition(file: string): DefinedType {
  let doc: unknown;
  try {
    doc = parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new PavedError('invalid-input', `${file}: ${describeError(err)}`);
  }
  if (!validate(doc)) {
    const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`);
    throw new PavedError('invalid-input', `${file}: not a resource type definition: ${problems.join('; ')}`);
  }
  const d = doc;
  const outputs = d.spec.outputs.map((o) => ({ name: o.name, ...(o.description ? { description: o.description } : {}), secret: o.secret === true }));
  const names = outputs.map((o) => o.name);
  if (new Set(names).size !== names.length) throw new PavedError('invalid-input', `${file}: an output is listed twice`);
  if (d.spec.mainOutput !== undefined && !names.includes(d.spec.mainOutput)) throw new PavedError('invalid-input', `${file}: mainOutput "${d.spec.mainOutput}" is not one of the outputs (${names.join(', ')})`);
  if (d.spec.classes.filter((c) => c.default).length > 1) throw new PavedError('invalid-input', `${file}: more than one default class`);
  const t: DefinedType = {
    type: d.metadata.name,
    description: d.metadata.description,
    classes: d.spec.classes.map((c) => ({ name: c.name, ...(c.description ? { description: c.description } : {}), ...(c.default ? { default: true } : {}) })),
    params: d.spec.params ?? { type: 'object', additionalProperties: false, properties: {} },
    outputs,
    driver: 'exec',
    source: file,
    exec: { provision: d.spec.driver.exec.provision, timeoutSeconds: d.spec.driver.exec.timeoutSeconds ?? 300, cwd: path.dirname(file), ...(d.spec.driver.exec.deprovision ? { deprovision: d.spec.driver.exec.deprovision } : {}) },
  };
  if (d.spec.mainOutput) t.mainOutput = d.spec.mainOutput;
  if (d.spec.mainEnv) t.mainEnv = d.spec.mainEnv;
  return t;
}

export class ResourceTypes {
  private types: DefinedType[] = [...BUILTIN_TYPES];
  /** Definition files not served, and why. */
  errors: string[] = [];

  /** `dirs`: the `--resources` directories (a directory of `*.yaml` / `*.yml` files, or one file). */
  constructor(private readonly dirs: readonly string[]) {}

  load(): void {
    const types: DefinedType[] = [...BUILTIN_TYPES];
    const errors: string[] = [];
    for (const dir of this.dirs) {
      let files: string[];
      try {
        files = fs.statSync(dir).isDirectory()
          ? fs
              .readdirSync(dir)
              .filter((f) => /\.ya?ml$/i.test(f))
              .sort()
              .map((f) => path.join(dir, f))
          : [dir];
      } catch (err) {
        errors.push(`${dir}: ${describeError(err)}`);
        continue;
      }
      for (const f of files) {
        try {
          const t = readDefinition(f);
          const first = types.find((x) => x.type === t.type);
          if (first) errors.push(`${f}: resource type "${t.type}" is already defined by ${first.source}; this one is not served`);
          else types.push(t);
        } catch (err) {
          errors.push(describeError(err));
        }
      }
    }
    this.types = types;
    this.errors = errors;
  }

  list(): DefinedType[] {
    return this.types;
  }

  get(type: string): DefinedType | undefined {
    return this.types.find((t) => t.type === type);
  }
}

/** A type as the API shows it (no driver internals). */
export function publicType(t: DefinedType): ResourceType {
  const { exec: _exec, ...rest } = t;
  return rest;
}
