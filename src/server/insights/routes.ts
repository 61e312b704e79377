/** `GET /v1/insights/...` and the feedback inbox's state changes. */
import { pageSorted } from '../../core/catalog';
import { pageLimit, type ApiRequest, type Routes } from '../routing';
import type { PlatformInsights } from './insights';

const win = (req: ApiRequest) => ({ since: req.query.since as string | undefined, until: req.query.until as string | undefined, team: req.query.team as string | undefined });

export function insightsRoutes(insights: PlatformInsights): Routes {
  return {
    getAdoptionInsights: (req) => ({ status: 200, body: insights.adoption(win(req)) }),
    getOnboardingInsights: (req) => ({ status: 200, body: insights.onboarding({ ...win(req), limit: pageLimit(req), cursor: req.query.cursor }) }),
    getDeliveryInsights: (req) => ({ status: 200, body: insights.delivery({ ...win(req), environment: req.query.environment }) }),
    listDeliveryServices: (req) => {
      const list = insights.deliveryServices({ ...win(req), environment: req.query.environment });
      // Most deployments first; the key keeps that order and is unique per service.
      const keyed = list.map((s, i) => ({ s, key: String(i).padStart(12, '0') }));
      return { status: 200, body: pageSorted(keyed, (x) => x.key, { limit: pageLimit(req), cursor: req.query.cursor, map: (x) => x.s }) };
    },
    getComplianceInsights: (req) => ({ status: 200, body: insights.compliance(win(req)) }),
    getFeedbackInsights: (req) =>
      ({ status: 200, body: insights.feedback({ ...win(req), state: req.query.state, category: req.query.category, service: req.query.service, limit: pageLimit(req), cursor: req.query.cursor }) }),
    setFeedbackState: (req) => ({ status: 200, body: insights.setFeedbackState(req.path.id, req.body.state, req.body.by) }),
  };
}
