// GET <prefix>api/profile/sessions: the signed-in account's live logins on both faces
// (browser sessions and Moonraker logins): where from, which client, created, last seen;
// `current` marks this browser session.
import UAParser from 'ua-parser-js';
import { defineRoute, requireUser } from '../../faces/grafana/route.js';

function client(userAgent: string): string {
  const r = new UAParser(userAgent).getResult();
  const named = [r.browser.name, r.os.name && `on ${r.os.name}`].filter(Boolean).join(' ');
  return named || userAgent || 'unknown';
}

export default defineRoute({
  method: 'GET',
  url: '/profile/sessions',
  async handle({ core, identity }) {
    const sessions = await core.webSessions.listForUser(requireUser(identity), identity);
    return sessions.map((s) => ({
      id: s.id, face: s.face, current: s.isActive, ip: s.ip, client: client(s.userAgent),
      createdAt: new Date(s.createdAt).toISOString(), seenAt: new Date(s.seenAt || s.createdAt).toISOString(),
    }));
  },
});
