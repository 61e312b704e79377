/**
 * `ServiceOperations` for a backend without them (`capabilities.operations` false, e.g. Backstage): every call fails at
 * once with `unsupported`, saying where to look instead — never a fake result.
 */
import type { ServiceOperations } from './backend';
import { unsupportedError } from './errors';

export function unsupportedOperations(platform: string): ServiceOperations {
  const hint = 'Live logs, health, SLO status, restart and stop need a Paved platform; the service\'s dashboard and runbook links are in its details.';
  const fail = (what: string) => unsupportedError(platform, what, hint);
  return {
    status: () => Promise.reject(fail('report the health and SLOs of running services')),
    health: () => Promise.reject(fail('report the health of running services')),
    healthOverview: () => Promise.reject(fail('report the health of running services')),
    logs: () => Promise.reject(fail('show the logs of running services')),
    followLogs: () => {
      throw fail('follow the logs of running services');
    },
    events: () => Promise.reject(fail('report what happened to running services')),
    restart: () => Promise.reject(fail('restart services')),
    stop: () => Promise.reject(fail('stop services')),
  };
}
