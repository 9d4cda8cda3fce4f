// The one error the config loader throws. Its message is meant for the user as
// is: it names where the bad setting came from (file:line, env var or flag).
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}
