// GET /api/serviceaccounts/search[?query=&perpage=&page=&disabled=]: the current org's service accounts. Org Admin.
import { serviceAccountDto } from '../dto.js';
import { defineRoute, queryBool, queryInt } from '../route.js';

export default defineRoute({
  method: 'GET',
  url: '/api/serviceaccounts/search',
  access: { org: 'Admin', action: 'serviceaccounts:read' },
  async handle({ core, identity, query }) {
    const perPage = queryInt(query.perpage) > 0 ? queryInt(query.perpage) : 1000;
    const page = Math.max(1, queryInt(query.page));
    let all = core.serviceAccounts.list(identity.orgId, query.query ?? '');
    if (queryBool(query.disabled)) all = all.filter((sa) => sa.user.isDisabled);
    if (queryBool(query.expiredTokens)) all = all.filter((sa) => core.keys.tokensOf(sa.user.id).some((k) => k.expiresAt !== null && k.expiresAt <= Date.now()));
    return {
      totalCount: all.length,
      serviceAccounts: all.slice((page - 1) * perPage, page * perPage).map((sa) => serviceAccountDto(core, sa)),
      page,
      perPage,
    };
  },
});
