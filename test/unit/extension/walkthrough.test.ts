import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { listFiles, PackageManager } from '@vscode/vsce';
import pkg from '../../../package.json';
import { Commands, Views, WALKTHROUGH_ID, WalkthroughSteps } from '../../../src/extension/ids';

interface Step {
  id: string;
  title: string;
  description: string;
  media: { image?: string; markdown?: string; altText?: string };
  completionEvents: string[];
}
interface Contributes {
  walkthroughs: { id: string; title: string; description: string; steps: Step[] }[];
  views: Record<string, { id: string }[]>;
  viewsWelcome: { view: string; contents: string; when?: string }[];
  menus: { commandPalette: { command: string; when?: string }[] };
}
const contributes = pkg.contributes as unknown as Contributes;
const ROOT = path.join(__dirname, '..', '..', '..');

/** What walkthrough images may weigh together: the VSIX is to stay small (≤ 1 MB in all). */
const WALKTHROUGH_MEDIA_BUDGET = 400 * 1024;

describe('the "Get started with Paved" walkthrough (package.json)', () => {
  const walkthrough = contributes.walkthroughs.find((w) => w.id === WALKTHROUGH_ID);

  it('has the five steps of a first session, in order', () => {
    assert.ok(walkthrough, 'contributes.walkthroughs has getStarted');
    assert.equal(walkthrough.title, 'Get started with Paved');
    assert.deepEqual(
      walkthrough.steps.map((s) => s.title),
      ['Open the catalog', "See a manifest's findings and fix one", 'Create a service from a golden path', 'Deploy it to local and open it', "Connect to your organisation's platform"],
    );
  });

  it('checks each step off on a real event: a context key Paved sets when the event happens (each step its own key)', () => {
    const byStep = new Map<string, string>(Object.values(WalkthroughSteps).map((s) => [s.step, s.key]));
    assert.deepEqual(walkthrough!.steps.map((s) => s.id).sort(), [...byStep.keys()].sort());
    for (const step of walkthrough!.steps) {
      const keys = step.completionEvents.flatMap((e) => /^onContext:([\w.]+)$/.exec(e)?.[1] ?? []);
      assert.deepEqual(keys, [byStep.get(step.id)], `${step.id}: ${step.completionEvents.join(', ')}`);
    }
    // The catalog also completes on VS Code's own event for a view shown.
    assert.deepEqual(walkthrough!.steps[0].completionEvents, [`onView:${Views.catalog}`, `onContext:${WalkthroughSteps.catalogOpened.key}`]);
  });

  it('links only commands that exist: Paved’s own, a view’s focus command, or the workbench’s', () => {
    const paved = new Set<string>(Object.values(Commands));
    const views = Object.values(contributes.views).flatMap((v) => v.map((x) => x.id));
    const workbench = new Set(['workbench.action.openSettings', 'workbench.actions.view.problems']);
    for (const step of walkthrough!.steps) {
      const links = [...step.description.matchAll(/\(command:([\w.]+)/g)].map((m) => m[1]);
      assert.ok(links.length > 0, `${step.id} offers an action`);
      for (const c of links) assert.ok(paved.has(c) || views.some((v) => c === `${v}.focus`) || workbench.has(c), `${step.id}: ${c}`);
    }
  });

  it('shows media from media/walkthrough that exists, with alt text, within its size budget', () => {
    let total = 0;
    for (const step of walkthrough!.steps) {
      const file = step.media.image ?? step.media.markdown ?? '';
      assert.ok(file.startsWith('media/walkthrough/'), `${step.id}: ${file}`);
      assert.ok(fs.existsSync(path.join(ROOT, file)), `${file} exists (npm run screenshots makes the images)`);
      if (step.media.image) assert.ok(step.media.altText, `${step.id} has alt text`);
      total += fs.statSync(path.join(ROOT, file)).size;
    }
    assert.ok(total <= WALKTHROUGH_MEDIA_BUDGET, `walkthrough media weigh ${total} bytes (budget ${WALKTHROUGH_MEDIA_BUDGET})`);
  });

  it('hides the command a quick fix runs after its edit from the Command Palette', () => {
    assert.deepEqual(contributes.menus.commandPalette.find((m) => m.command === Commands.quickFixApplied), { command: Commands.quickFixApplied, when: 'false' });
  });
});

describe('welcome content of the Paved views', () => {
  it('every Paved view says why it is empty: untrusted, no platform configured, and connected with nothing to show', () => {
    for (const view of Object.values(contributes.views).flatMap((v) => v.map((x) => x.id))) {
      const whens = contributes.viewsWelcome.filter((w) => w.view === view).map((w) => w.when ?? '');
      for (const state of ['untrusted', 'not-configured', 'connected']) {
        assert.ok(whens.some((w) => w.includes(`paved.platform.state == ${state}`)), `${view} has welcome content for ${state}`);
      }
    }
  });
});

describe('what the VSIX ships of media/', () => {
  it('ships the walkthrough media and the icons, not the README’s screenshots', async function () {
    this.timeout(60_000); // vsce walks the whole checkout
    const files = (await listFiles({ cwd: ROOT, packageManager: PackageManager.None })).map((f) => f.split(path.sep).join('/'));
    const media = files.filter((f) => f.startsWith('media/'));
    for (const step of contributes.walkthroughs[0].steps) assert.ok(media.includes((step.media.image ?? step.media.markdown)!), `${step.id} media shipped`);
    assert.ok(media.includes('media/icon.png'));
    assert.deepEqual(media.filter((f) => f.startsWith('media/screenshots/')), []);
  });
});
