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

export function createLogger(name: string, level: string, destination?: pino.DestinationStream): pino.Logger {
  return pino({ name, level, redact: { paths: redactPaths, censor: '[redacted]' }, base: { component: name } }, destination);
}
