// Connection URLs are logged at start-up and in errors; their secrets must not be. A password in
// the authority and any query value that is not known to be harmless are masked: drivers accept
// secrets as query parameters too (`?password=`, `sslpassword=`, `sslkey=`, `token=`).
const HARMLESS = new Set([
  "sslmode",
  "application_name",
  "connect_timeout",
  "options",
  "family",
  "db",
  "tls",
  "target_session_attrs",
  "keepalives",
]);

export function redactUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return "(unparsable URL)";
  }
  if (u.password) u.password = "***";
  for (const key of [...u.searchParams.keys()]) {
    if (!HARMLESS.has(key.toLowerCase())) u.searchParams.set(key, "***");
  }
  return u.toString();
}
