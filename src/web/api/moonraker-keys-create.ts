// POST <prefix>api/moonraker/keys {name, scope, expiresIn?}: a named Moonraker key; the
// key is in this answer only (core.moonrakerKeys.create). Server admins only.
import { z } from 'zod';
import { defineRoute } from '../../faces/grafana/route.js';

export default defineRoute({
  method: 'POST',
  url: '/moonraker/keys',
  access: { server: true, action: 'moonraker.apikey:write' },
  body: z.object({ name: z.string(), scope: z.string(), expiresIn: z.number().int().optional() }),
  async handle({ core, identity, body, ip }) {
    const k = await core.moonrakerKeys.create({ name: body.name, scope: body.scope, expiresIn: body.expiresIn, actor: identity, ip });
    return { name: k.name, key: k.key, scope: k.scope };
  },
});
