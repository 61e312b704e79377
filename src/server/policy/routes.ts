/** `GET /v1/policies`: the policy set editors and `paved lint` check manifests against. */
import type { Routes } from '../routing';
import { policySet } from './policies';

export function policyRoutes(policiesFile: string): Routes {
  return {
    getPolicies: () => ({ status: 200, body: policySet(policiesFile) }),
  };
}
