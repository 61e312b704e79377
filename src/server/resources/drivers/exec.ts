/**
 * `exec`: a platform team's own commands provision and deprovision a type (Terraform, a script, a cloud CLI). The
 * command runs with /bin/sh in the definition file's directory, in its own process group, with the claim in its
 * environment (PAVED_RESOURCE_ID, _TYPE, _CLASS, _PARAMS as JSON, _DIR a directory kept for the resource,
 * PAVED_SERVICE, PAVED_ENVIRONMENT, PAVED_CLAIM); `provision` prints the outputs as one JSON object on stdout (the last
 * line that is one counts), stderr goes to the deployment log; past `timeoutSeconds` its group is stopped.
 * `deprovision` also gets PAVED_RESOURCE_OUTPUTS (JSON, secrets included, in its environment only).
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { PavedError } from '../../../core/errors';
import { stopGroup } from '../../deploy/processes';
import type { DefinedType, ExecCommands } from '../registry';
import type { ResourceRecord } from '../state';
import type { ResourceDriver } from './types';

const MAX_STDOUT = 1024 * 1024;

interface RunResult {
  code: number | string;
  stdout: string;
  lastStderr: string;
}

/** Runs `command` to its end (or its timeout, or the signal), streaming stderr lines to `onStderr`. */
export function runCommand(command: string, opts: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number; signal?: AbortSignal; onStderr: (line: string) => void; what: string }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn('/bin/sh', ['-c', command], { cwd: opts.cwd, env: opts.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let errPartial = '';
    let lastStderr = '';
    let ended: string | undefined;
    const stop = (why: string): void => {
      if (ended) return;
      ended = why;
      if (child.pid) void stopGroup(child.pid, 2000);
    };
    const timer = setTimeout(() => stop(`${opts.what} timed out after ${Math.round(opts.timeoutMs / 1000)}s`), opts.timeoutMs);
    const onAbort = (): void => stop('cancelled');
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (c: Buffer) => {
      if (stdout.length < MAX_STDOUT) stdout += c.toString('utf8');
    });
    child.stderr.on('data', (c: Buffer) => {
      const lines = (errPartial + c.toString('utf8')).split('\n');
      errPartial = lines.pop() ?? '';
      for (const l of lines) {
        if (l.trim() !== '') lastStderr = l;
        opts.onStderr(l.replace(/\r$/, ''));
      }
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new PavedError('io', `${opts.what} could not start: ${err.message}`));
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      if (errPartial !== '') {
        lastStderr = errPartial.trim() === '' ? lastStderr : errPartial;
        opts.onStderr(errPartial);
      }
      if (ended === 'cancelled') reject(new PavedError('cancelled', `${opts.what} was cancelled`));
      else if (ended) reject(new PavedError('timeout', ended));
      else resolve({ code: code ?? signal ?? 'unknown', stdout, lastStderr });
    });
  });
}

/** The outputs a provision command printed: the whole stdout as a JSON object, else its last line that is one. */
export function parseOutputs(stdout: string, type: DefinedType): Record<string, string> {
  const asObject = (s: string): Record<string, unknown> | undefined => {
    try {
      const v: unknown = JSON.parse(s);
      return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
    } catch {
      return undefined;
    }
  };
  const text = stdout.trim();
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  const found = asObject(text) ?? [...lines].reverse().map(asObject).find((o) => o !== undefined);
  if (!found) {
    const tail = text.length > 60 ? `…${text.slice(-60)}` : text;
    throw new PavedError('invalid-input', text === '' ? 'the provision command printed nothing on stdout; it must print the outputs as one JSON object' : `the provision command printed no JSON object on stdout (${Buffer.byteLength(text)} bytes, ending ${JSON.stringify(tail)}); it must print the outputs as one JSON object`);
  }
  const out: Record<string, string> = {};
  const missing: string[] = [];
  for (const o of type.outputs) {
    const v = found[o.name];
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') out[o.name] = String(v);
    else missing.push(o.name);
  }
  if (missing.length) throw new PavedError('invalid-input', `the provision command printed no ${missing.map((m) => `'${m}'`).join(', ')} (a string, number or boolean for every output: ${type.outputs.map((o) => o.name).join(', ')})`);
  return out;
}

function commandEnv(record: ResourceRecord, type: DefinedType, extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, PAVED_RESOURCE_ID: record.id, PAVED_RESOURCE_TYPE: type.type, PAVED_RESOURCE_CLASS: record.class, PAVED_RESOURCE_DIR: record.dir, ...extra };
}

export function execDriver(owner: string, outputsOf: (record: ResourceRecord) => Record<string, string>): ResourceDriver {
  const commands = (type: DefinedType): ExecCommands => {
    if (!type.exec) throw new PavedError('server-error', `resource type ${type.type} has no exec commands`);
    return type.exec;
  };
  return {
    ensure: 'when-changed',
    async provision(ctx) {
      const cmd = commands(ctx.type);
      fs.mkdirSync(ctx.record.dir, { recursive: true, mode: 0o700 });
      ctx.log(`$ ${cmd.provision}`);
      const env = commandEnv(ctx.record, ctx.type, {
        PAVED_RESOURCE_PARAMS: JSON.stringify(ctx.claim.params),
        PAVED_SERVICE: ctx.service,
        PAVED_ENVIRONMENT: ctx.environment,
        PAVED_CLAIM: ctx.claim.name,
        PAVED_OWNER: owner,
      });
      const r = await runCommand(cmd.provision, { cwd: cmd.cwd, env, timeoutMs: cmd.timeoutSeconds * 1000, signal: ctx.signal, onStderr: (l) => ctx.log(l, 'stderr'), what: 'the provision command' });
      if (r.code !== 0) throw new PavedError('invalid-input', `the provision command exited with ${r.code}${r.lastStderr ? `: ${r.lastStderr.trim()}` : ''}`);
      return parseOutputs(r.stdout, ctx.type);
    },
    async release(record, type, log) {
      const cmd = commands(type);
      if (cmd.deprovision) {
        log(`$ ${cmd.deprovision}`);
        const env = commandEnv(record, type, { PAVED_RESOURCE_OUTPUTS: JSON.stringify(outputsOf(record)), PAVED_OWNER: owner });
        const r = await runCommand(cmd.deprovision, { cwd: cmd.cwd, env, timeoutMs: cmd.timeoutSeconds * 1000, onStderr: log, what: 'the deprovision command' });
        if (r.code !== 0) throw new PavedError('conflict', `the deprovision command exited with ${r.code}${r.lastStderr ? `: ${r.lastStderr.trim()}` : ''}; the resource is kept`);
      }
      fs.rmSync(record.dir, { recursive: true, force: true });
    },
  };
}
