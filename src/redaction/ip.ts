import { isIPv6 } from "node:net";
import { type Detector, matches } from "./span";

// IP addresses, v4 and v6.

const OCTET = String.raw`(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)`;
// Four octets, not a part of a longer dotted number, and not a version: v1.2.3.4, version
// 10.0.0.1, or a product's in a user agent (Chrome/120.0.0.0; a URL's //10.0.0.1 is an address).
// (\b first, not a lookbehind: V8 then skips to candidates fast; 10x on a text dense with them.)
const IPV4 = new RegExp(
  String.raw`\b(?<!\.|[A-Za-z]/|\b(?:[vV]|[vV]ersion|VERSION)\s)${OCTET}(?:\.${OCTET}){3}(?![\w]|\.\d)`,
  "g",
);
// Two to eight hex groups, the last two may be an IPv4 address (::ffff:192.0.2.1).
const IPV6 =
  /(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})(?![\w:]|\.\d)/g;

export const ips: Detector = function* (text) {
  // C++'s a::b, clock times and MAC addresses are not addresses: isIPv6 decides, and a digit
  // must be in it
  if (text.includes(":")) {
    yield* matches(text, IPV6, 0, (m) => m[0].length >= 6 && /\d/.test(m[0]) && isIPv6(m[0]));
  }
  yield* matches(text, IPV4);
};
