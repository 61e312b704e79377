/** What the provisioner asks of a driver (postgres, volume, exec): make a resource exist, tell its outputs, delete it. */
import type { Claim } from '../../../core/resources';
import type { DefinedType } from '../registry';
import type { ResourceRecord } from '../state';

export interface ProvisionContext {
  /** The record being provisioned: fresh (state provisioning) or the existing one. */
  record: ResourceRecord;
  type: DefinedType;
  claim: Claim;
  service: string;
  environment: string;
  /** A line for the deployment's log (never a secret). */
  log(line: string, stream?: 'stdout' | 'stderr'): void;
  signal: AbortSignal;
}

export interface ResourceDriver {
  /**
   * `always`: `provision` runs at every deployment (it is cheap and makes sure the resource serves: postgres, volume);
   * `when-changed`: only when the resource is missing, failed, or its class or params changed (exec).
   */
  readonly ensure: 'always' | 'when-changed';
  /** Makes the resource exist and serve; resolves with every output, the secret ones included. */
  provision(ctx: ProvisionContext): Promise<Record<string, string>>;
  /** Secret outputs the driver derives (never stored), for a ready record; undefined when they are stored sealed. */
  derivedSecrets?(record: ResourceRecord): Record<string, string>;
  /** Deletes the resource and its data. */
  release(record: ResourceRecord, type: DefinedType, log: (line: string) => void): Promise<void>;
  /** Stops what serves it (the platform is stopping); the data stays. */
  stop?(record: ResourceRecord): Promise<void>;
  /** At load: keeps a process an earlier (killed) instance left serving, else forgets it. */
  adopt?(record: ResourceRecord): Promise<void>;
}
