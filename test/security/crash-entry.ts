// A gatehouse in its own process, for the crash test: options (a partial
// GatehouseOptions, JSON) come from the GATEHOUSE_TEST_OPTIONS environment
// variable; prints `PORT <n> KEY <api key>` once listening. The test kills it with SIGKILL.
import { createGatehouse } from '../../src/server/gatehouse.js';
import { defaultOptions } from '../helpers/server.js';

const over = JSON.parse(process.env.GATEHOUSE_TEST_OPTIONS ?? '{}');
if (!over.dataDir) throw new Error('GATEHOUSE_TEST_OPTIONS needs dataDir');
const base = defaultOptions(over.dataDir);
const gh = await createGatehouse({
  ...base,
  logLevel: 'warn',
  ...over,
  moonraker: { ...base.moonraker, ...over.moonraker },
  core: { ...base.core, ...over.core },
});
const { port } = await gh.listen();
process.stdout.write(`PORT ${port} KEY ${gh.core.apiKey.get()}\n`);
