/**
 * Paved: Platform Insights in the real VS Code against the local platform: the dashboard opens, the webview draws and
 * posts back the numbers it shows, they are the platform's, a refresh shows new feedback; and what a user does in it,
 * done in the webview itself (its controls clicked and chosen, their own listeners posting the messages): a number
 * opens the services behind it, the team picker switches the numbers, the catalog's My teams is the default view, and
 * the feedback inbox's state is set on the platform.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InsightsQuery } from '../../../src/core/insights';
import type { DetailsRenderEvent } from '../../../src/extension/details/detailsPanel';
import type { InsightsRenderEvent } from '../../../src/extension/insights/dashboard';
import type { PavedApi } from '../../../src/extension/main';
import type { PlatformBackend } from '../../../src/platform/backend';
import { api, nextEvent, ScriptedInputs } from './selfServiceHelpers';

/** The fixture workspace's team with two of its five services (payments-api on a golden path, ledger on none). */
const TEAM = 'team-payments';

const rendering = (p: PavedApi, match: (e: InsightsRenderEvent) => boolean, what: string) => nextEvent<InsightsRenderEvent>(p.insights.onDidRender, match, 120_000, what);

/** What the platform says for a view: the numbers the dashboard must show for it. */
async function platformNumbers(backend: PlatformBackend, team?: string): Promise<Record<string, number>> {
  const query: InsightsQuery = team ? { team } : {};
  const [delivery, compliance, feedback, adoption] = await Promise.all([backend.insights('delivery', query), backend.insights('compliance', query), backend.insights('feedback', query), backend.insights('adoption', query)]);
  return {
    deployments: delivery.total.deployments,
    compliant: compliance.compliant,
    onGoldenPath: adoption.goldenPaths.onGoldenPath,
    services: adoption.goldenPaths.total,
    offPavedRoad: adoption.goldenPaths.offPavedRoad.count,
    feedback: feedback.total,
  };
}

function shown(e: InsightsRenderEvent): Record<string, number | undefined> {
  const { deployments, compliant, onGoldenPath, services, offPavedRoad, feedback } = e.numbers;
  return { deployments, compliant, onGoldenPath, services, offPavedRoad, feedback };
}

/** Opens the dashboard afresh (as the command does for a user) and resolves with its first rendering. */
async function reopen(p: PavedApi): Promise<InsightsRenderEvent> {
  p.insights.testHooks.close();
  const first = rendering(p, () => true, 'the dashboard’s first rendering');
  await vscode.commands.executeCommand('paved.insights.open');
  return first;
}

describe('Platform Insights dashboard (webview) against the local platform', function () {
  this.timeout(180_000);
  let myTeamsBefore: string[] = [];

  before(async () => {
    myTeamsBefore = [...(await api()).catalog.model.myTeams];
  });

  afterEach(async () => {
    const p = await api();
    p.insights.testHooks.setQuickInputs(undefined);
    await vscode.commands.executeCommand('paved.catalog.pickMyTeams', myTeamsBefore);
  });

  it('opens, shows the platform’s numbers, and shows new feedback after a refresh', async () => {
    const p = await api();
    const rendered = nextEvent<InsightsRenderEvent>(p.insights.onDidRender, () => true, 120_000, 'the dashboard’s first rendering');
    await vscode.commands.executeCommand('paved.insights.open');
    const first = await rendered;
    const backend = await p.platform.current();
    assert.equal(backend.capabilities.insights, true);
    const query = first.team ? { team: first.team } : {};
    const [delivery, compliance, feedback, adoption] = await Promise.all([backend.insights('delivery', query), backend.insights('compliance', query), backend.insights('feedback', query), backend.insights('adoption', query)]);
    assert.equal(first.numbers.deployments, delivery.total.deployments);
    assert.equal(first.numbers.compliant, compliance.compliant);
    assert.equal(first.numbers.onGoldenPath, adoption.goldenPaths.onGoldenPath);
    assert.equal(first.numbers.feedback, feedback.total);

    const feedbackBefore = (await backend.insights('feedback')).total;
    await backend.sendFeedback({ message: 'insights dashboard test', category: 'idea' });
    const again = nextEvent<InsightsRenderEvent>(p.insights.onDidRender, (e) => e.numbers.feedback === feedbackBefore + 1, 60_000, 'a rendering with the new feedback');
    // Feedback about the platform (no service) belongs to no team: it shows in the all-teams view.
    p.insights.open('');
    const after = await again;
    assert.equal(after.numbers.feedback, (await backend.insights('feedback')).total);
  });

  it('opens on the first of the catalog’s My teams, with that team’s numbers', async () => {
    const p = await api();
    const backend = await p.platform.current();
    await vscode.commands.executeCommand('paved.catalog.pickMyTeams', [TEAM]);
    const first = await reopen(p);
    assert.equal(first.team, TEAM, 'the team picker shows the team');
    const team = await platformNumbers(backend, TEAM);
    assert.deepEqual(shown(first), team);
    assert.notEqual(team.services, (await platformNumbers(backend)).services, 'the team’s view is not the whole platform’s');

    // Without My teams it opens on all teams.
    await vscode.commands.executeCommand('paved.catalog.pickMyTeams', []);
    const all = await reopen(p);
    assert.equal(all.team, undefined);
    assert.deepEqual(shown(all), await platformNumbers(backend));
  });

  it('switches to a team’s numbers and back with the team picker', async () => {
    const p = await api();
    const backend = await p.platform.current();
    await vscode.commands.executeCommand('paved.catalog.pickMyTeams', []);
    const all = await reopen(p);
    assert.equal(all.team, undefined);

    const teamView = rendering(p, (e) => e.team === TEAM, `the ${TEAM} view`);
    await p.insights.testHooks.act('team', TEAM);
    const team = await teamView;
    assert.deepEqual(shown(team), await platformNumbers(backend, TEAM));
    assert.notDeepEqual(shown(team), shown(all));

    const allAgain = rendering(p, (e) => e.team === undefined, 'the all-teams view');
    await p.insights.testHooks.act('team', '');
    assert.deepEqual(shown(await allAgain), await platformNumbers(backend));
    await assert.rejects(p.insights.testHooks.act('team', 'no-such-team'), /offers no "no-such-team"/);
  });

  it('opens the services behind a number: a pick of several, the details of one at once', async () => {
    const p = await api();
    const backend = await p.platform.current();
    await vscode.commands.executeCommand('paved.catalog.pickMyTeams', []);
    const view = await reopen(p);
    const off = (await backend.insights('adoption')).goldenPaths.offPavedRoad.services;
    assert.ok(off.length > 1 && off.includes('ledger'), `the fixture has several services on no golden path: ${off.join(', ')}`);
    assert.deepEqual(view.links.offPavedRoad, off);

    const inputs = new ScriptedInputs(p.selfService.testHooks, { 'insights.services': { pick: 'ledger' } });
    p.insights.testHooks.setQuickInputs(inputs);
    const ledger = nextEvent<DetailsRenderEvent>(p.details.onDidRender, (e) => e.ref === 'ledger', 60_000, 'the details of ledger');
    await p.insights.testHooks.act('offPavedRoad');
    assert.equal((await ledger).outcome, 'loaded');
    assert.deepEqual(
      inputs.asked.map((a) => [a.id, a.shown]),
      [['insights.services', off]],
    );
    assert.deepEqual(inputs.unused(), []);

    // A number that stands for one service opens its details without asking: a team with one service on no golden path.
    let single: string | undefined;
    for (const t of (await backend.listTeams({ limit: 500 })).items) {
      if ((await backend.insights('adoption', { team: t.name })).goldenPaths.offPavedRoad.count === 1) single ??= t.name;
    }
    assert.ok(single, 'the fixture has a team with one service on no golden path');
    const teamView = rendering(p, (e) => e.team === single, `the ${single} view`);
    await p.insights.testHooks.act('team', single);
    const teamOff = (await teamView).links.offPavedRoad ?? [];
    assert.deepEqual(teamOff, (await backend.insights('adoption', { team: single })).goldenPaths.offPavedRoad.services);
    assert.equal(teamOff.length, 1);
    const one = nextEvent<DetailsRenderEvent>(p.details.onDidRender, (e) => e.ref === teamOff[0], 60_000, `the details of ${teamOff[0]}`);
    await p.insights.testHooks.act('offPavedRoad');
    assert.equal((await one).outcome, 'loaded');
    assert.equal(inputs.asked.length, 1, 'no pick for one service');
    assert.ok(p.details.openRefs.includes(teamOff[0]));
  });

  it('sets a feedback item’s state on the platform from the inbox, and the table shows it', async () => {
    const p = await api();
    const backend = await p.platform.current();
    await vscode.commands.executeCommand('paved.catalog.pickMyTeams', []);
    await reopen(p);
    const sent = await backend.sendFeedback({ message: 'the staging deploy waits too long', category: 'bug', service: 'payments-api' });
    const listed = rendering(p, (e) => sent.id in e.feedback, 'a rendering with the new feedback');
    await p.insights.testHooks.act('refresh');
    assert.equal((await listed).feedback[sent.id], 'new');
    const stateOnPlatform = async () => (await backend.insights('feedback', { limit: 200 })).items.items.find((f) => f.id === sent.id)?.state;
    assert.equal(await stateOnPlatform(), 'new');

    for (const state of ['acknowledged', 'done'] as const) {
      const shownAs = rendering(p, (e) => e.feedback[sent.id] === state, `the feedback shown ${state}`);
      await p.insights.testHooks.act(`feedbackState:${sent.id}`, state);
      const view = await shownAs;
      assert.equal(await stateOnPlatform(), state);
      const { byState } = await backend.insights('feedback');
      assert.deepEqual([view.numbers.feedbackNew, view.numbers.feedbackAcknowledged, view.numbers.feedbackDone], [byState.new, byState.acknowledged, byState.done]);
    }
    // The number that stands for the feedback's service opens it.
    const details = nextEvent<DetailsRenderEvent>(p.details.onDidRender, (e) => e.ref === 'payments-api', 60_000, 'the details of payments-api');
    await p.insights.testHooks.act(`feedbackService:${sent.id}`);
    assert.equal((await details).outcome, 'loaded');
  });
});
