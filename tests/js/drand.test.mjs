// The browser's drand check (site/static/verify/drand.js) against real mainnet rounds, with the
// chains of table.js (the table generator/draw/table.py writes from generator/records/chains.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { checkRound, checkRoundAgainst, roundTime, DrandError } from "../../site/static/verify/drand.js";
import { CHAINS } from "../../site/static/verify/table.js";

const read = (p) => JSON.parse(readFileSync(new URL(`../vectors/drand/${p}`, import.meta.url), "utf8"));
const chains = read("chains.json");
const rounds = read("rounds.json");
const flip = (h, at) => h.slice(0, at) + (h[at] === "0" ? "1" : "0") + h.slice(at + 1);

test("the vectors cover both chains", () => {
  assert.deepEqual(new Set(rounds.map((r) => r.chain)), new Set(["default", "quicknet"]));
});

test("table.js pins the chains the vectors name, key for key", () => {
  assert.deepEqual(Object.keys(CHAINS).sort(), Object.keys(chains).sort());
  for (const [name, chain] of Object.entries(CHAINS)) {
    for (const key of ["scheme", "period", "genesis_time", "public_key", "chain_hash"]) {
      assert.equal(chain[key], chains[name][key], `${name}.${key}`);
    }
  }
  assert.ok(Object.isFrozen(CHAINS) && Object.isFrozen(CHAINS.quicknet));
});

for (const r of rounds) {
  test(`${r.chain} round ${r.round}`, async () => {
    assert.equal(await checkRound(r.chain, r.round, r), r.randomness);
    // the same round claimed as the next one: round number and, signed anew, the signature
    await assert.rejects(checkRound(r.chain, r.round + 1, r), new RegExp(`drand 轮次应为 ${r.round + 1}，实为 ${r.round}$`));
    await assert.rejects(checkRound(r.chain, r.round + 1, { ...r, round: r.round + 1 }),
      { message: `drand ${r.chain} 第 ${r.round + 1} 轮的签名验证失败` });
    // one byte of the signature (randomness recomputed so only the BLS check can notice)
    const forged = flip(r.signature, 40);
    const digest = Buffer.from(await crypto.subtle.digest("SHA-256", Buffer.from(forged, "hex"))).toString("hex");
    await assert.rejects(checkRound(r.chain, r.round, { ...r, signature: forged, randomness: digest }), /签名验证失败/);
    await assert.rejects(checkRound(r.chain, r.round, { ...r, randomness: flip(r.randomness, 0) }),
      { message: "randomness 不等于 signature 的 SHA-256" });
    await assert.rejects(checkRound(r.chain, r.round, { ...r, signature: r.signature.toUpperCase() }),
      { message: "drand 轮次数据的 signature 应为小写十六进制字符串" });
  });
}

test("the round found is shown as Python's repr shows it", async () => {
  const r = rounds.find((x) => x.chain === "quicknet");
  await assert.rejects(checkRound("quicknet", r.round, { ...r, round: String(r.round) }), { message: `drand 轮次应为 ${r.round}，实为 '${r.round}'` });
  await assert.rejects(checkRound("quicknet", r.round, { ...r, round: undefined }), { message: `drand 轮次应为 ${r.round}，实为 None` });
  await assert.rejects(checkRound("quicknet", r.round, [r]), { message: "drand 轮次数据应为 JSON 对象" });
});

test("only the pinned chains: a name the table lacks is refused", async () => {
  const r = rounds.find((x) => x.chain === "quicknet");
  for (const name of ["testnet", "constructor", "__proto__"]) {
    await assert.rejects(checkRound(name, r.round, r), { message: `未知的 drand 链 ${name}（可用：quicknet、default）` });
    assert.throws(() => roundTime(name, 1), DrandError);
  }
});

test("a chained round is tied to its previous signature", async () => {
  const r = rounds.find((x) => x.chain === "default");
  await assert.rejects(checkRound("default", r.round, { ...r, previous_signature: flip(r.previous_signature, 10) }), /签名验证失败/);
});

test("another chain's key refuses the round", async () => {
  const r = rounds.find((x) => x.chain === "default");
  const wrong = { ...CHAINS.default, public_key: rounds.find((x) => x.chain === "quicknet").signature };
  await assert.rejects(checkRoundAgainst(wrong, r.round, r), /签名验证失败/);
});

test("round times follow the chain's schedule", () => {
  assert.equal(roundTime("quicknet", 1), chains.quicknet.genesis_time);
  assert.equal(roundTime("quicknet", 1000), 1692803367 + 999 * 3);
  assert.equal(roundTime("default", 1337), 1595431050 + 1336 * 30);
});
