// A pinned authority is its root certificate's SHA-256 fingerprint (spec ssj-draw/1): the one
// self-issued certificate of the pinned PEM chain, hashed over its DER with WebCrypto and shown
// as `openssl x509 -noout -fingerprint -sha256` prints it. Just enough DER to find the names.
import { parsePem } from "./tsr.js";

class Malformed extends Error {}

function element(bytes, at) {
  if (at + 2 > bytes.length) throw new Malformed();
  const tag = bytes[at];
  let length = bytes[at + 1], start = at + 2;
  if (length & 0x80) {
    const count = length & 0x7f;
    if (!count || count > 4 || start + count > bytes.length) throw new Malformed();
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[start++];
  }
  if (start + length > bytes.length) throw new Malformed();
  return { tag, start: at, value: start, end: start + length };
}

function children(bytes, el) {
  const out = [];
  for (let at = el.value; at < el.end; at = out.at(-1).end) out.push(element(bytes, at));
  return out;
}

const same = (bytes, a, b) => a.end - a.start === b.end - b.start
  && bytes.subarray(a.start, a.end).every((x, i) => x === bytes[b.start + i]);

const COMMON_NAME = "55 04 03", ORGANISATION = "55 04 0a";
const hexOf = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(" ");

// The common name (else the organisation) of an X.501 Name, for people to read.
function readable(bytes, name) {
  const found = {};
  for (const set of children(bytes, name)) {
    for (const pair of children(bytes, set)) {
      const [type, value] = children(bytes, pair);
      if (!type || !value || type.tag !== 0x06) continue;
      const text = value.tag === 0x1e
        ? String.fromCharCode(...Array.from({ length: (value.end - value.value) >> 1 }, (_, i) => bytes[value.value + 2 * i] << 8 | bytes[value.value + 2 * i + 1]))
        : new TextDecoder().decode(bytes.subarray(value.value, value.end));
      found[hexOf(bytes.subarray(type.value, type.end))] ??= text;
    }
  }
  return found[COMMON_NAME] ?? found[ORGANISATION] ?? "（无名称）";
}

/** The self-issued certificates (subject = issuer) of a DER certificate: {der, subject} or null. */
function selfIssued(der) {
  try {
    const [tbs] = children(der, element(der, 0));
    const fields = children(der, tbs);
    const at = fields[0]?.tag === 0xa0 ? 1 : 0;  // [0] version
    const issuer = fields[at + 2], subject = fields[at + 4];
    if (!issuer || !subject || issuer.tag !== 0x30 || subject.tag !== 0x30) return null;
    return same(der, issuer, subject) ? { der, subject: readable(der, subject) } : null;
  } catch (e) {
    if (e instanceof Malformed) return null;
    throw e;
  }
}

/** `AB:CD:…` of 64 hex digits. */
export const colonHex = (hex) => hex.toUpperCase().match(/../g).join(":");

/** The roots (self-issued certificates) of a PEM chain, each with its SHA-256 fingerprint
 * (64 lowercase hex) and subject; TokenError when the PEM holds no certificate. */
export async function rootsOf(pem) {
  const roots = parsePem(pem).map(selfIssued).filter(Boolean);
  return Promise.all(roots.map(async (r) => {
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", r.der));
    return { ...r, fingerprint: Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("") };
  }));
}
