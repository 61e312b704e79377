/**
 * The one command-line parser of `paved`: Node's own `util.parseArgs` reads the words (`--flag value`,
 * `--flag=value`, boolean flags, repeatable flags, `--` ends the options); this module checks them against the
 * command's options and says what is wrong in one `UsageError` (exit 2). Imports nothing else: `paved lint` uses it too.
 */
import { parseArgs } from 'node:util';

/** A mistake on the command line: the command prints it with a pointer to `--help` and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** The options of a command, by name without the leading `--`. */
export type OptionsSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>;

export type OptionValues<S extends OptionsSpec> = {
  [K in keyof S]?: S[K]['type'] extends 'boolean' ? true : S[K]['multiple'] extends true ? string[] : string;
};

export interface CommandLine<S extends OptionsSpec> {
  values: OptionValues<S>;
  positionals: string[];
}

/**
 * Parses `args` against `spec`. Usage errors: an unknown option, a value missing (`--env` last, or followed by another
 * `--option`), a value given to a boolean flag, a single-valued option given twice.
 */
export function parseCommandLine<S extends OptionsSpec>(args: readonly string[], spec: S): CommandLine<S> {
  const { tokens } = parseArgs({ args: [...args], options: spec, strict: false, allowPositionals: true, tokens: true });
  const values: Record<string, string | true | string[]> = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') {
      positionals.push(t.value);
      continue;
    }
    if (t.kind !== 'option') continue;
    const option = Object.hasOwn(spec, t.name) ? spec[t.name] : undefined;
    if (!option) throw new UsageError(`unknown option '${t.rawName}'`);
    if (option.type === 'boolean') {
      if (t.value !== undefined) throw new UsageError(`${t.rawName} takes no value`);
      values[t.name] = true;
      continue;
    }
    if (t.value === undefined || (!t.inlineValue && t.value.startsWith('--'))) throw new UsageError(`${t.rawName} needs a value`);
    if (option.multiple) {
      values[t.name] = [...((values[t.name] as string[] | undefined) ?? []), t.value];
    } else {
      if (t.name in values) throw new UsageError(`${t.rawName} given twice`);
      values[t.name] = t.value;
    }
  }
  return { values: values as OptionValues<S>, positionals };
}

/** An integer option within [min, max]; `what` says the rule in the message (default "an integer from min to max"). */
export function integerOption(name: string, raw: string, min: number, max = Number.MAX_SAFE_INTEGER, what?: string): number {
  const n = Number(raw);
  if (!/^-?\d+$/.test(raw.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new UsageError(`--${name} must be ${what ?? `an integer from ${min} to ${max}`}, not '${raw}'`);
  }
  return n;
}
