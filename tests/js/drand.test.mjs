// The browser's drand check (site/static/verify/drand.js) against real mainnet rounds.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { checkRound, roundTime, DrandError } from "../../site/static/verify/drand.js";

const read = (p) => JSON.parse(readFileSync(new URL(`../vectors/drand/${p}`, import.meta.url), "utf8"));
const chains = read("chains.json");
const rounds = read("rounds.json");
const flip = (h, at) => h.slice(0, at) + (h[at] === "0" ? "1" : "0") + h.slice(at + 1);

test("the vectors cover both chains", () => {
  assert.deepEqual(new Set(rounds.map((r) => r.chain)), new Set(["default", "quicknet"]));
});

for (const r of rounds) {
  const chain = { ...chains[r.chain], name: r.chain };
  test(`${r.chain} round ${r.round}`, async () => {
    assert.equal(await checkRound(chain, r.round, r), r.randomness);
    // the same round claimed as the next one: round number and, signed anew, the signature
    await assert.rejects(checkRound(chain, r.round + 1, r), DrandError);
    await assert.rejects(checkRound(chain, r.round + 1, { ...r, round: r.round + 1 }), /BLS 签名/);
    // one byte of the signature (randomness recomputed so only the BLS check can notice)
    const forged = flip(r.signature, 40);
    const digest = Buffer.from(await crypto.subtle.digest("SHA-256", Buffer.from(forged, "hex"))).toString("hex");
    await assert.rejects(checkRound(chain, r.round, { ...r, signature: forged, randomness: digest }), /BLS 签名/);
    await assert.rejects(checkRound(chain, r.round, { ...r, randomness: flip(r.randomness, 0) }), /SHA-256/);
    await assert.rejects(checkRound(chain, r.round, { ...r, signature: r.signature.toUpperCase() }), /十六进制/);
  });
}

test("a chained round is tied to its previous signature", async () => {
  const r = rounds.find((x) => x.chain === "default");
  await assert.rejects(checkRound({ ...chains.default, name: "default" }, r.round,
    { ...r, previous_signature: flip(r.previous_signature, 10) }), /BLS 签名/);
});

test("another chain's key refuses the round", async () => {
  const r = rounds.find((x) => x.chain === "default");
  const wrong = { ...chains.default, public_key: rounds.find((x) => x.chain === "quicknet").signature };
  await assert.rejects(checkRound(wrong, r.round, r), /BLS 签名/);
});

test("round times follow the chain's schedule", () => {
  assert.equal(roundTime(chains.quicknet, 1), chains.quicknet.genesis_time);
  assert.equal(roundTime(chains.quicknet, 1000), 1692803367 + 999 * 3);
  assert.equal(roundTime(chains.default, 1337), 1595431050 + 1336 * 30);
});
