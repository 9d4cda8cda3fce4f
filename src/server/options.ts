// Maps the configuration file's sections (Moonraker's and Grafana's option
// names) onto the options the composition root takes.
import type { Config } from '../config/index.js';
import type { GatehouseOptions } from './gatehouse.js';

export function optionsFromConfig(c: Config): GatehouseOptions {
  return {
    host: c.gatehouse.host,
    port: c.gatehouse.port,
    dataDir: c.gatehouse.data_dir,
    store: c.gatehouse.store as GatehouseOptions['store'],
    postgresUrl: c.gatehouse.postgres_url,
    maxBodyBytes: c.gatehouse.max_body_bytes,
    maxHeaderBytes: c.limits.max_header_bytes,
    logLevel: c.gatehouse.log_level,
    moonraker: { enabled: c.gatehouse.moonraker_enabled, corsDomains: c.authorization.cors_domains },
    core: {
      forceLogins: c.authorization.force_logins,
      defaultSource: c.authorization.default_source,
      enableApiKey: c.authorization.enable_api_key,
      loginTimeoutDays: c.authorization.login_timeout,
      maxLoginAttempts: c.authorization.max_login_attempts ?? null,
      trustedClients: c.authorization.trusted_clients,
      refreshTokenRotation: c.authorization.refresh_token_rotation,
      oneshotRatePerMinute: c.authorization.oneshot_rate_per_minute,
      auditJsonLines: c.audit.json_lines_file,
      issuer: c.gatehouse.issuer,
    },
  };
}
