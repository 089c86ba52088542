/** pino JSON logs; credentials never reach a log line. */
import pino from 'pino';

export const redactPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.dpop',
  'headers.authorization',
  'headers.cookie',
  '*.password',
  '*.client_secret',
  '*.clientSecret',
  '*.secret',
  '*.refresh_token',
  '*.access_token',
  '*.code_verifier',
];

/** Logs go to stderr by default so stdout stays for what a command prints. */
export function createLogger(name: string, level: string, destination: pino.DestinationStream = pino.destination(2)): pino.Logger {
  return pino({ name, level, redact: { paths: redactPaths, censor: '[redacted]' } }, destination);
}
