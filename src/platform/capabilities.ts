/**
 * What each kind of backend can do (`BackendCapabilities`, documented in backend.ts), in one table: the backends
 * announce these, and callers that must decide before connecting (no request sent yet) read `capabilitiesOf(kind)`.
 */
import type { BackendCapabilities, PlatformKind } from './backend';

/** The Paved Platform API (remote or the embedded local platform). */
export const PAVED_CAPABILITIES: Readonly<BackendCapabilities> = Object.freeze({
  deploy: true,
  deployDelegation: false,
  scaffoldWritesFiles: true,
  feedback: true,
  validateEntity: false,
  teamsAsOwners: true,
  templateDryRun: false,
  register: true,
  metrics: true,
  policies: true,
  catalogNames: true,
  operations: true,
  resources: true,
  templateVersions: true,
  insights: true,
});

/** Backstage: catalog and scaffolder; deploys only through the Paved platform an entity names. */
export const BACKSTAGE_CAPABILITIES: Readonly<BackendCapabilities> = Object.freeze({
  deploy: false,
  deployDelegation: true,
  scaffoldWritesFiles: false,
  feedback: false,
  validateEntity: true,
  teamsAsOwners: false,
  templateDryRun: true,
  register: false,
  metrics: false,
  policies: false,
  catalogNames: true,
  operations: false,
  resources: false,
  templateVersions: false,
  insights: false,
});

const BY_KIND: Readonly<Record<PlatformKind, Readonly<BackendCapabilities>>> = { local: PAVED_CAPABILITIES, paved: PAVED_CAPABILITIES, backstage: BACKSTAGE_CAPABILITIES };

/** What a backend of this kind can do, known before connecting to it. */
export function capabilitiesOf(kind: PlatformKind): Readonly<BackendCapabilities> {
  return BY_KIND[kind];
}
