import { fastParse } from './fastParse';
import { fullParse } from './yamlParse';
import type { Finding } from './types';
import type { YDoc } from './tree';
import { keyString } from './tree';

export interface ParsedYaml {
  docs: YDoc[];
  /** YAML syntax errors and warnings, duplicate keys. */
  findings: Finding[];
  /** True when the fast scanner read the file (false: `yaml`'s parser did). */
  fast: boolean;
  /** True when the file needed the full parser and was longer than `maxFullParseSize`: nothing was parsed. */
  skipped?: boolean;
}

/** Parses YAML text (all documents) into the light tree, with syntax errors and duplicate keys as findings. */
export function parseYaml(text: string, maxFullParseSize = Number.POSITIVE_INFINITY): ParsedYaml {
  const fast = fastParse(text);
  if (!fast && text.length > maxFullParseSize) return { docs: [], findings: [], fast: false, skipped: true };
  const res = fast ?? fullParse(text);
  const findings: Finding[] = fast ? [] : (res as ReturnType<typeof fullParse>).findings;
  for (const key of res.duplicates) {
    findings.push({
      offset: key.start,
      length: key.end - key.start,
      severity: 'error',
      ruleId: 'yaml/duplicate-key',
      source: 'yaml',
      message: `Duplicate key "${keyString(key)}": keys of a map must be unique.`,
    });
  }
  return { docs: res.docs, findings, fast: fast !== undefined };
}
