// A gatehouse under test, in its own process (lib/fixture.ts: the production
// composition root, shipped defaults, the bench's credentials).
// argv[2]: JSON { trustedClients?: string[], grafana?: boolean, logLevel?: string, loginUsers?: number }
import { benchGatehouse, type FixtureSpec } from '../lib/fixture.js';
import { childReady } from '../lib/child.js';

const { info, close } = await benchGatehouse(JSON.parse(process.argv[2] ?? '{}') as FixtureSpec);
childReady(info, close);
