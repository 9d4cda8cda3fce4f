// A session's User-Agent as Grafana's dtos.UserToken reports it (uap-go there;
// ua-parser-js here): names, and versions as "major.minor" ("" when unknown).
import UAParser from 'ua-parser-js';
import type { AccountSession } from '../../core/actions/user-sessions.js';
import { rfc3339 } from './dto.js';

const majorMinor = (v: string | undefined) => (v ? v.split('.').slice(0, 2).join('.') : '');

/** GET /api/user/auth-tokens element. */
export function userToken(s: AccountSession) {
  const r = new UAParser(s.userAgent).getResult();
  return {
    id: s.id,
    isActive: s.isActive,
    clientIp: s.ip,
    device: r.device.model ?? r.device.vendor ?? 'Other',
    os: r.os.name ?? 'Other',
    osVersion: majorMinor(r.os.version),
    browser: r.browser.name ?? 'Other',
    browserVersion: majorMinor(r.browser.version),
    createdAt: rfc3339(s.createdAt),
    seenAt: rfc3339(s.seenAt || s.createdAt),
  };
}
