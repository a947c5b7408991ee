import { createRequire } from "node:module";
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

/**
 * JSON lines for machines (log shippers, pipes, files); on a terminal, one readable line each
 * (pino-pretty, loaded only then). The redaction above applies to both.
 */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: "prompt-census" },
      redact: { paths: REDACT, censor: "[redacted]" },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination ?? (process.stdout.isTTY ? prettyStream() : undefined),
  );
}

function prettyStream(): DestinationStream {
  const pretty = createRequire(import.meta.url)("pino-pretty") as typeof import("pino-pretty");
  return pretty({
    colorize: true,
    sync: true,
    ignore: "service,pid,hostname",
    translateTime: "SYS:HH:MM:ss.l",
  });
}
