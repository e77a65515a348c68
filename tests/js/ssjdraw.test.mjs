// The browser verifier (site/static/verify/ssjdraw.js) against the spec's vectors and, when
// tests/test_js_draw.py supplies them (SSJ_JS_CASES), against the Python reference.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as ssj from "../../site/static/verify/ssjdraw.js";
import { difference } from "../../site/static/verify/compare.js";
import { say } from "../../site/static/verify/table.js";

const root = new URL("../../", import.meta.url);
const read = (p) => readFileSync(fileURLToPath(new URL(p, root)));
const vector = (name) => ssj.parse(read(`tests/vectors/draw-basic/${name}`).toString("utf8"));
const hex = (bytes) => Buffer.from(bytes).toString("hex");

test("draw-basic vector, byte for byte", async () => {
  const pkg = vector("package.json"), values = vector("values.json");
  const expected = read("tests/vectors/draw-basic/result.json");
  const result = await ssj.draw(pkg, values);
  assert.equal(result.commitment, JSON.parse(expected).commitment);
  assert.equal(await ssj.commitment(pkg), result.commitment);
  assert.equal(await ssj.seed(result.commitment, values), JSON.parse(expected).seed);
  assert.ok(Buffer.from(await ssj.serialise(result)).equals(expected));
});

test("canon: code-point key order, JSON escapes, non-ASCII as itself", async () => {
  const text = Buffer.from(await ssj.canon({ b: ["Ａ", "😀", 'q"\\'], a: -3, c: null, d: true })).toString("utf8");
  assert.equal(text, '{"a":-3,"b":["Ａ","😀","q\\"\\\\"],"c":null,"d":true}');
  // code point order puts U+FF21 before U+1D518; UTF-16 order would not
  assert.ok(ssj.compareCodePoints("Ａ", "𝔘") < 0 && ssj.compareCodePoints("𝔘", "\uffff") > 0);
  assert.ok(ssj.compareCodePoints("a", "ab") < 0 && ssj.compareCodePoints("1", "１") < 0);
});

test("canon refuses what the spec forbids", async () => {
  for (const bad of [1.5, 2 ** 53, -(2 ** 53), "e\u0301", "a\u0000", "a\u007f", "\ud800", { "é": 1 },
                     [undefined], { a: new Date(0) }, NaN, Infinity]) {
    await assert.rejects(ssj.canon(bad), ssj.DrawError, `accepted ${String(bad)}`);
  }
  assert.throws(() => ssj.parse('{"k":2.0}'), /只允许整数/);
  assert.throws(() => ssj.parse("[1e3]"), /只允许整数/);
  assert.deepEqual(ssj.parse('["2.0",-0,7]'), ["2.0", -0, 7]);
});

test("refuses invalid packages and values", async () => {
  const good = vector("package.json"), values = vector("values.json");
  const cases = {
    "float weight": (p) => { p.strata[0].targets[0].weight = 1.5; },
    "non-NFC string": (p) => { p.plan = "e\u0301"; },
    "unsorted targets": (p) => { p.strata[0].targets.reverse(); },
    "duplicate inspector": (p) => { p.inspectors.splice(1, 0, { ...p.inspectors[0] }); },
    "duplicate target across strata": (p) => { p.strata[1].targets.unshift({ ...p.strata[0].targets[0] }); },
    "unknown key": (p) => { p.extra = 1; },
    "unknown stratum key": (p) => { p.strata[0].note = "x"; },
    "k too large": (p) => { p.strata[1].k = 4; },
    "boolean team size": (p) => { p.team_size = true; },
    "exclusion names a stranger": (p) => { p.exclusions[0].inspector = "nobody"; },
    "unsorted exclusions": (p) => { p.exclusions.reverse(); },
    "bad reason": (p) => { p.exclusions[0].reason = "dislike"; },
    "bad date": (p) => { p.as_of = "2025-02-29"; },
    "no sources": (p) => { p.sources = []; },
  };
  for (const [name, spoil] of Object.entries(cases)) {
    const p = structuredClone(good);
    spoil(p);
    assert.throws(() => ssj.validatePackage(p), ssj.DrawError, name);
    await assert.rejects(ssj.draw(p, values), ssj.DrawError, name);
  }
  for (const bad of [[values[0]], [values[0].toUpperCase(), values[1]], [values[0], "03 7"], [values[0], 3]]) {
    await assert.rejects(ssj.draw(good, bad), ssj.DrawError, JSON.stringify(bad));
  }
  // an infeasible team is an error naming the target
  const p = structuredClone(good);
  p.strata[0].min_lead = 2;
  p.exclusions = [{ target: "31211300MD00012016", inspector: "21130019002", reason: "recusal" },
                  { target: "31211300MD00012016", inspector: "21130019003", reason: "recusal" }];
  await assert.rejects(ssj.draw(p, values), /31211300MD00012016/);
});

test("differential: same bytes as the Python reference", { skip: !process.env.SSJ_JS_CASES && "SSJ_JS_CASES not set" }, async () => {
  const cases = JSON.parse(readFileSync(process.env.SSJ_JS_CASES, "utf8"));
  assert.ok(cases.length > 0);
  const wrong = [];
  let drawn = 0, refused = 0;
  for (const [n, c] of cases.entries()) {
    let got;
    try {
      got = hex(await ssj.serialise(await ssj.draw(c.package, c.values)));
    } catch (e) {
      if (!(e instanceof ssj.DrawError)) throw e;
      got = { error: e.message };
    }
    if (c.error) {
      if (typeof got === "string") wrong.push(`case ${n}: Python refused, JS drew`);
      else refused++;
    } else if (got !== c.result_hex) {
      wrong.push(`case ${n}: ${typeof got === "string" ? "different bytes" : `JS refused: ${got.error}`}`);
    } else {
      drawn++;
    }
  }
  console.log(`# differential: ${cases.length} cases, ${drawn} drawn alike, ${refused} refused by both`);
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} of ${cases.length} cases differ`);
});

test("differences and messages: the words of the Python table", { skip: !process.env.SSJ_JS_WORDS && "SSJ_JS_WORDS not set" }, () => {
  const { differences, messages } = JSON.parse(readFileSync(process.env.SSJ_JS_WORDS, "utf8"));
  assert.ok(differences.length > 0 && messages.length > 0);
  const wrong = [];
  for (const [n, c] of differences.entries()) {
    const got = difference(Buffer.from(c.expected, "hex"), Buffer.from(c.actual, "hex"));
    if (got !== c.words) wrong.push(`difference ${n} (${c.name}): JS ${JSON.stringify(got)}, Python ${JSON.stringify(c.words)}`);
  }
  for (const [id, fields, words] of messages) {
    const got = say(id, fields);
    if (got !== words) wrong.push(`say ${id}: JS ${JSON.stringify(got)}, Python ${JSON.stringify(words)}`);
  }
  console.log(`# words: ${differences.length} differences, ${messages.length} messages alike`);
  assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} differ`);
});
