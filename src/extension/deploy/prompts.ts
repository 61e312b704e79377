import type { Environment } from '../../core/api/types';
import type { CatalogService } from '../../platform/backend';
import type { ApprovalRequest, ReleaseChoice, SelfServicePrompts } from '../../platform/selfService';
import type { BackendSource } from '../platform/connection';
import { notBack, type PickItem, type QuickInputs } from '../ui/quickInputs';

/** The self-service flows' questions as QuickPicks and a modal confirmation; Escape cancels the command. */
export class EditorDeployPrompts implements SelfServicePrompts {
  constructor(
    private readonly inputs: QuickInputs,
    private readonly source: BackendSource,
  ) {}

  async pickService(services: Promise<CatalogService[]>, question: string): Promise<string> {
    const items = services.then((list) =>
      list.map((s): PickItem<string> => ({ label: s.name, description: [s.owner, s.system, s.deploysThrough && `via ${s.deploysThrough}`].filter(Boolean).join(' · '), detail: s.description, value: s.ref })),
    );
    return notBack(await this.inputs.quickPick({ title: 'Paved', canGoBack: false, id: 'service', placeholder: question, items }));
  }

  async pickEnvironment(environments: Environment[], question: string): Promise<string> {
    const items = environments.map((e): PickItem<string> => ({ label: e.name, description: e.approvalHonoured ? 'approval honoured' : undefined, value: e.name }));
    return notBack(await this.inputs.quickPick({ title: 'Paved', canGoBack: false, id: 'environment', placeholder: question, items }));
  }

  async pickRelease(releases: Promise<ReleaseChoice[]>, question: { title: string; purpose: 'deploy' | 'rollback' }): Promise<string | undefined> {
    const deploying = question.purpose === 'deploy';
    const first: PickItem<string | undefined> = deploying
      ? { label: '$(package) New release', description: 'snapshot and build the current source', value: undefined }
      : { label: '$(history) Previous release', description: 'the release that served before the current one', value: undefined };
    const items = releases.then((list) => [first, ...list.map((r): PickItem<string | undefined> => ({ label: r.release, description: deploying ? `${r.environment} · ${r.at}` : r.at, value: r.release }))]);
    return notBack(await this.inputs.quickPick<string | undefined>({ title: question.title, canGoBack: false, id: 'release', placeholder: deploying ? 'Which release?' : 'Roll back to which release?', items }));
  }

  async confirmApproval(r: ApprovalRequest): Promise<boolean> {
    const who = r.reason === 'manifest' ? 'The manifest' : 'The platform';
    if (r.action === 'restart' || r.action === 'stop') {
      const verb = r.action === 'restart' ? 'Restart' : 'Stop';
      const choice = await this.inputs.confirm(`${verb} ${r.service} in ${r.environment}?`, `${who} requires approval for ${r.environment}.`, [`Approve and ${verb}`]);
      return choice === `Approve and ${verb}`;
    }
    const what = r.release ? `Release: ${r.release}.` : r.promotedFrom ? `Release: the release running in ${r.promotedFrom}.` : 'A new release is built from the source.';
    const choice = await this.inputs.confirm(`Deploy ${r.service} to ${r.environment}?`, `${who} requires approval for ${r.environment}. ${what}`, ['Approve and Deploy']);
    return choice === 'Approve and Deploy';
  }

  async ensureToken(url: string, why: string): Promise<void> {
    await this.source.ensureToken?.(url, why);
  }
}
