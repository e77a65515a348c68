// drand rounds checked offline, as generator/draw/drand.py does: the declared round, randomness =
// SHA-256(signature), and the BLS signature under the chain's pinned public key. The chains (keys,
// genesis, period) and the messages come from table.js, the table the Python verifier reads:
// never from the site's verify.json. BLS12-381 comes from the vendored @noble/curves (the library
// drand's own JS client uses); hashing from WebCrypto.
import { bls12_381 } from "../vendor/noble-curves/bls12-381.js";
import { CHAINS, say } from "./table.js";

const SCHEMES = {
  // signature in G1, key in G2, message = SHA-256(round as 8-byte big-endian)
  "bls-unchained-g1-rfc9380": { group: bls12_381.shortSignatures, dst: "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_", chained: false },
  // signature in G2, key in G1, message = SHA-256(previous signature || round)
  "pedersen-bls-chained": { group: bls12_381.longSignatures, dst: "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_NUL_", chained: true },
};
const HEX = /^(?:[0-9a-f]{2})+$/;

export class DrandError extends Error {}

function bytes(data, key) {
  const value = data[key];
  if (typeof value !== "string" || !HEX.test(value)) throw new DrandError(say("drand_not_hex", { key }));
  return Uint8Array.from(value.match(/../g), (b) => parseInt(b, 16));
}

const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const sha256 = async (b) => new Uint8Array(await crypto.subtle.digest("SHA-256", b));

function roundBytes(round) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(round));
  return out;
}

// What Python's repr() prints for a JSON value, as drand.py's message shows the round it found.
function pythonRepr(value) {
  if (value === undefined || value === null) return "None";
  if (typeof value === "boolean") return value ? "True" : "False";
  if (typeof value === "string") return value.includes("'") && !value.includes('"') ? `"${value}"` : `'${value.replaceAll("'", "\\'")}'`;
  return typeof value === "number" ? String(value) : JSON.stringify(value);
}

/** The pinned chain called `name` (table.js); DrandError for any other name. */
export function chainOf(name) {
  if (typeof name !== "string" || !Object.hasOwn(CHAINS, name)) {
    throw new DrandError(say("drand_unknown_chain", { chain: String(name), chains: Object.keys(CHAINS).join("、") }));
  }
  return CHAINS[name];
}

/** Unix seconds at which `round` of the chain called `name` is produced: genesis + (round − 1) × period. */
export function roundTime(name, round) {
  const chain = chainOf(name);
  return chain.genesis_time + (round - 1) * chain.period;
}

/** Check a round file's JSON (as a relay serves it) against the pinned chain called `name` and
 * the declared round; return its randomness (hex) or throw DrandError saying what failed. */
export async function checkRound(name, round, data) {
  return checkRoundAgainst(chainOf(name), round, data);
}

/** checkRound against a given chain object (tests use another key); the page never calls it. */
export async function checkRoundAgainst(chain, round, data) {
  const scheme = SCHEMES[chain.scheme];
  if (!scheme) throw new DrandError(`不认识的 drand 签名方案 ${chain.scheme}`);
  if (data === null || typeof data !== "object" || Array.isArray(data)) throw new DrandError(say("drand_not_object"));
  if (data.round !== round) throw new DrandError(say("drand_wrong_round", { expected: round, actual: pythonRepr(data.round) }));
  const signature = bytes(data, "signature");
  const randomness = bytes(data, "randomness");
  if (hex(await sha256(signature)) !== hex(randomness)) throw new DrandError(say("drand_not_hash"));
  const previous = scheme.chained ? bytes(data, "previous_signature") : new Uint8Array();
  const message = await sha256(new Uint8Array([...previous, ...roundBytes(round)]));
  let valid;
  try {
    valid = scheme.group.verify(signature, scheme.group.hash(message, scheme.dst), bytes(chain, "public_key"));
  } catch {
    valid = false;  // not a point on the curve: certainly not a valid signature
  }
  if (!valid) throw new DrandError(say("drand_bad_signature", { chain: chain.name, round }));
  return hex(randomness);
}
