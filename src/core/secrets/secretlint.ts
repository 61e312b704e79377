/**
 * The secret formats the world knows, from a maintained rule set: secretlint's recommended preset
 * (`@secretlint/secretlint-rule-preset-recommend`, pinned in package.json and bundled at build time; its rules are
 * used unchanged). secretlint's own engine is asynchronous (the editor's lint is not) and runs every rule on every
 * file, so the rules run here through the rule interface they publish (`create(context, options).file(source)`,
 * `context.report({ range })`): synchronously, on the text as it is, with their exact ranges, after a pre-check that
 * lets most manifests skip them (measured: README, Measurements). Their messages are not used: they quote the
 * secret, and Paved never repeats a secret.
 */
import { rules as presetRules } from '@secretlint/secretlint-rule-preset-recommend';
import { tokens } from './tokens';

/** The part of secretlint's rule interface (`@secretlint/types` SecretLintRuleCreator) the driver uses. */
interface RuleCreator {
  meta: { id: string; type?: string };
  create(context: RuleContext, options: Record<string, unknown>): { file?: (source: RuleSource) => unknown };
}
interface RuleContext {
  report(descriptor: { message: string | { message?: string }; range: readonly [number, number] }): void;
  ignore(descriptor: unknown): void;
  createTranslator(messages: Record<string, unknown>): (messageId: string, props?: unknown) => string;
  sharedOptions: Record<string, unknown>;
}
interface RuleSource {
  content: string;
  filePath: string;
  ext: string;
  contentType: 'text';
}

export interface SecretlintMatch {
  offset: number;
  length: number;
  /** The rule's short name (`stripe`, `github`, …). */
  rule: string;
  /** The rule's message id (`STRIPE_SECRET_KEY_LIVE`, …), naming the kind of key. */
  messageId: string;
}

/** What each rule finds, for the finding's message ("This looks like …"). Rules added by a newer preset get a generic one. */
const DESCRIPTIONS: Record<string, string> = {
  aws: 'an AWS access key',
  gcp: 'a Google Cloud service account key',
  privatekey: 'a private key block',
  npm: 'an npm access token',
  basicauth: 'a URL with a user name and password',
  slack: 'a Slack token or webhook',
  sendgrid: 'a SendGrid API key',
  shopify: 'a Shopify access token',
  stripe: 'a Stripe API key',
  github: 'a GitHub token',
  gitlab: 'a GitLab token',
  grafana: 'a Grafana token',
  openai: 'an OpenAI API key',
  anthropic: 'an Anthropic API key',
  groq: 'a Groq API key',
  huggingface: 'a Hugging Face token',
  linear: 'a Linear API key',
  notion: 'a Notion integration token',
  '1password': 'a 1Password service account token',
  'database-connection-string': 'a database connection string with a password',
  'hashicorp-vault': 'a HashiCorp Vault token',
  vercel: 'a Vercel token',
  databricks: 'a Databricks token',
  docker: 'a Docker personal access token',
  figma: 'a Figma token',
  cloudflare: 'a Cloudflare API token',
  tailscale: 'a Tailscale key',
};

export function describeRule(rule: string): string {
  return DESCRIPTIONS[rule] ?? `a ${rule} credential`;
}

/**
 * Rules and message ids left out: comment directives (`secretlint-disable`) are secretlint's configuration, not a
 * secret; AWS account ids are not secrets; AWS secret access keys are reported by Paved's own detector, because this
 * rule's range starts at the key name rather than at the secret.
 */
const SKIPPED_RULES = new Set(['filter-comments']);
const SKIPPED_MESSAGES = new Set(['AWSAccountID', 'AWSSecretAccessKey']);
/** Per rule: options (AWS access key ids are off by default in secretlint; Paved always reported them). */
const OPTIONS: Record<string, Record<string, unknown>> = { aws: { enableIDScanRule: true } };

const RULES = (presetRules as unknown as RuleCreator[])
  .map((creator) => ({ creator, name: creator.meta.id.replace(/^@secretlint\/secretlint-rule-/, '') }))
  .filter((r) => r.creator.meta.type !== 'filter' && !SKIPPED_RULES.has(r.name));

/** The preset's rule names, in its order (tests, docs). */
export const SECRETLINT_RULES: readonly string[] = RULES.map((r) => r.name);

const translator = () => (messageId: string) => messageId;

/** Where the rules report during one run (the handlers are made once; a run sets this, then clears it). */
let sink: SecretlintMatch[] | undefined;

/** Each rule's handler, made once with a context that reports into the current run. */
let handlers: { name: string; file: (source: RuleSource) => unknown }[] | undefined;

function ruleHandlers(): NonNullable<typeof handlers> {
  handlers ??= RULES.flatMap(({ creator, name }) => {
    const context: RuleContext = {
      report: (d) => {
        const messageId = typeof d.message === 'string' ? d.message : (d.message.message ?? '');
        if (!sink || SKIPPED_MESSAGES.has(messageId)) return;
        const [start, end] = d.range;
        if (end > start) sink.push({ offset: start, length: end - start, rule: name, messageId });
      },
      ignore: () => undefined,
      createTranslator: translator,
      sharedOptions: {},
    };
    const file = creator.create(context, OPTIONS[name] ?? {}).file;
    return file ? [{ name, file: file.bind(undefined) }] : [];
  });
  return handlers;
}

/**
 * Whether a text can hold a secret of a known format at all: a run of 16 or more token characters that is not just
 * lower-case words (every key format of the preset has one), a URL with a password, or a key block. Most manifests
 * have none, and one pass over the text then saves the rules' 27 passes (measured: `npm run bench -- secrets`).
 */
export function mayHoldSecret(text: string): boolean {
  if (text.includes('PRIVATE KEY') || /:\/\/[^\s/@]*:[^\s/@]*@/.test(text)) return true;
  return tokens(text, 16).some(([, run]) => !/^[a-z_\-/]+$/.test(run));
}

/** Runs every rule of the preset over `text`; returns what they found, with their ranges. */
export function runSecretlint(text: string): SecretlintMatch[] {
  if (!mayHoldSecret(text)) return [];
  const out: SecretlintMatch[] = [];
  const source: RuleSource = { content: text, filePath: 'manifest.yaml', ext: '.yaml', contentType: 'text' };
  sink = out;
  try {
    // A rule that returns a promise (binary files only, in this preset) has nothing to say about a text.
    for (const h of ruleHandlers()) h.file(source);
  } finally {
    sink = undefined;
  }
  return out;
}
