import { isIPv6 } from "node:net";
import { type Detector, matches } from "./span";

// IP addresses, v4 and v6.

// Four octets, not a part of a longer dotted number, and not a version: v1.2.3.4, version
// 10.0.0.1, Version: 10.0.0.1, or a product's in a user agent (Chrome/120.0.0.0; a URL's
// //10.0.0.1 is an address). Each octet is checked after the match (0-255, no leading zero): an
// alternation of octet shapes in the pattern cost 10x on text that is not ASCII.
const IPV4 = /\b(?<!\.|[A-Za-z]\/|\b(?:[vV]|[vV]ersion|VERSION):?\s)\d{1,3}(?:\.\d{1,3}){3}(?![\w]|\.\d)/g;
/** Four dot-separated numbers of 0-255 without a leading zero (the pattern gives the shape). */
function octetsValid(ip: string): boolean {
  let value = 0;
  let digits = 0;
  for (let i = 0; i <= ip.length; i++) {
    const c = i < ip.length ? ip.charCodeAt(i) : 46;
    if (c === 46) {
      if (value > 255 || (digits > 1 && ip.charCodeAt(i - digits) === 48)) return false;
      value = 0;
      digits = 0;
    } else {
      value = value * 10 + c - 48;
      digits++;
    }
  }
  return true;
}
// Two to eight hex groups, the last two may be an IPv4 address (::ffff:192.0.2.1).
const IPV6 =
  /(?<![\w:])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f]{0,4})(?![\w:]|\.\d)/g;

export const ips: Detector = function* (text) {
  // C++'s a::b, clock times and MAC addresses are not addresses: isIPv6 decides, and a digit
  // must be in it
  if (text.includes(":")) {
    yield* matches(text, IPV6, 0, (m) => m[0].length >= 6 && /\d/.test(m[0]) && isIPv6(m[0]));
  }
  yield* matches(text, IPV4, 0, (m) => octetsValid(m[0]));
};
