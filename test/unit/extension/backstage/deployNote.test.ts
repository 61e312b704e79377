import * as assert from 'node:assert/strict';
import { deployNoteFor } from '../../../../src/extension/backstage/deployNote';

const caps = (deploy: boolean) => ({ deploy, scaffoldWritesFiles: false, feedback: false, validateEntity: true, register: false, metrics: false, policies: false });
const backstage = { kind: 'backstage' as const, displayName: 'Backstage (https://bs.example.com)', capabilities: caps(false) };
const entity = (annotations: Record<string, string> = {}) => ({ manifest: { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'svc', annotations }, spec: {} } });

describe('why the details offer no Deploy', () => {
  it('says nothing when the backend deploys', () => {
    assert.equal(deployNoteFor({ kind: 'paved', displayName: 'Paved', capabilities: caps(true) }, entity()), undefined);
  });

  it('explains Backstage has no deploy API and how to annotate an entity', () => {
    assert.equal(
      deployNoteFor(backstage, entity()),
      'Backstage has no deploy API, so Paved offers no Deploy for this entity. Annotate it with "paved.dev/platform-api: https://…" to deploy it through a Paved platform.',
    );
  });

  it('names the Paved platform an annotated entity deploys through', () => {
    assert.equal(
      deployNoteFor(backstage, entity({ 'paved.dev/platform-api': 'https://paved.example.com', 'paved.dev/service': 'svc-prod' })),
      'Backstage has no deploy API. This entity deploys through the Paved platform at https://paved.example.com (service "svc-prod", annotation paved.dev/platform-api): “Paved: Deploy” sends it there, with the token stored for that platform.',
    );
  });

  it('any other platform that cannot deploy says so', () => {
    assert.equal(deployNoteFor({ kind: 'paved', displayName: 'Paved platform (https://p)', capabilities: caps(false) }, entity()), 'Paved platform (https://p) does not deploy services through Paved.');
  });
});
