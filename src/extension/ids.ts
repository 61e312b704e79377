/**
 * Every identifier Paved contributes, in one place. `package.json` must declare exactly the commands and views
 * listed here: test/unit/extension/manifest.test.ts checks the declared side, the integration suite checks that
 * each one is really registered in the extension host.
 */
export const EXTENSION_ID = 'paved-dev.paved';

export const Commands = {
  refreshCatalog: 'paved.catalog.refresh',
  showLog: 'paved.showLog',
} as const;
export type CommandId = (typeof Commands)[keyof typeof Commands];

export const Views = {
  container: 'paved',
  catalog: 'paved.catalog',
} as const;

export const Settings = {
  section: 'paved',
  platformKind: 'platform.kind',
  platformUrl: 'platform.url',
  lintEnable: 'lint.enable',
} as const;

export const ContextKeys = {
  /** Set once activate() has finished. */
  active: 'paved.active',
} as const;
