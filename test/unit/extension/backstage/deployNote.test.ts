import * as assert from 'node:assert/strict';
import { deployNoteFor } from '../../../../src/extension/backstage/deployNote';
import { BACKSTAGE_CAPABILITIES, PAVED_CAPABILITIES } from '../../../../src/platform/capabilities';

const backstage = { displayName: 'Backstage (https://bs.example.com)', capabilities: BACKSTAGE_CAPABILITIES };
const entity = (annotations: Record<string, string> = {}) => ({ manifest: { apiVersion: 'backstage.io/v1alpha1', kind: 'Component', metadata: { name: 'svc', annotations }, spec: {} } });

describe('why the details offer no Deploy', () => {
  it('says nothing when the backend deploys', () => {
    assert.equal(deployNoteFor({ displayName: 'Paved', capabilities: PAVED_CAPABILITIES }, entity()), undefined);
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
    assert.equal(deployNoteFor({ displayName: 'Paved platform (https://p)', capabilities: { ...PAVED_CAPABILITIES, deploy: false } }, entity()), 'Paved platform (https://p) does not deploy services through Paved.');
  });
});
