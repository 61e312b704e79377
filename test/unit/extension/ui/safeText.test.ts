import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { escapeMarkdown, safeUrl, templateTooltip } from '../../../../src/extension/ui/safeText';

const extensionDir = path.join(__dirname, '..', '..', '..', '..', 'src', 'extension');

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : [];
  });
}

describe('extension: platform-supplied text and links', () => {
  it('a link is opened only when it is http(s) or mailto', () => {
    assert.equal(safeUrl('https://grafana.example/d/1'), 'https://grafana.example/d/1');
    assert.equal(safeUrl('mailto:team@example.com'), 'mailto:team@example.com');
    for (const bad of ['command:workbench.action.terminal.new', 'file:///etc/passwd', 'javascript:alert(1)', 'vscode://ms-vscode.remote/x', 'data:text/html,<b>', 'not a url', '']) {
      assert.equal(safeUrl(bad), undefined, bad);
    }
  });

  it('every external link the extension opens goes through the URL check (Open Service, scaffolder output links, details)', () => {
    const offenders = sources(extensionDir)
      .filter((f) => !f.endsWith(path.join('ui', 'links.ts')))
      .filter((f) => /env\.openExternal\s*\(/.test(fs.readFileSync(f, 'utf8')))
      .map((f) => path.relative(extensionDir, f));
    assert.deepEqual(offenders, []);
  });

  it('a template title, version, owner and description render as text in the Golden Paths tooltip', () => {
    const md = templateTooltip({
      title: 'Evil [click](command:workbench.action.terminal.new) <img src=x>',
      version: '1.0.0',
      description: '**bold** _it_',
      owner: 'team`x`',
    });
    assert.ok(!md.includes('[click]('), md);
    assert.ok(md.includes('\\[click\\]\\(command:workbench\\.action\\.terminal\\.new\\)'), md);
    assert.ok(md.includes('\\<img src=x\\>'), md);
    assert.ok(md.includes('\\*\\*bold\\*\\* \\_it\\_'), md);
    assert.ok(md.includes('Owner: team\\`x\\`'), md);
    assert.ok(md.startsWith('**Evil '), 'the title itself is still shown bold');
  });

  it('escapeMarkdown escapes every markup character', () => {
    assert.equal(escapeMarkdown('a*b_c[d](e)<f>&g'), 'a\\*b\\_c\\[d\\]\\(e\\)\\<f\\>\\&g');
  });
});
