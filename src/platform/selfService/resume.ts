/**
 * After a restart: the recorded operations that belong to the connected platform — and to the Paved platforms its
 * entries deploy through (`deployBackendAt`) — each with the backend to resume it on (`acknowledge`, then
 * `followDeployment` from the record's last seen event).
 */
import type { DeploymentRecord } from '../../core/wizard/deploy';
import type { PlatformBackend } from '../backend';

export interface Recorded {
  record: DeploymentRecord;
  backend: PlatformBackend;
}

export function recordedOn(connected: PlatformBackend, records: readonly DeploymentRecord[]): Recorded[] {
  const delegate = (r: DeploymentRecord) => (r.via !== undefined && connected.capabilities.deployDelegation ? connected.deployBackendAt?.(r.via) : undefined);
  return records.flatMap((record): Recorded[] => {
    const through = delegate(record);
    if (through && through.baseUrl === record.platform) return [{ record, backend: through }];
    return record.platform === connected.baseUrl ? [{ record, backend: connected }] : [];
  });
}
