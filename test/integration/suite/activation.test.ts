import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { activatePaved, declaredCommands, declaredViews, pavedExtension, reportMetric } from './helpers';

describe('Paved in the extension host', () => {
  it('activates and reports its activation time', async () => {
    const api = await activatePaved();
    assert.equal(pavedExtension().isActive, true);
    assert.equal(typeof api.activationTimeMs, 'number');
    assert.ok(api.activationTimeMs > 0 && api.activationTimeMs < 60_000, `activation took ${api.activationTimeMs} ms`);
    reportMetric('activate() wall time', Math.round(api.activationTimeMs * 10) / 10, 'ms');
    // The extension host's thread's own CPU time in activate(): what the wall time is less the time other processes
    // (on this machine, code-server and the browser starting beside it) had the cores.
    if (typeof (process as { threadCpuUsage?: unknown }).threadCpuUsage === 'function') {
      assert.equal(typeof api.activationCpuMs, 'number');
      assert.ok(api.activationCpuMs! > 0 && api.activationCpuMs! <= api.activationTimeMs + 1, `CPU ${api.activationCpuMs} ms in ${api.activationTimeMs} ms of wall time`);
      reportMetric('activate() CPU time of the extension host thread', Math.round(api.activationCpuMs! * 10) / 10, 'ms');
    } else {
      assert.equal(api.activationCpuMs, undefined);
    }
  });

  it('registers every command it declares, and declares every paved.* command it registers', async () => {
    await activatePaved();
    // The workbench adds focus/open/... commands for every contributed view: those are not Paved's own.
    const viewCommand = new RegExp(`^(${declaredViews().join('|').replace(/\./g, '\\.')})\\.(open|focus|resetViewLocation|toggleVisibility|removeView)$`);
    const registered = new Set((await vscode.commands.getCommands(true)).filter((c) => c.startsWith('paved.') && !viewCommand.test(c)));
    const declared = new Set(declaredCommands());
    assert.ok(declared.size > 0);
    assert.deepEqual([...declared].filter((c) => !registered.has(c)), [], 'declared but not registered');
    assert.deepEqual([...registered].filter((c) => !declared.has(c)), [], 'registered but not declared');
  });

  it('contributes the Catalog view in the Paved container', async () => {
    const pkg = pavedExtension().packageJSON as { contributes: { views: Record<string, { id: string; name: string }[]> } };
    assert.deepEqual(pkg.contributes.views.paved?.find((v) => v.id === 'paved.catalog')?.name, 'Catalog');
    // Focusing the view only succeeds when the workbench knows it.
    await vscode.commands.executeCommand('paved.catalog.focus');
  });

  it('runs the refresh command through the command wrapper without error', async () => {
    await activatePaved();
    await vscode.commands.executeCommand('paved.catalog.refresh');
  });
});
