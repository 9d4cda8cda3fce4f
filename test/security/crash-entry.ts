// A gatehouse in its own process, for the crash test: options (config sections
// and options, JSON, plus dataDir) come from the GATEHOUSE_TEST_OPTIONS environment
// variable; prints `PORT <n> KEY <api key>` once listening. The test kills it with SIGKILL.
import { createGatehouse } from '../../src/server/gatehouse.js';
import { testOptions } from '../helpers/server.js';

const { dataDir, ...over } = JSON.parse(process.env.GATEHOUSE_TEST_OPTIONS ?? '{}');
if (!dataDir) throw new Error('GATEHOUSE_TEST_OPTIONS needs dataDir');
const gh = await createGatehouse(testOptions(dataDir, { ...over, gatehouse: { log_level: 'warn', ...over.gatehouse } }));
const { port } = await gh.listen();
process.stdout.write(`PORT ${port} KEY ${gh.core.apiKey.get()}\n`);
