// `gatehouse serve`: run the server until SIGINT/SIGTERM.
import { resolve, join } from 'node:path';
import { createGatehouse } from '../../server/gatehouse.js';
import { collectStartupGarbage } from '../../server/settle.js';
import { CliError, type Command } from '../command.js';
import { CONFIG_USAGE, configFromFlags, parseFlags } from '../config-flags.js';

export const serve: Command = {
  name: 'serve',
  summary: 'start the server (default 127.0.0.1:7125, SQLite in ./data)',
  usage: `usage: gatehouse serve [--config FILE] [--host HOST] [--port PORT] [--data-dir DIR]\n${CONFIG_USAGE}\n  --host HOST       listen address (default 127.0.0.1)\n  --port PORT       listen port (default 7125)`,
  async run(argv, ctx) {
    const { values, positionals } = parseFlags(argv, { host: { type: 'string' }, port: { type: 'string' } });
    if (positionals.length) throw new CliError(`unexpected argument "${positionals[0]}"`);
    let port: number | undefined;
    if (values.port !== undefined) {
      port = Number(values.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port: expected a port number, got "${values.port}"`);
    }
    const config = configFromFlags(values, ctx, { host: values.host, port });
    const g = config.gatehouse;
    const started = Date.now();
    const gh = await createGatehouse(config);
    let address;
    try {
      address = await gh.listen();
    } catch (err) {
      await gh.close();
      throw new CliError(`cannot listen on ${g.host}:${g.port}: ${(err as Error).message}`);
    }
    const where = g.store === 'sqlite' ? join(resolve(g.data_dir), 'gatehouse.sqlite') : 'postgresql';
    // The listening line comes last: whoever waits for it has seen everything before it.
    const faces = [g.moonraker_enabled && 'moonraker (/access, /websocket)', g.grafana_enabled && 'grafana (/api, /login)'].filter(Boolean);
    ctx.out(`faces: ${faces.join(', ') || 'none'}`);
    const boot = gh.core.bootstrap;
    if (boot?.generatedPassword) {
      ctx.out(`first start: created admin user "${boot.login}" with password (shown once): ${boot.generatedPassword}`);
    }
    const gw = config.gateway;
    if (gw.moonraker_upstream) ctx.out(`gateway: everything but /access, /websocket, /auth/verify and ${gw.prefix} is authenticated, then forwarded to ${gw.moonraker_upstream}`);
    const grafanaAt = gh.grafanaAddress();
    if (grafanaAt) ctx.out(`grafana face listening on http://${grafanaAt.host}:${grafanaAt.port}`);
    const metricsAt = gh.metricsAddress();
    if (metricsAt) ctx.out(`metrics on http://${metricsAt.host}:${metricsAt.port}/metrics`);
    ctx.out(`gatehouse listening on http://${address.host}:${address.port} (store: ${g.store} ${where}; ready in ${Date.now() - started} ms)`);
    collectStartupGarbage();
    await new Promise<void>((done) => {
      const stop = (sig: string) => {
        ctx.out(`gatehouse: ${sig} received, shutting down`);
        gh.close().then(done, done);
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    return 0;
  },
};
