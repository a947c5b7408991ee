// Response headers that make the browser refuse what we never do: sniff a JSON body as HTML,
// leak our URLs (which may carry query parameters) to other sites, or frame our pages.

/** On every response. */
export const BASE_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
} as const;

/**
 * On every HTML page: a Content-Security-Policy with scripts and styles from this origin only
 * (`styleSrc` widens styles where a page's library needs inline ones), no framing (CSP
 * frame-ancestors, and X-Frame-Options for older browsers), no <base> or plugins.
 */
export function htmlHeaders(o: { styleSrc?: string; baseUri?: string } = {}): Record<string, string> {
  const csp = [
    "default-src 'none'",
    "script-src 'self'",
    `style-src ${o.styleSrc ?? "'self'"}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "form-action 'self'",
    `base-uri ${o.baseUri ?? "'none'"}`,
    "object-src 'none'",
    "frame-ancestors 'none'",
  ].join("; ");
  return { "content-security-policy": csp, "x-frame-options": "DENY" };
}
