import { type DestinationStream, type Logger as PinoLogger, pino } from "pino";

export type Logger = PinoLogger;

// Redaction is a seatbelt, not the policy: code never logs prompts or request ids in the first place.
// These paths catch the shapes that could carry them if someone logs a whole object by mistake.
const REDACT = [
  "authorization",
  "*.authorization",
  "headers.authorization",
  "req.headers.authorization",
  "prompt",
  "*.prompt",
  "messages",
  "*.messages",
  "text",
  "*.text",
  "apiKey",
  "*.apiKey",
  "key",
  "*.key",
  "HMAC_SECRET",
  "GOOGLE_API_KEY",
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "prompt-census" },
      redact: { paths: REDACT, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination,
  );
}
