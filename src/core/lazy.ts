/* eslint-disable @typescript-eslint/no-require-imports -- a require() inside a function is what defers loading a module, in the bundles and under tsx */
/**
 * Libraries the manifest and policy engines need only off their common path, loaded on first use: `yaml` (the full
 * parser for what the fast scanner leaves, migrations, policy files) and ajv's compiler (schemas without a build-time
 * validator, policy rules from files). Linting with the fast scanner and the precompiled validators loads neither, which keeps their
 * start-up (about 20 ms) out of `paved lint` and of the extension's first lint.
 */
import type * as YamlModule from 'yaml';
import type Ajv from 'ajv';
import type Ajv2020 from 'ajv/dist/2020';
import type addFormats from 'ajv-formats';

export function yaml(): typeof YamlModule {
  return require('yaml') as typeof YamlModule;
}

export function ajvDraft7(): typeof Ajv {
  return (require('ajv') as { default: typeof Ajv }).default;
}

export function ajv2020(): typeof Ajv2020 {
  return (require('ajv/dist/2020') as { default: typeof Ajv2020 }).default;
}

export function ajvFormats(): typeof addFormats {
  return (require('ajv-formats') as { default: typeof addFormats }).default;
}
