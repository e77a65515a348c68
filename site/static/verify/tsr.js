// RFC 3161 time-stamps over a draw's commitment, checked in the browser and in Node 20 as
// generator/draw/timestamp.py checks them: the imprint, the CMS signature, the chain up to the
// pinned certificates, the timeStamping key usage, the validity at genTime and the ESS
// signing-certificate attribute. Only WebCrypto: a verifier should not have to trust any
// third-party code.
import { TOKEN_STATUSES } from "./table.js";

const subtle = globalThis.crypto.subtle;

export class TokenError extends Error {}

const INTEGER = 0x02, BIT_STRING = 0x03, OCTET_STRING = 0x04, OID = 0x06;
const UTC_TIME = 0x17, GENERALIZED_TIME = 0x18, SEQUENCE = 0x30, SET = 0x31;
const CONTEXT_0 = 0xa0, CONTEXT_1 = 0xa1, CONTEXT_3 = 0xa3, CONTEXT_4 = 0xa4, KEY_ID = 0x80;

const SIGNED_DATA = "1.2.840.113549.1.7.2";
const TST_INFO = "1.2.840.113549.1.9.16.1.4";
const CONTENT_TYPE = "1.2.840.113549.1.9.3";
const MESSAGE_DIGEST = "1.2.840.113549.1.9.4";
const SIGNING_CERTIFICATE = "1.2.840.113549.1.9.16.2.12";  // ESSCertID, SHA-1 (RFC 2634)
const SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47";  // ESSCertIDv2 (RFC 5035)
const SHA1 = "1.3.14.3.2.26";
const SHA256 = "2.16.840.1.101.3.4.2.1";
const EXT_KEY_USAGE = "2.5.29.37";
const SUBJECT_KEY_ID = "2.5.29.14";
const TIME_STAMPING = "1.3.6.1.5.5.7.3.8";
const RSA_KEY = "1.2.840.113549.1.1.1";
const EC_KEY = "1.2.840.10045.2.1";

const DIGESTS = { [SHA256]: "SHA-256", "2.16.840.1.101.3.4.2.2": "SHA-384", "2.16.840.1.101.3.4.2.3": "SHA-512" };
const ESS_DIGESTS = { ...DIGESTS, [SHA1]: "SHA-1" };  // an ESS cert id may name its certificate by SHA-1
const SIGNATURES = {
  "1.2.840.113549.1.1.11": ["RSA", "SHA-256"], "1.2.840.113549.1.1.12": ["RSA", "SHA-384"],
  "1.2.840.113549.1.1.13": ["RSA", "SHA-512"], "1.2.840.10045.4.3.2": ["EC", "SHA-256"],
  "1.2.840.10045.4.3.3": ["EC", "SHA-384"], "1.2.840.10045.4.3.4": ["EC", "SHA-512"],
};
const CURVES = { "1.2.840.10045.3.1.7": ["P-256", 32], "1.3.132.0.34": ["P-384", 48] };
// Names for algorithms a message may have to name; others are shown as their OID.
const NAMES = {
  ...DIGESTS, [SHA1]: "SHA-1", "2.16.840.1.101.3.4.2.4": "SHA-224", "1.2.156.10197.1.401": "SM3", "1.2.156.10197.1.501": "SM2",
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption", "1.2.840.113549.1.1.10": "RSASSA-PSS",
  "1.2.840.10045.4.3.1": "ecdsa-with-SHA224", "1.3.101.112": "Ed25519", "1.3.132.0.35": "P-521 曲线",
};
const MAX_DEPTH = 8;
const PINNED = "固定的证书链";

// ---- DER: definite lengths only, every byte accounted for

class Element {
  constructor(doc, tag, start, valueStart, end) {
    Object.assign(this, { doc, tag, start, valueStart, end });
  }
  get value() { return this.doc.bytes.subarray(this.valueStart, this.end); }
  get der() { return this.doc.bytes.subarray(this.start, this.end); }
  items() {
    if (!(this.tag & 0x20)) this.fail("构造类型的元素");
    const out = [];
    for (let at = this.valueStart; at < this.end; at = out.at(-1).end) out.push(readElement(this.doc, at, this.end));
    return out;
  }
  // The one element a primitive wrapper (OCTET STRING, EXPLICIT tag) holds.
  inner() {
    const el = readElement(this.doc, this.valueStart, this.end);
    if (el.end !== this.end) derFault(this.doc, el.end, `多出 ${this.end - el.end} 字节（数据应已结束）`);
    return el;
  }
  fail(what) {
    const gap = /^[!-~]/.test(what) ? " " : "";  // a space before Latin text, none before Chinese
    throw new TokenError(`${this.doc.name}的结构不对：第 ${this.start + 1} 字节处应为${gap}${what}`);
  }
}

function derFault(doc, at, why) {
  throw new TokenError(`${doc.name}不是有效的 DER：第 ${at + 1} 字节处${why}`);
}

function readElement(doc, at, end) {
  const bytes = doc.bytes;
  if (end - at < 2) derFault(doc, at, "数据提前结束");
  const tag = bytes[at];
  if ((tag & 0x1f) === 0x1f) derFault(doc, at, "是多字节标签（此处不应出现）");
  let length = bytes[at + 1], valueStart = at + 2;
  if (length === 0x80) derFault(doc, at + 1, "是不定长度（DER 只允许定长）");
  if (length > 0x80) {
    const count = length & 0x7f;
    if (count > 4 || valueStart + count > end) derFault(doc, at + 1, "长度越界");
    if (bytes[valueStart] === 0) derFault(doc, at + 1, "长度编码不是最短形式");
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[valueStart++];
    if (length < 0x80) derFault(doc, at + 1, "长度编码不是最短形式");
  }
  if (length > end - valueStart) derFault(doc, at + 1, "长度越界");
  return new Element(doc, tag, at, valueStart, valueStart + length);
}

function parseDer(bytes, name) {
  const doc = { bytes, name };
  if (!bytes.length) throw new TokenError(`${name}是空的`);
  const el = readElement(doc, 0, bytes.length);
  if (el.end !== bytes.length) derFault(doc, el.end, `多出 ${bytes.length - el.end} 字节（数据应已结束）`);
  return el;
}

function expect(el, tag, what) {
  if (el.tag !== tag) el.fail(what);
  return el;
}

// A SEQUENCE read field by field; extra trailing fields are left alone.
class Fields {
  constructor(el, what) {
    this.el = expect(el, SEQUENCE, what);
    this.list = el.items();
    this.i = 0;
  }
  next(tag, what) {
    const el = this.list[this.i++];
    if (el?.tag !== tag) (el ?? this.el).fail(what);
    return el;
  }
  optional(tag) {
    return this.list[this.i]?.tag === tag ? this.list[this.i++] : null;
  }
}

function oid(el) {
  const parts = [];
  let n = 0;
  for (const b of expect(el, OID, "对象标识符").value) {
    n = n * 128 + (b & 0x7f);
    if (!(b & 0x80)) { parts.push(n); n = 0; }
  }
  if (!parts.length || el.value.at(-1) & 0x80) el.fail("完整的对象标识符");
  const first = Math.min(2, Math.floor(parts[0] / 40));
  return [first, parts[0] - 40 * first, ...parts.slice(1)].join(".");
}

function integer(el) {
  const bytes = expect(el, INTEGER, "整数").value;
  if (!bytes.length) el.fail("非空的整数");
  let n = 0n;
  for (const b of bytes) n = n * 256n + BigInt(b);
  return bytes[0] & 0x80 ? n - (1n << BigInt(8 * bytes.length)) : n;
}

function algorithm(el) {
  return oid(new Fields(el, "算法标识").next(OID, "算法的对象标识符"));
}

function bitString(el) {
  const bytes = expect(el, BIT_STRING, "BIT STRING").value;
  if (bytes[0] !== 0) el.fail("整字节的 BIT STRING");
  return bytes.subarray(1);
}

function time(el) {
  const text = String.fromCharCode(...el.value);
  const m = el.tag === UTC_TIME ? /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)Z$/.exec(text)
    : el.tag === GENERALIZED_TIME ? /^(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\.\d*[1-9])?Z$/.exec(text) : null;
  if (!m) el.fail("UTC 时间（…Z）");
  // RFC 5280: two-digit years 50–99 are 19xx
  const year = el.tag === UTC_TIME ? +m[1] + (+m[1] < 50 ? 2000 : 1900) : +m[1];
  const date = new Date(0);
  date.setUTCFullYear(year, m[2] - 1, +m[3]);
  date.setUTCHours(+m[4], +m[5], +m[6], +(m[7] ?? ".").slice(1, 4).padEnd(3, "0"));
  if (date.getUTCFullYear() !== year || date.getUTCDate() !== +m[3] || date.getUTCHours() !== +m[4]
      || date.getUTCMinutes() !== +m[5] || date.getUTCSeconds() !== +m[6]) el.fail("存在的日期和时间");
  return { date, text: `${year}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}${m[7] ?? ""}Z` };
}

// ---- small helpers

const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
const nameOf = (oid) => NAMES[oid] ?? oid;
const iso = (date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");
/** A moment as the page states it: 2026年12月1日 12:02:42（北京时间）. */
function beijingText(date) {
  const d = new Date(date.getTime() + 8 * 3600 * 1000);
  return `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日 ${d.toISOString().slice(11, 19)}（北京时间）`;
}
const pass = (message) => ({ state: "pass", message });
const fail = (message) => ({ state: "fail", message });
const skip = (message) => ({ state: "skip", message });

// Text for people to read (names, status strings); names are compared as raw DER, never as this.
function text(el) {
  const b = el.value;
  switch (el.tag) {
    case 0x0c: return new TextDecoder().decode(b);  // UTF8String
    case 0x1e: return String.fromCharCode(...Array.from({ length: b.length >> 1 }, (_, i) => b[2 * i] << 8 | b[2 * i + 1]));
    case 0x12: case 0x13: case 0x14: case 0x16: case 0x1a: return String.fromCharCode(...b);
    default: return `#${hex(b)}`;
  }
}

// A name to show people: its common name, else its organisation, else every value.
function readableName(el) {
  const values = {};
  for (const rdn of expect(el, SEQUENCE, "名称").items()) {
    for (const pair of expect(rdn, SET, "名称的属性集合").items()) {
      const f = new Fields(pair, "名称属性");
      const type = oid(f.next(OID, "属性类型"));
      values[type] ??= text(f.list[1] ?? pair.fail("属性值"));
    }
  }
  return values["2.5.4.3"] ?? values["2.5.4.10"] ?? (Object.values(values).join(", ") || "（无名称）");
}

// ---- X.509 certificates

function parseCertificate(el) {
  const outer = new Fields(el, "X.509 证书");
  const tbs = outer.next(SEQUENCE, "tbsCertificate");
  const signatureAlgorithm = algorithm(outer.next(SEQUENCE, "证书签名算法"));
  const signature = bitString(outer.next(BIT_STRING, "证书签名值"));
  const f = new Fields(tbs, "tbsCertificate");
  f.optional(CONTEXT_0);
  const serial = f.next(INTEGER, "证书序列号").value;
  f.next(SEQUENCE, "签名算法");
  const issuer = f.next(SEQUENCE, "签发者名称");
  const validity = new Fields(f.next(SEQUENCE, "有效期"), "有效期");
  const [notBefore, notAfter] = [validity.list[0], validity.list[1]].map((t) => time(t ?? validity.el.fail("起止时间")));
  const subject = f.next(SEQUENCE, "主体名称");
  const spki = f.next(SEQUENCE, "公钥信息");
  f.optional(0x81);
  f.optional(0x82);
  const extensions = f.optional(CONTEXT_3);
  const cert = {
    der: el.der, tbs: tbs.der, serial, serialHex: hex(serial), signatureAlgorithm, signature,
    issuerName: issuer.der, subjectName: subject.der, issuer: readableName(issuer), subject: readableName(subject),
    notBefore: notBefore.date, notAfter: notAfter.date, spki: spki.der, eku: null, keyId: null,
  };
  for (const ext of extensions ? expect(extensions.inner(), SEQUENCE, "扩展列表").items() : []) {
    const e = new Fields(ext, "证书扩展");
    const id = oid(e.next(OID, "扩展的对象标识符"));
    const critical = e.optional(0x01)?.value[0] > 0;
    const value = e.next(OCTET_STRING, "扩展值").inner();
    if (id === EXT_KEY_USAGE) cert.eku = { critical, usages: expect(value, SEQUENCE, "扩展密钥用途列表").items().map(oid) };
    if (id === SUBJECT_KEY_ID) cert.keyId = hex(expect(value, OCTET_STRING, "主体密钥标识").value);
  }
  return cert;
}

// ---- the token: TimeStampResp or ContentInfo, SignedData, TSTInfo

function parseSignerInfo(el) {
  const f = new Fields(el, "签名者信息（SignerInfo）");
  f.next(INTEGER, "SignerInfo 版本");
  const byName = f.optional(SEQUENCE);
  let sid;
  if (byName) {
    const s = new Fields(byName, "签发者和序列号");
    sid = { issuerName: s.next(SEQUENCE, "签发者名称").der, serial: s.next(INTEGER, "序列号").value };
  } else {
    sid = { keyId: hex(f.next(KEY_ID, "签名者标识（签发者和序列号，或 [0] 密钥标识）").value) };
  }
  const digestAlgorithm = algorithm(f.next(SEQUENCE, "摘要算法"));
  const attrs = f.optional(CONTEXT_0);
  const signatureAlgorithm = algorithm(f.next(SEQUENCE, "签名算法"));
  const signature = f.next(OCTET_STRING, "签名值").value;
  const signedAttrs = attrs && {
    der: attrs.der,
    list: attrs.items().map((a) => {
      const af = new Fields(a, "签名属性");
      return { type: oid(af.next(OID, "属性类型")), values: af.next(SET, "属性值集合").items() };
    }),
  };
  return { sid, digestAlgorithm, signedAttrs, signatureAlgorithm, signature };
}

function parseSignedData(contentInfo) {
  const c = new Fields(contentInfo, "时间戳令牌（CMS ContentInfo）");
  if (oid(c.next(OID, "内容类型")) !== SIGNED_DATA) contentInfo.fail("CMS SignedData（1.2.840.113549.1.7.2）");
  const s = new Fields(c.next(CONTEXT_0, "[0] 内容").inner(), "SignedData");
  s.next(INTEGER, "SignedData 版本");
  s.next(SET, "摘要算法集合");
  const encap = new Fields(s.next(SEQUENCE, "封装内容"), "封装内容");
  const type = encap.next(OID, "封装内容类型");
  if (oid(type) !== TST_INFO) type.fail(`id-ct-TSTInfo（${TST_INFO}），实为 ${oid(type)}`);
  const eContent = expect(encap.next(CONTEXT_0, "[0] 封装内容").inner(), OCTET_STRING, "OCTET STRING（TSTInfo）");
  const certSet = s.optional(CONTEXT_0);
  s.optional(CONTEXT_1);
  const signerInfos = s.next(SET, "签名者信息集合").items().map(parseSignerInfo);
  // other CertificateChoices (attribute certificates…) carry no key to check with
  const certificates = certSet ? certSet.items().filter((e) => e.tag === SEQUENCE).map(parseCertificate) : [];
  return { eContent: eContent.value, tst: parseTstInfo(eContent.inner()), certificates, signerInfos };
}

function parseTstInfo(el) {
  const f = new Fields(el, "TSTInfo");
  f.next(INTEGER, "TSTInfo 版本");
  const policy = oid(f.next(OID, "策略"));
  const imprint = new Fields(f.next(SEQUENCE, "消息摘要（messageImprint）"), "消息摘要");
  const hashAlgorithm = algorithm(imprint.next(SEQUENCE, "摘要算法"));
  const hashedMessage = hex(imprint.next(OCTET_STRING, "摘要值").value);
  const serial = integer(f.next(INTEGER, "序列号")).toString(16);
  const genTime = time(f.next(GENERALIZED_TIME, "genTime（GeneralizedTime）"));
  return { policy, hashAlgorithm, imprint: hashedMessage, serial, genTime };
}

function findSigner(sid, certs) {
  return certs.find((c) => sid.keyId ? c.keyId === sid.keyId
    : same(c.issuerName, sid.issuerName) && same(c.serial, sid.serial)) ?? null;
}

// The whole reading: what readToken shows, plus what the checks need.
function parse(bytes) {
  const top = parseDer(bytes, "时间戳文件");
  let form = "token", status = null, statusText = "", contentInfo = top;
  if (expect(top, SEQUENCE, "SEQUENCE（TimeStampResp 或 TimeStampToken）").items()[0]?.tag !== OID) {
    const r = new Fields(top, "时间戳响应（TimeStampResp）");
    const info = new Fields(r.next(SEQUENCE, "状态（PKIStatusInfo）"), "PKIStatusInfo");
    form = "response";
    status = Number(integer(info.next(INTEGER, "状态值")));
    const said = info.optional(SEQUENCE);
    statusText = said ? said.items().map(text).join("；") : "";
    contentInfo = r.optional(SEQUENCE);
  }
  const signed = contentInfo && parseSignedData(contentInfo);
  const signer = signed?.signerInfos.length === 1 ? findSigner(signed.signerInfos[0].sid, signed.certificates) : null;
  const tst = signed?.tst;
  const token = {
    form, status, statusText, hashAlgorithm: tst?.hashAlgorithm ?? null, imprint: tst?.imprint ?? null,
    genTime: tst?.genTime.date ?? null, genTimeText: tst?.genTime.text ?? null, serial: tst?.serial ?? null,
    policy: tst?.policy ?? null, authority: signer?.subject ?? null, certificates: signed?.certificates ?? [],
  };
  return { token, signed };
}

/** The bytes of a .tsr file (TimeStampResp or bare TimeStampToken), read; TokenError if unreadable. */
export function readToken(bytes) {
  return parse(bytes).token;
}

/** The certificates (DER) of a PEM chain file; TokenError when it holds none, or holds other blocks. */
export function parsePem(pem) {
  for (const [, label] of pem.matchAll(/-----BEGIN ([^\r\n]*?)-----/g)) {
    if (label !== "CERTIFICATE") {
      const warning = label.includes("PRIVATE KEY") ? "；私钥绝不能放进仓库" : "";
      throw new TokenError(`证书链中有不是证书的 PEM 块（BEGIN ${label}），只应放 CERTIFICATE${warning}`);
    }
  }
  const blocks = [...pem.matchAll(/-----BEGIN CERTIFICATE-----([^-]*)-----END CERTIFICATE-----/g)];
  if (!blocks.length) throw new TokenError("不是 PEM 格式的证书链（应为 -----BEGIN CERTIFICATE----- 开头的文本）");
  if (blocks.length !== pem.split("-----BEGIN").length - 1) throw new TokenError("证书链中有没有结束行的 PEM 块");
  return blocks.map(([, body], i) => {
    const base64 = body.replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(base64) || base64.length % 4) {
      throw new TokenError(`证书链中第 ${i + 1} 个证书的 base64 编码无效`);
    }
    return Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
  });
}

// ---- signatures

// ECDSA's DER Ecdsa-Sig-Value as the fixed-size r||s WebCrypto wants; null if malformed.
function ecdsaRaw(der, size) {
  try {
    const f = new Fields(parseDer(der, "ECDSA 签名"), "ECDSA 签名");
    if (f.list.length !== 2) return null;
    const out = new Uint8Array(2 * size);
    for (const [i, el] of [f.next(INTEGER, "r"), f.next(INTEGER, "s")].entries()) {
      let v = el.value;
      // OpenSSL refuses negative and non-minimal integers here; so must we, to agree with it
      if (v[0] & 0x80 || (v.length > 1 && v[0] === 0 && !(v[1] & 0x80))) return null;
      if (v[0] === 0) v = v.subarray(1);
      if (v.length > size) return null;
      out.set(v, (i + 1) * size - v.length);
    }
    return out;
  } catch (error) {
    if (error instanceof TokenError) return null;
    throw error;
  }
}

// true or false; null when WebCrypto here cannot check the algorithm (the check then skips).
// `digest` names the hash for a bare rsaEncryption, as CMS SignerInfos may say it.
async function verifySignature(spki, algorithmOid, digest, data, signature) {
  const [family, hash] = SIGNATURES[algorithmOid] ?? (algorithmOid === RSA_KEY && digest ? ["RSA", digest] : []);
  if (!family) return null;
  const key = new Fields(parseDer(spki, "证书公钥"), "公钥信息");
  const keyAlgorithm = new Fields(key.next(SEQUENCE, "公钥算法"), "公钥算法");
  const keyType = oid(keyAlgorithm.next(OID, "公钥类型"));
  try {
    if (family === "RSA") {
      if (keyType !== RSA_KEY) return false;
      const publicKey = await subtle.importKey("spki", spki, { name: "RSASSA-PKCS1-v1_5", hash }, false, ["verify"]);
      return await subtle.verify("RSASSA-PKCS1-v1_5", publicKey, signature, data);
    }
    if (keyType !== EC_KEY) return false;
    const curveParam = keyAlgorithm.list[1];
    const [namedCurve, size] = CURVES[curveParam?.tag === OID ? oid(curveParam) : ""] ?? [];
    if (!namedCurve) return null;
    const raw = ecdsaRaw(signature, size);
    if (!raw) return false;
    const publicKey = await subtle.importKey("spki", spki, { name: "ECDSA", namedCurve }, false, ["verify"]);
    return await subtle.verify({ name: "ECDSA", hash }, publicKey, raw, data);
  } catch (error) {
    if (error instanceof DOMException || error instanceof TypeError) return false;  // a key WebCrypto refuses
    throw error;
  }
}

const cannotCheck = (oid) => `此浏览器验证器无法检查 ${nameOf(oid)} 算法的签名，请用 OpenSSL 命令核对`;

function attributeValue(attrs, type) {
  const found = attrs.list.filter((a) => a.type === type);
  return found.length === 1 && found[0].values.length === 1 ? found[0].values[0] : null;
}

async function checkSignature(signed, signer) {
  if (signed.signerInfos.length !== 1) return fail(`时间戳应只有一个签名者，实有 ${signed.signerInfos.length} 个`);
  if (!signer) return fail("找不到签名证书（时间戳没有附带它，固定的证书链中也没有），无法验证签名");
  const info = signed.signerInfos[0];
  const attrs = info.signedAttrs;
  // RFC 3161 tokens always sign attributes: they bind the signature to the TSTInfo's digest
  if (!attrs) return fail("时间戳签名没有签名属性，不是 RFC 3161 时间戳的签名");
  const type = attributeValue(attrs, CONTENT_TYPE);
  if (!type || type.tag !== OID || oid(type) !== TST_INFO) return fail("签名属性中的内容类型不是 id-ct-TSTInfo");
  const digest = DIGESTS[info.digestAlgorithm];
  if (!digest) return skip(`此浏览器验证器不检查 ${nameOf(info.digestAlgorithm)} 摘要，请用 OpenSSL 命令核对`);
  const expected = attributeValue(attrs, MESSAGE_DIGEST);
  const actual = new Uint8Array(await subtle.digest(digest, signed.eContent));
  if (expected?.tag !== OCTET_STRING || !same(expected.value, actual)) {
    return fail("签名所覆盖的摘要与时间戳内容（TSTInfo）不符：内容被改动过");
  }
  const covered = Uint8Array.from(attrs.der);
  covered[0] = SET;  // signed as a SET OF, stored as [0] IMPLICIT (RFC 5652 5.4)
  const verdict = await verifySignature(signer.spki, info.signatureAlgorithm, digest, covered, info.signature);
  if (verdict === null) return skip(cannotCheck(info.signatureAlgorithm));
  return verdict ? pass(`时间戳的签名有效，签名者为“${signer.subject}”`)
    : fail("时间戳的 CMS 签名无效：签名或签名所覆盖的内容被改动过");
}

// ---- the ESS signing-certificate attribute

// Each cert id ({hashAlgorithm, hash, issuerSerial}) of the first attribute of `type`; null when
// there is none or, as OpenSSL reads it, when it cannot be read.
function essCertIds(attrs, type) {
  const value = attrs.list.find((a) => a.type === type)?.values[0];
  if (!value) return null;
  try {
    const certs = new Fields(value, "ESS 签名证书属性").next(SEQUENCE, "证书标识列表").items();
    return certs.map((el) => {
      const f = new Fields(el, "ESS 证书标识");
      // ESSCertID is always SHA-1; ESSCertIDv2's hashAlgorithm defaults to SHA-256
      const v2 = type === SIGNING_CERTIFICATE_V2 && f.optional(SEQUENCE);
      const hashAlgorithm = type === SIGNING_CERTIFICATE ? SHA1 : v2 ? algorithm(v2) : SHA256;
      const hash = f.next(OCTET_STRING, "证书摘要").value;
      const serial = f.optional(SEQUENCE);
      if (!serial) return { hashAlgorithm, hash, issuerSerial: null };
      const s = new Fields(serial, "签发者和序列号（issuerSerial）");
      const names = s.next(SEQUENCE, "签发者名称列表").items();
      return { hashAlgorithm, hash, issuerSerial: { names, serial: s.next(INTEGER, "序列号").value } };
    });
  } catch (error) {
    if (error instanceof TokenError) return null;
    throw error;
  }
}

// An absent issuerSerial names any certificate; a present one, as OpenSSL compares it, exactly one
// directoryName equal to the certificate's issuer, and its serial number (as raw DER here).
function namesCert(issuerSerial, cert) {
  if (!issuerSerial) return true;
  const [name, ...more] = issuerSerial.names;
  if (more.length || name?.tag !== CONTEXT_4) return false;
  try {
    return same(name.inner().der, cert.issuerName) && same(issuerSerial.serial, cert.serial);
  } catch (error) {
    if (error instanceof TokenError) return false;
    throw error;
  }
}

// Mirrors Python's _check_ess (OpenSSL's OSSL_ESS_check_signing_certs): each ESS attribute
// present is judged on its own; its first cert id is the signer, any further one a certificate
// above it on `path` (the chain, signer first).
async function checkEss(info, signer, path) {
  const found = info.signedAttrs ? [[SIGNING_CERTIFICATE, "signingCertificate"], [SIGNING_CERTIFICATE_V2, "signingCertificateV2"]]
    .map(([type, name]) => ({ name, ids: essCertIds(info.signedAttrs, type) })).filter((a) => a.ids) : [];
  if (!found.length) {
    return fail("时间戳没有 ESS 签名证书属性（signingCertificate 或 signingCertificateV2，RFC 5035/5816），无法确认签名者；openssl ts -verify 同样拒绝");
  }
  const who = signer.subject;
  let unchecked = null;
  for (const { ids } of found) {
    if (!ids.length) return fail("时间戳的 ESS 签名证书属性中没有任何证书标识（ESSCertID），无法确认签名者");
    for (const [index, id] of ids.entries()) {
      const digest = ESS_DIGESTS[id.hashAlgorithm];
      if (!digest) {
        unchecked ??= skip(`此浏览器验证器不检查 ${nameOf(id.hashAlgorithm)} 摘要的 ESS 签名证书属性，请用 OpenSSL 命令核对`);
        continue;
      }
      const hashes = await Promise.all(path.map(async (c) => new Uint8Array(await subtle.digest(digest, c.der))));
      const at = hashes.findIndex((h) => same(h, id.hash));
      if (index === 0 && at === 0 && !namesCert(id.issuerSerial, signer)) {
        return fail(`时间戳的 ESS 签名证书属性中的签发者和序列号（issuerSerial）与签名者“${who}”不符`);
      }
      if (index === 0 && at !== 0) return fail(`时间戳的 ESS 签名证书属性指向另一张证书，不是签名者“${who}”`);
      if (index > 0 && (at <= 0 || !namesCert(id.issuerSerial, path[at]))) {
        return fail(`时间戳的 ESS 签名证书属性中第 ${index + 1} 个证书标识不是签名证书链上签名者之上的证书`);
      }
    }
  }
  return unchecked ?? pass(`时间戳中注明的签名证书正是签名者“${who}”的证书`);
}

// ---- the chain, the key usage, the validity

// The pool certificate named as `cert`'s issuer whose key verifies its signature.
async function findIssuer(cert, pool) {
  let named = false, unsupported = false;
  for (const candidate of pool) {
    if (!same(candidate.subjectName, cert.issuerName)) continue;
    named = true;
    const verdict = await verifySignature(candidate.spki, cert.signatureAlgorithm, null, cert.tbs, cert.signature);
    if (verdict) return { issuer: candidate };
    unsupported ||= verdict === null;
  }
  return { issuer: null, named, unsupported };
}

async function checkChain(signer, embedded, pinned) {
  const isPinned = (c) => pinned.some((p) => same(p.der, c.der));
  const path = [signer];
  while (!isPinned(path.at(-1))) {
    const cert = path.at(-1);
    if (path.length >= MAX_DEPTH) return { path, check: fail(`证书链超过 ${MAX_DEPTH} 层仍未到达${PINNED}`) };
    const found = await findIssuer(cert, [...pinned, ...embedded]);
    if (found.unsupported) return { path, check: skip(cannotCheck(cert.signatureAlgorithm)) };
    if (!found.issuer) {
      return { path, check: fail(found.named
        ? `证书“${cert.subject}”的签名不能用任何名为“${cert.issuer}”的证书验证：它不是${PINNED}中的机构签发的`
        : `签名证书连不到${PINNED}：找不到“${cert.subject}”的签发者“${cert.issuer}”的证书`) };
    }
    if (path.some((c) => same(c.der, found.issuer.der))) {
      return { path, check: fail(same(found.issuer.der, cert.der)
        ? `证书链到达自签名证书“${cert.subject}”，它不在${PINNED}中`
        : `证书链成环（“${cert.subject}”与“${found.issuer.subject}”互相签发）`) };
    }
    path.push(found.issuer);
  }
  const anchor = path.at(-1);
  // Above the pinned certificate, OpenSSL (and so the Python verifier) goes on through the
  // pinned issuers to the root: those certificates' validity counts too.
  while (path.length < MAX_DEPTH && !same(path.at(-1).issuerName, path.at(-1).subjectName)) {
    const { issuer } = await findIssuer(path.at(-1), pinned);
    if (!issuer || path.some((c) => same(c.der, issuer.der))) break;
    path.push(issuer);
  }
  return { path, check: pass(anchor === signer ? `签名证书“${signer.subject}”就在${PINNED}中`
    : `签名证书“${signer.subject}”经 ${path.indexOf(anchor)} 级签发连到${PINNED}中的“${anchor.subject}”`) };
}

// Mirrors Python's _check_eku: one critical extended key usage, timeStamping alone (RFC 3161 2.3).
function checkEku(signer) {
  const who = signer.subject;
  if (!signer.eku) return fail(`签名证书“${who}”没有 timeStamping 扩展密钥用途`);
  const { usages, critical } = signer.eku;
  if (usages.length !== 1 || usages[0] !== TIME_STAMPING) {
    return fail(`签名证书“${who}”的扩展密钥用途应只有 timeStamping，实为 ${usages.join("、") || "（空）"}`);
  }
  if (!critical) return fail(`签名证书“${who}”的扩展密钥用途（timeStamping）没有标为关键扩展（critical）`);
  return pass(`签名证书“${who}”专用于签发时间戳（扩展密钥用途只有时间戳一项，且标为关键扩展）`);
}

// RFC 3161: what counts is each certificate's validity when the token was made, not today.
// Whole seconds, as the Python verifier (rfc3161-client drops genTime's fraction).
function checkValidity(path, genTime) {
  const at = Math.floor(genTime.date.getTime() / 1000);
  for (const cert of path) {
    if (at < cert.notBefore.getTime() / 1000) {
      return fail(`证书“${cert.subject}”在时间戳时间 ${iso(genTime.date)} 尚未生效（有效期自 ${iso(cert.notBefore)} 起）`);
    }
    if (at > cert.notAfter.getTime() / 1000) {
      return fail(`证书“${cert.subject}”在时间戳时间 ${iso(genTime.date)} 已过期（有效期至 ${iso(cert.notAfter)}）`);
    }
  }
  return pass(`时间戳时间${beijingText(genTime.date)}在证书链上${path.length}个证书的有效期内`);
}

function checkStatus(token, signed) {
  if (token.form === "token") return pass("文件是时间戳令牌本身（不含响应状态），按已批准处理");
  // RFC 3161 PKIStatus in words (table.js); an unknown one by its number
  const name = TOKEN_STATUSES[token.status] ?? `未知状态（状态码${token.status}）`;
  const said = token.statusText ? `；服务的说明：${token.statusText}` : "";
  // granted (0) only, as ssj check and rfc3161-client: "with modifications" is not what was asked
  if (token.status !== 0) {
    return fail(`时间戳服务没有按请求签发（状态：${name}${said}）${signed ? "" : "，文件中没有时间戳"}`);
  }
  if (!signed) return fail(`时间戳服务的回答是已签发（状态：${name}），却没有附带时间戳令牌`);
  return pass(`时间戳服务已按请求签发时间戳（状态：${name}${said}）`);
}

function checkImprint(tst, commitment) {
  if (!/^[0-9a-f]{64}$/.test(commitment)) return fail(`承诺值应为 64 位小写十六进制，实为“${commitment}”`);
  if (tst.hashAlgorithm !== SHA256) return fail(`时间戳的消息摘要算法是 ${nameOf(tst.hashAlgorithm)}，应为 SHA-256`);
  if (tst.imprint !== commitment) return fail(`时间戳针对的是另一个承诺值 ${tst.imprint}，不是本抽取包的 ${commitment}`);
  return pass(`时间戳的消息摘要（SHA-256）正是本抽取包的承诺值${commitment}`);
}

/** Every check of a .tsr over `commitment` (64 hex) against the pinned PEM chain. Throws
 * TokenError only when the file or the chain cannot be read. */
export async function checkToken(bytes, commitment, pinnedPem) {
  const { token, signed } = parse(bytes);
  const pinned = parsePem(pinnedPem).map((der, i) => parseCertificate(parseDer(der, `${PINNED}中第 ${i + 1} 个证书`)));
  const checks = { status: checkStatus(token, signed) };
  if (!signed) {
    for (const name of ["imprint", "signature", "chain", "eku", "validity", "ess"]) checks[name] = skip("文件中没有时间戳令牌，无从检查");
    return { token, checks, ok: false };
  }
  checks.imprint = checkImprint(signed.tst, commitment);
  const signer = signed.signerInfos.length === 1 ? findSigner(signed.signerInfos[0].sid, [...signed.certificates, ...pinned]) : null;
  checks.signature = await checkSignature(signed, signer);
  if (signer) {
    token.authority = signer.subject;
    const { path, check } = await checkChain(signer, signed.certificates, pinned);
    Object.assign(checks, { chain: check, eku: checkEku(signer), validity: checkValidity(path, signed.tst.genTime),
      ess: await checkEss(signed.signerInfos[0], signer, path) });
  } else {
    const why = signed.signerInfos.length === 1
      ? `签名证书不在${PINNED}中，时间戳也没有附带它` : `时间戳应只有一个签名者，实有 ${signed.signerInfos.length} 个`;
    Object.assign(checks, { chain: fail(why), eku: skip(`${why}，无从检查`), validity: skip(`${why}，无从检查`),
      ess: skip(`${why}，无从检查`) });
  }
  const failed = Object.values(checks).some((c) => c.state === "fail");
  const passed = (name) => checks[name].state === "pass";
  return { token, checks, ok: !failed && passed("signature") && passed("chain") && passed("ess") };
}
