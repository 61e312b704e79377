/**
 * A service's state in each environment, from its slot (what serves there) and its deployments (what is on its way).
 */
import type { Environment, EnvironmentState, ServiceEnvironmentStatus } from '../../core/api/types';
import { isTerminal } from '../../core/deploy';
import type { DeploymentRecord } from './history';
import type { Slot } from './slots';

export function environmentStatus(env: Environment, slot: Slot | undefined, history: readonly DeploymentRecord[]): ServiceEnvironmentStatus {
  const active = history.find((d) => d.environment === env.name && !isTerminal(d.state));
  const last = history.find((d) => d.environment === env.name);
  let state: EnvironmentState = 'not-deployed';
  if (active) state = 'deploying';
  else if (slot?.state === 'running') state = 'running';
  else if (slot) state = slot.state === 'failed' ? 'failed' : 'stopped';
  else if (last && (last.state === 'failed' || last.state === 'rolled-back')) state = 'failed';
  const st: ServiceEnvironmentStatus = { environment: env.name, state };
  if (slot) {
    st.release = slot.release;
    st.since = slot.since;
    st.deploymentId = slot.deploymentId;
    if (slot.state === 'running') {
      st.port = slot.port;
      st.url = `http://127.0.0.1:${slot.port}`;
    }
  }
  if (active) st.deploymentId = active.id;
  return st;
}
