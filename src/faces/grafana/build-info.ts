// The version the Grafana face reports (health, front-end settings): the Grafana
// release whose API it speaks, so clients that branch on it pick that API;
// gatehouse's own version is the "commit".
import type { Config } from '../../config/schema.js';
import pkg from '../../../package.json' with { type: 'json' };

export const GATEHOUSE_VERSION: string = pkg.version;

/** 10.4's API; 11.3's when legacy API keys are gone (POST /api/auth/keys answers 410). */
export const grafanaVersion = (config: Config) => (config.auth.legacy_api_key_create === 'gone' ? '11.3.0' : '10.4.0');
