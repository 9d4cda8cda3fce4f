import { text } from '../values.js';
import { option, section } from '../option.js';

export const secrets = section("Moonraker's secrets file: `{secrets.<section>.<option>}` in any option value of the config file is replaced from it", {
  secrets_path: option(text, 'The secrets file (JSON, or INI as configparser reads it); unset: moonraker.secrets in the data directory above the config file\'s directory, if there.'),
});
