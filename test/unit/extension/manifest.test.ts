import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import pkg from '../../../package.json';
import { Commands, Views } from '../../../src/extension/ids';

interface Contributes {
  commands: { command: string; title: string; category?: string }[];
  views: Record<string, { id: string }[]>;
  viewsContainers: { activitybar: { id: string; icon: string }[] };
  viewsWelcome: { view: string; contents: string }[];
  menus: Record<string, { command?: string; submenu?: string; when?: string }[]>;
  configuration: { title: string; properties: Record<string, { scope?: string; description?: string; markdownDescription?: string }> }[];
}
const contributes = pkg.contributes as unknown as Contributes;

describe('package.json contributions', () => {
  it('declares exactly the commands listed in ids.ts', () => {
    const declared = contributes.commands.map((c) => c.command).sort();
    assert.deepEqual(declared, Object.values(Commands).sort());
  });

  it('puts every command in the "Paved" category', () => {
    for (const c of contributes.commands) assert.equal(c.category, 'Paved', c.command);
  });

  it('only references declared commands from menus and welcome content', () => {
    const declared = new Set(contributes.commands.map((c) => c.command));
    for (const [menu, items] of Object.entries(contributes.menus)) {
      for (const item of items) if (item.command) assert.ok(declared.has(item.command), `${menu}: ${item.command}`);
    }
    for (const w of contributes.viewsWelcome) {
      for (const m of w.contents.matchAll(/\(command:([\w.]+)/g)) assert.ok(declared.has(m[1]), `welcome: ${m[1]}`);
    }
  });

  it('activates only through contributions, never eagerly', () => {
    for (const e of pkg.activationEvents) assert.ok(e !== '*' && e !== 'onStartupFinished', e);
    assert.ok(pkg.activationEvents.includes('onLanguage:yaml'));
    assert.ok(pkg.activationEvents.includes('workspaceContains:**/paved.yaml'));
  });

  it('contributes the Paved container with the Catalog view and its welcome content', () => {
    const container = contributes.viewsContainers.activitybar.find((c) => c.id === Views.container);
    assert.ok(container, 'activity bar container');
    assert.ok(contributes.views[Views.container]?.some((v) => v.id === Views.catalog));
    assert.ok(contributes.viewsWelcome.some((w) => w.view === Views.catalog));
  });

  it('gives every setting a paved.* key, a scope and a description', () => {
    const keys = contributes.configuration.flatMap((section) => Object.entries(section.properties));
    assert.ok(keys.length > 0);
    for (const [key, prop] of keys) {
      assert.match(key, /^paved\./);
      assert.ok(prop.scope, `${key} has a scope`);
      assert.ok(prop.description ?? prop.markdownDescription, `${key} has a description`);
    }
  });

  it('has a PNG marketplace icon of at least 128×128 that is packaged (media/ is in the VSIX)', () => {
    assert.equal((pkg as { icon?: string }).icon, 'media/icon.png');
    const png = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'media', 'icon.png'));
    assert.equal(png.subarray(1, 4).toString('latin1'), 'PNG');
    assert.ok(png.readUInt32BE(16) >= 128 && png.readUInt32BE(20) >= 128, `${png.readUInt32BE(16)}×${png.readUInt32BE(20)}`);
  });

  it('declares limited workspace trust support', () => {
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
  });
});
