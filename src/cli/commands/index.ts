import type { Command } from '../command.js';
import { serve } from './serve.js';
import { user } from './user.js';
import { apikey } from './apikey.js';
import { org } from './org.js';
import { key } from './key.js';
import { sa } from './sa.js';
import { audit } from './audit.js';
import { copy } from './copy.js';

export const commands: Command[] = [serve, user, apikey, org, key, sa, audit, copy];
