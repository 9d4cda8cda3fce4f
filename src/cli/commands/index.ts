import type { Command } from '../command.js';
import { serve } from './serve.js';
import { user } from './user.js';
import { apikey } from './apikey.js';

export const commands: Command[] = [serve, user, apikey];
