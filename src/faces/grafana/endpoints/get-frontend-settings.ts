// GET /api/frontend/settings: the auth-relevant subset of Grafana's
// FrontendSettingsDTO (grafana-client reads it in connect()): build info, the
// auth options, the feature toggles gatehouse knows. Any signed-in caller.
import { GATEHOUSE_VERSION, grafanaVersion } from '../build-info.js';
import { defineRoute } from '../route.js';

const STARTED = Math.floor(Date.now() / 1000);

export default defineRoute({
  method: 'GET',
  url: '/api/frontend/settings',
  async handle({ core }) {
    const c = core.config;
    const version = grafanaVersion(c);
    const disableLogin = c.auth.disable_login_form || c.auth.disable_login;
    return {
      appUrl: `http://${c.gatehouse.host}:${c.gatehouse.port}/`, appSubUrl: '',
      allowOrgCreate: c.users.allow_org_create, authProxyEnabled: false, ldapEnabled: core.availableSources().includes('ldap'),
      jwtHeaderName: '', jwtUrlLogin: false, autoAssignOrg: true, verifyEmailEnabled: false,
      disableLoginForm: disableLogin, disableUserSignUp: true, loginHint: 'email or username', passwordHint: 'password',
      anonymousEnabled: false, oauth: {}, samlEnabled: false, samlName: '',
      tokenExpirationDayLimit: c.service_accounts.token_expiration_day_limit ?? 0,
      featureToggles: {},
      auth: { disableLogin, basicAuthStrongPasswordPolicy: false, disableSignoutMenu: false },
      buildInfo: {
        hideVersion: false, version, versionString: `Grafana v${version} (gatehouse ${GATEHOUSE_VERSION})`, commit: GATEHOUSE_VERSION,
        commitShort: GATEHOUSE_VERSION, buildstamp: STARTED, edition: 'Open Source', latestVersion: '', hasUpdate: false, env: 'production',
      },
      licenseInfo: { expiry: 0, licenseUrl: '', stateInfo: '', edition: 'Open Source', enabledFeatures: {} },
      datasources: {}, panels: {}, apps: {},
    };
  },
});
