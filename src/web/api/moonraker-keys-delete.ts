// DELETE <prefix>api/moonraker/keys/:name: the named key stops working at once. Server admins only.
import { defineRoute } from '../../faces/grafana/route.js';

export default defineRoute({
  method: 'DELETE',
  url: '/moonraker/keys/:name',
  access: { server: true, action: 'moonraker.apikey:write' },
  async handle({ core, identity, params, ip }) {
    await core.moonrakerKeys.delete({ name: params.name ?? '', actor: identity, ip });
    return { message: 'Key deleted' };
  },
});
