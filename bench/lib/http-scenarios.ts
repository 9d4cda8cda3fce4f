// The authenticated requests of scenarios 1 and 2, for the diagnostics that
// compare revisions (ab.ts, instructions.ts): each against a server started by
// servers/gatehouse.ts with { trustedClients: ['127.0.0.0/8'], grafana: true }.
export type GatehouseInfo = {
  port: number; jwt: string; apiKey: string; namedKey: string; user: string; password: string; loginUsers: string[];
  grafana?: { apiKey: string; saToken: string }; grafanaError?: string;
};

export const GATEHOUSE_SPEC = { trustedClients: ['127.0.0.0/8'], grafana: true };

const basic = (u: string, p: string) => 'Basic ' + Buffer.from(`${u}:${p}`).toString('base64');

/** id, path, and the request headers (undefined when the server has no Grafana credentials). */
export const HTTP_SCENARIOS: [string, string, (i: GatehouseInfo) => Record<string, string> | undefined][] = [
  ['1a', '/access/user', (i) => ({ authorization: `Bearer ${i.jwt}` })],
  ['1b', '/access/user', (i) => ({ 'x-api-key': i.apiKey })],
  ['1c', '/access/user', () => ({})],
  ['1d', '/access/user', (i) => ({ 'x-api-key': i.namedKey })],
  ['2a', '/api/org', (i) => i.grafana && { authorization: `Bearer ${i.grafana.apiKey}` }],
  ['2b', '/api/org', (i) => i.grafana && { authorization: `Bearer ${i.grafana.saToken}` }],
  ['2c', '/api/org', (i) => i.grafana && { authorization: basic('api_key', i.grafana.apiKey) }],
  ['2d', '/api/org', (i) => i.grafana && { authorization: basic(i.user, i.password) }],
];
