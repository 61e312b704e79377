/**
 * Paved: Platform Insights in the real VS Code against the local platform: the dashboard opens, the webview draws and
 * posts back the numbers it shows, they are the platform's, a refresh shows new feedback, and switching team reloads.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { InsightsRenderEvent } from '../../../src/extension/insights/dashboard';
import { api, nextEvent } from './selfServiceHelpers';

describe('Platform Insights dashboard (webview) against the local platform', function () {
  this.timeout(180_000);

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
});
