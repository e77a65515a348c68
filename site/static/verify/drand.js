// drand rounds checked offline, as generator/draw/drand.py does: the declared round, randomness =
// SHA-256(signature), and the BLS signature under the chain's pinned public key. BLS12-381 comes
// from the vendored @noble/curves (the library drand's own JS client uses); hashing from WebCrypto.
import { bls12_381 } from "../vendor/noble-curves/bls12-381.js";

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
  if (typeof value !== "string" || !HEX.test(value)) {
    throw new DrandError(`drand 轮次数据的 ${key} 应为小写十六进制字符串`);
  }
  return Uint8Array.from(value.match(/../g), (b) => parseInt(b, 16));
}

const hex = (b) => Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
const sha256 = async (b) => new Uint8Array(await crypto.subtle.digest("SHA-256", b));

function roundBytes(round) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(round));
  return out;
}

/** Unix seconds at which `round` of `chain` is produced: genesis + (round − 1) × period. */
export function roundTime(chain, round) {
  return chain.genesis_time + (round - 1) * chain.period;
}

/** Check a round file's JSON (as a relay serves it) against the pinned `chain` and the declared
 * round; return its randomness (hex) or throw DrandError saying what failed, in Chinese. */
export async function checkRound(chain, round, data) {
  const scheme = SCHEMES[chain.scheme];
  if (!scheme) throw new DrandError(`不认识的 drand 签名方案 ${chain.scheme}`);
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new DrandError("drand 轮次数据应为 JSON 对象");
  }
  if (data.round !== round) throw new DrandError(`轮次应为 ${round}，文件中是 ${JSON.stringify(data.round)}`);
  const signature = bytes(data, "signature");
  const randomness = bytes(data, "randomness");
  if (hex(await sha256(signature)) !== hex(randomness)) {
    throw new DrandError("randomness 不等于 signature 的 SHA-256");
  }
  const previous = scheme.chained ? bytes(data, "previous_signature") : new Uint8Array();
  const message = await sha256(new Uint8Array([...previous, ...roundBytes(round)]));
  let valid;
  try {
    valid = scheme.group.verify(signature, scheme.group.hash(message, scheme.dst), bytes(chain, "public_key"));
  } catch {
    valid = false;  // not a point on the curve: certainly not a valid signature
  }
  if (!valid) throw new DrandError(`第 ${round} 轮的 BLS 签名在 drand ${chain.name ?? ""} 链的公钥下验证失败`);
  return hex(randomness);
}
