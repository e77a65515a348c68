// The browser's RFC 3161 checker (site/static/verify/tsr.js) against the shared vectors and the
// example draws and, when tests/test_js_tsr.py supplies them (SSJ_TSR_CASES), against tokens
// from throwaway authorities whose verdict the Python verifier confirmed (and, for an ESS fault,
// whose words it gave).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as tsr from "../../site/static/verify/tsr.js";

const root = new URL("../../", import.meta.url);
const path = (p) => fileURLToPath(new URL(p, root));
const bytes = (p) => new Uint8Array(readFileSync(path(p)));
const text = (p) => readFileSync(path(p), "utf8");

const VECTOR = "tests/vectors/tsa/";
const VECTOR_COMMITMENT = "4b9ac04fef7515818520d24e1fb83f7f52702f2cc50b63a34e05218e14432105";
const VECTOR_CHAIN = text(`${VECTOR}root-ca.pem`) + text(`${VECTOR}tsa.pem`);
const CHECKS = ["status", "imprint", "signature", "chain", "eku", "validity", "ess"];
const ALL_PASS = Object.fromEntries(CHECKS.map((name) => [name, "pass"]));

const states = (result) => Object.fromEntries(CHECKS.map((name) => [name, result.checks[name].state]));

// The example authority's chain as pinned in records/jurisdiction.yaml: the `chain: |` block
// scalar of the example-tsa entry, de-indented (a text scan: no YAML parser here).
function exampleChain() {
  const lines = text("records/jurisdiction.yaml").split("\n");
  const entry = lines.findIndex((l) => /^\s*- id: example-tsa\s*$/.test(l));
  const start = lines.findIndex((l, i) => i > entry && /^\s*chain: \|\s*$/.test(l));
  assert.ok(entry >= 0 && start > entry, "records/jurisdiction.yaml pins no chain for example-tsa");
  const indent = lines[start + 1].match(/^\s*/)[0];
  const block = [];
  for (const line of lines.slice(start + 1)) {
    if (!line.startsWith(indent)) break;
    block.push(line.slice(indent.length));
  }
  return block.join("\n");
}

function exampleDraws() {
  return readdirSync(path("records/draws/")).filter((plan) => existsSync(path(`records/draws/${plan}/timestamp-example-tsa.tsr`)));
}

test("draw-basic vector: every check passes", async () => {
  const result = await tsr.checkToken(bytes(`${VECTOR}draw-basic.tsr`), VECTOR_COMMITMENT, VECTOR_CHAIN);
  assert.deepEqual(states(result), ALL_PASS);
  assert.equal(result.ok, true);
  const token = result.token;
  assert.equal(token.form, "response");
  assert.equal(token.status, 0);
  assert.equal(token.hashAlgorithm, "2.16.840.1.101.3.4.2.1");
  assert.equal(token.imprint, VECTOR_COMMITMENT);
  assert.equal(token.genTimeText, "2026-12-01T03:50:43Z");
  assert.equal(token.genTime.getTime(), Date.UTC(2026, 11, 1, 3, 50, 43));
  assert.equal(token.policy, "1.2.3.4.1");
  assert.equal(token.serial, "2");
  assert.equal(token.authority, "Example TSA (test only)");
  assert.equal(token.certificates.length, 1);
  assert.deepEqual(tsr.readToken(bytes(`${VECTOR}draw-basic.tsr`)).authority, "Example TSA (test only)");
});

test("draw-basic vector: its ESS attribute (signingCertificateV2) names its signer", async () => {
  const result = await tsr.checkToken(bytes(`${VECTOR}draw-basic.tsr`), VECTOR_COMMITMENT, VECTOR_CHAIN);
  assert.equal(result.checks.ess.message, "时间戳中注明的签名证书正是签名者“Example TSA (test only)”的证书");
});

test("a token without an ESS attribute: ess fails and the token is not accepted", async () => {
  // the vector with its signingCertificateV2 attribute renamed to an unknown type: the signature
  // breaks too (the attributes are signed), but the ess check says what is missing
  const data = bytes(`${VECTOR}draw-basic.tsr`);
  const oid = [0x06, 0x0b, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x10, 0x02, 0x2f];
  const at = data.findIndex((_, i) => oid.every((b, j) => data[i + j] === b));
  assert.ok(at > 0);
  data[at + oid.length - 1] = 0x7f;
  const result = await tsr.checkToken(data, VECTOR_COMMITMENT, VECTOR_CHAIN);
  assert.deepEqual(states(result), { ...ALL_PASS, signature: "fail", ess: "fail" });
  assert.equal(result.checks.ess.message,
    "时间戳没有 ESS 签名证书属性（signingCertificate 或 signingCertificateV2，RFC 5035/5816），无法确认签名者；openssl ts -verify 同样拒绝");
  assert.equal(result.ok, false);
});

test("draw-basic vector: the root alone may be pinned", async () => {
  const result = await tsr.checkToken(bytes(`${VECTOR}draw-basic.tsr`), VECTOR_COMMITMENT, text(`${VECTOR}root-ca.pem`));
  assert.deepEqual(states(result), ALL_PASS);
  assert.match(result.checks.chain.message, /Example Root CA/);
});

test("a stamp over another commitment: the imprint fails, the signature holds", async () => {
  const result = await tsr.checkToken(bytes(`${VECTOR}other-commitment.tsr`), VECTOR_COMMITMENT, VECTOR_CHAIN);
  assert.deepEqual(states(result), { ...ALL_PASS, imprint: "fail" });
  assert.equal(result.ok, false);
  assert.match(result.checks.imprint.message, /另一个承诺值/);
});

test("a malformed commitment fails the imprint check", async () => {
  const result = await tsr.checkToken(bytes(`${VECTOR}draw-basic.tsr`), VECTOR_COMMITMENT.toUpperCase(), VECTOR_CHAIN);
  assert.equal(result.checks.imprint.state, "fail");
  assert.match(result.checks.imprint.message, /64 位小写十六进制/);
});

test("the example draws' tokens (ECDSA P-256) verify against the chain pinned in jurisdiction.yaml", async () => {
  const plans = exampleDraws();
  assert.ok(plans.length >= 4, `only ${plans.length} example tokens`);
  for (const plan of plans) {
    const commitment = text(`records/draws/${plan}/commitment.txt`).trim();
    const result = await tsr.checkToken(bytes(`records/draws/${plan}/timestamp-example-tsa.tsr`), commitment, exampleChain());
    assert.deepEqual(states(result), ALL_PASS, `${plan}: ${JSON.stringify(result.checks)}`);
    assert.equal(result.ok, true, plan);
  }
});

test("one changed byte in the signature value fails the signature", async () => {
  const plan = exampleDraws()[0];
  const signed = [
    [bytes(`${VECTOR}draw-basic.tsr`), VECTOR_COMMITMENT, VECTOR_CHAIN],  // RSA: the last 256 bytes
    [bytes(`records/draws/${plan}/timestamp-example-tsa.tsr`),  // ECDSA: the end of s
      text(`records/draws/${plan}/commitment.txt`).trim(), exampleChain()],
  ];
  for (const [data, commitment, chain] of signed) {
    data[data.length - 5] ^= 0x01;
    const result = await tsr.checkToken(data, commitment, chain);
    assert.deepEqual(states(result), { ...ALL_PASS, signature: "fail" });
    assert.match(result.checks.signature.message, /签名无效/);
  }
});

test("another authority's pinned chain fails the chain", async () => {
  const plan = exampleDraws()[0];
  const vector = await tsr.checkToken(bytes(`${VECTOR}draw-basic.tsr`), VECTOR_COMMITMENT, exampleChain());
  assert.equal(vector.checks.chain.state, "fail");
  assert.equal(vector.checks.signature.state, "pass");  // the signer's certificate came with the token
  assert.equal(vector.ok, false);
  const example = await tsr.checkToken(bytes(`records/draws/${plan}/timestamp-example-tsa.tsr`),
    text(`records/draws/${plan}/commitment.txt`).trim(), VECTOR_CHAIN);
  assert.equal(example.checks.chain.state, "fail");
  assert.equal(example.ok, false);
});

test("unreadable files throw TokenError with the reason", async () => {
  const good = bytes(`${VECTOR}draw-basic.tsr`);
  let seed = 7;
  const random = Uint8Array.from({ length: 300 }, () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) & 0xff);
  const bad = {
    empty: [new Uint8Array(0), /是空的/],
    truncated: [good.subarray(0, good.length - 1), /长度越界/],
    "cut in half": [good.subarray(0, good.length >> 1), /长度越界/],
    "trailing garbage": [Uint8Array.from([...good, 0, 0]), /多出 2 字节/],
    "indefinite length": [Uint8Array.from([0x30, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00]), /不定长度/],
    "random bytes": [random, /时间戳文件/],
    "not a time-stamp": [Uint8Array.from([0x30, 0x03, 0x02, 0x01, 0x05]), /结构不对/],
  };
  for (const [name, [data, reason]] of Object.entries(bad)) {
    assert.throws(() => tsr.readToken(data), (e) => e instanceof tsr.TokenError && reason.test(e.message), name);
    await assert.rejects(tsr.checkToken(data, VECTOR_COMMITMENT, VECTOR_CHAIN), tsr.TokenError, name);
  }
  assert.throws(() => tsr.readToken(good.subarray(0, 40)), /时间戳文件不是有效的 DER：第 \d+ 字节处长度越界/);
});

test("parsePem reads certificates and refuses what is not a certificate chain", () => {
  assert.equal(tsr.parsePem(VECTOR_CHAIN).length, 2);
  assert.equal(tsr.parsePem(exampleChain()).length, 2);
  assert.throws(() => tsr.parsePem(""), tsr.TokenError);
  assert.throws(() => tsr.parsePem("just words"), /不是 PEM 格式/);
  assert.throws(() => tsr.parsePem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), /私钥/);
  assert.throws(() => tsr.parsePem("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n"), /base64/);
});

if (process.env.SSJ_TSR_CASES) {
  test("cases from the Python verifier (SSJ_TSR_CASES)", async () => {
    const cases = JSON.parse(readFileSync(process.env.SSJ_TSR_CASES, "utf8"));
    assert.ok(cases.length > 0);
    const wrong = [];
    for (const c of cases) {
      const data = Uint8Array.from(Buffer.from(c.token_hex, "hex"));
      let result;
      try {
        result = await tsr.checkToken(data, c.commitment, c.pinned_pem);
      } catch (error) {
        if (!(error instanceof tsr.TokenError)) throw error;
        if (!c.error) wrong.push(`${c.name}: refused (${error.message})`);
        continue;
      }
      if (c.error) wrong.push(`${c.name}: read, should be refused`);
      for (const [name, want] of Object.entries(c.expect ?? {})) {
        const got = name === "ok" ? result.ok : result.checks[name].state;
        if (got !== want) wrong.push(`${c.name}: ${name} is ${got}, expected ${want} (${result.checks[name]?.message ?? ""})`);
      }
      if (c.ess_message && result.checks.ess.message !== c.ess_message) {
        wrong.push(`${c.name}: ess says “${result.checks.ess.message}”, Python “${c.ess_message}”`);
      }
    }
    console.log(`# tsr cases: ${cases.length}`);
    assert.deepEqual(wrong, []);
  });
}
