// verify.html: fetch a plan's published draw files (?plan=ID) or take files the reader chose,
// check each step, and show pass or fail in plain Chinese with its inputs. <main> carries the
// verdict (data-verdict) and each step its state (data-state), for people and for tests alike.
//
// What is trusted comes from this page's own code, never from the site's data: the drand chains
// and the spec's minimum margin are table.js's, and verify.json (written by the same bureau as
// the files it lists) may only make the rules stricter. The messages are table.js's too, the
// words `ssj draw verify` says for the same fault.
import * as ssj from "./ssjdraw.js";
import { DrandError, checkRound, roundTime } from "./drand.js";
import { checkToken, TokenError } from "./tsr.js";
import { difference } from "./compare.js";
import { colonHex, rootsOf } from "./roots.js";
import {
  CHAINS, COMMITMENT_FILE, MIN_MARGIN_HOURS, PACKAGE_FILE, RESULT_FILE, TOKEN_FILE_PATTERN, VALUES_FILE,
  roundFile, say, sourceLabel,
} from "./table.js";

const STATE_TEXT = { pass: "通过", fail: "未通过", skip: "未核验" };
const utf8 = new TextDecoder("utf-8", { fatal: true });
const chosen = document.getElementById("chosen");
const root = new URL(chosen.dataset.root, location.href);

/** An element with attributes and children (strings become text: nothing is parsed as HTML). */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  node.append(...children.flat());
  return node;
}
const code = (text) => el("code", {}, String(text));

/** A moment in Beijing time, in the Chinese form: the date and the time each stay on one line. */
function beijing(unixSeconds) {
  const d = new Date((unixSeconds + 8 * 3600) * 1000);
  const day = `${d.getUTCFullYear()}年${d.getUTCMonth() + 1}月${d.getUTCDate()}日`;
  return [el("span", { class: "nw" }, day), " ", el("span", { class: "nw" }, d.toISOString().slice(11, 19)), "（北京时间）"];
}
// ISO dates and times in messages from the checks, kept whole when a line wraps
const MOMENT = /(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}:\d{2}Z?)?|\d{4}年\d{1,2}月\d{1,2}日|\d{2}:\d{2}:\d{2})/;
function unbroken(text) {
  return text.split(MOMENT).map((part, n) => (n % 2 ? el("span", { class: "nw" }, part) : part));
}
function span(seconds) {
  const s = Math.abs(seconds);
  const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  return d ? `${d}天${h}小时` : h ? `${h}小时${m}分` : `${m}分${s % 60}秒`;
}
const sentence = (text) => (/[。！？]$/.test(text) ? text : text + "。");

/** say(), with some fields given as nodes (a link): the words around them stay plain text, and
 * punctuation right after a node that can hold it (glue) stays on its line. */
function sayNodes(id, fields, nodes) {
  const list = Object.values(nodes);
  const marks = Object.fromEntries(Object.keys(nodes).map((k, i) => [k, `\u0000${i}\u0000`]));
  const parts = say(id, { ...fields, ...marks }).split(/\u0000(\d+)\u0000/).map((part, i) => (i % 2 ? list[+part] : part));
  for (let i = 1; i + 1 < parts.length; i += 2) parts[i + 1] = glued(parts[i], parts[i + 1]);
  return parts;
}

// `text` after `node`: its leading punctuation kept on the node's last line when the node can hold it
function glued(node, text) {
  if (!node?.glue || !/^[，；。：、）]/.test(text)) return text;
  node.glue(text[0]);
  return text.slice(1);
}
/** `parts` (from sayNodes) followed by `text`. */
function followed(parts, text) {
  const last = parts.findLast((p) => p !== "");
  return [...parts, glued(last, text)];
}

class Step {
  constructor(name) {
    this.node = document.querySelector(`[data-step="${name}"]`);
    this.detail = this.node.querySelector(".detail");
    this.detail.replaceChildren();
    this.set("pending", "正在核验……");
  }
  set(state, summary) {
    this.state = state;
    this.node.dataset.state = state;
    this.node.querySelector(".state").replaceChildren(
      state in STATE_TEXT ? el("strong", {}, STATE_TEXT[state] + "：") : "", summary);
  }
  add(...nodes) {
    this.detail.append(...nodes);
  }
}

/** A published file that cannot be read as what it should be. */
class FileError extends Error {}

/** The files of one draw, by name, and the authority chains (PEM text) by authority id. */
class Draw {
  constructor(files, pins = new Map()) {
    this.files = files;
    this.pins = pins;
  }
  text(name) {
    const bytes = this.files.get(name);
    if (bytes === undefined) return undefined;
    try {
      return utf8.decode(bytes);
    } catch {
      throw new FileError(say("not_json", { file: name, reason: "不是 UTF-8 文本" }));
    }
  }
  json(name) {
    const text = this.text(name);
    if (text === undefined) return undefined;
    try {
      return ssj.parse(text);
    } catch (e) {
      throw new FileError(say("not_json", { file: name, reason: e.message }));
    }
  }
}

/** How the files came, and so which rules judge them.
 * plan: the host site's own draw, opened by ?plan=ID: the site's policy for that plan (stricter
 *   than the spec's floor only), its authorities in force, and, on example data, the leniency
 *   of a demonstration (a late token is "not proven", never "passed").
 * chosen: files the reader chose or dropped: no site's rules apply; every token must verify and
 *   be on time by the spec's floor. */
class Context {
  constructor(mode, index = null, entry = null, { folder = null, sectors = null } = {}) {
    Object.assign(this, { mode, index, entry, folder });
    this.example = mode === "plan" && index?.example === true;
    // the sectors' Chinese names (verify.json, from the records' own table): words only
    this.sectors = sectors ?? index?.sectors ?? {};
  }
  /** A stratum as people read it: its sector's name, else its code. */
  sector(id) {
    const name = Object.hasOwn(this.sectors, id) ? this.sectors[id] : null;
    return typeof name === "string" && name ? name : String(id);
  }
  /** A draw file's name: a link to it when the files are the site's own. */
  file(name) {
    return this.folder ? el("a", { href: new URL(encodeURIComponent(name), this.folder).href }, name) : code(name);
  }
  authority(id) {
    // a plan drawn by a higher bureau names its own pinned chains (verify.json plans[].pins)
    const listed = this.mode === "plan" ? this.entry?.pins ?? this.index?.authorities : null;
    return listed && Object.hasOwn(listed, id) ? listed[id] : null;
  }
}

async function fetchBytes(url) {
  const response = await fetch(url, { cache: "no-cache" });
  if (!response.ok) throw new Error(`无法读取 ${decodeURIComponent(url.pathname)}（HTTP ${response.status}）`);
  return new Uint8Array(await response.arrayBuffer());
}

async function loadIndex() {
  return JSON.parse(utf8.decode(await fetchBytes(new URL("verify.json", root))));
}

const drawFolder = (planId) => new URL(`draws/${encodeURIComponent(planId)}/`, root);

async function fetchPlan(index, planId) {
  const entry = Object.hasOwn(index.plans, planId) ? index.plans[planId] : null;
  if (!entry) throw new Error(`本站没有计划 ${planId} 的抽取记录`);
  const folder = drawFolder(planId);
  const files = new Map(await Promise.all(entry.files.map(async (name) =>
    [name, await fetchBytes(new URL(encodeURIComponent(name), folder))])));
  const pins = new Map(await Promise.all(Object.entries(entry.pins ?? index.authorities ?? {}).map(async ([id, a]) =>
    [id, utf8.decode(await fetchBytes(new URL(a.chain, root)))])));
  return new Draw(files, pins);
}

async function chosenFiles(list) {
  const files = new Map(), pins = new Map();
  for (const file of list) {
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (file.name.endsWith(".pem")) pins.set(file.name.slice(0, -4), utf8.decode(bytes));
    else files.set(file.name, bytes);
  }
  return new Draw(files, pins);
}

// ---- the steps ----------------------------------------------------------------------------

/** The commitment step: the package must be a valid ssj-draw/1 package, and its canonical
 * SHA-256 equal every commitment published for it. Returns the package and the commitment. */
async function checkCommitment(draw, ctx, result) {
  const step = new Step("commitment");
  let pkg;
  try {
    pkg = draw.json(PACKAGE_FILE);
  } catch (e) {
    return step.set("fail", sentence(e.message)), null;
  }
  if (pkg === undefined) return step.set("fail", sentence(say("package_missing", { file: PACKAGE_FILE }))), null;
  try {
    ssj.validatePackage(pkg);
  } catch (e) {
    return step.set("fail", sentence(say("package_invalid", { file: PACKAGE_FILE, reason: e.message }))), null;
  }
  const computed = await ssj.commitment(pkg);
  step.add(el("p", {}, "抽取包（", ctx.file(PACKAGE_FILE), "）规范化（键按码点排序、无空白、中文等非ASCII字符原样保留、UTF-8编码）后的SHA-256：", code(computed)));
  // [where, as the shared messages name it, the commitment it gives, as a reader reads where]
  const claims = [];
  const stored = safeText(draw, COMMITMENT_FILE);
  if (stored !== undefined) claims.push([COMMITMENT_FILE, stored.trim(), "承诺值文件", ["承诺值文件（", ctx.file(COMMITMENT_FILE), "）"]]);
  if (ctx.entry?.commitment) claims.push(["本站计划页", ctx.entry.commitment, "本站计划页", ["本站计划页"]]);
  if (result && typeof result.commitment === "string") {
    claims.push([RESULT_FILE, result.commitment, "抽取结果文件", ["抽取结果文件（", ctx.file(RESULT_FILE), "）中写的"]]);
  }
  for (const [, value, , shown] of claims) {
    step.add(el("p", {}, ...shown, "：", code(value), value === computed ? "（相同）" : "（不同）"));
  }
  const wrong = claims.filter(([, value]) => value !== computed);
  if (wrong.length) {
    step.set("fail", wrong.map(([where, claimed]) => sentence(say("commitment_mismatch", { where, claimed, computed }))).join(""));
  } else if (!claims.length) {
    step.set("skip", sentence(say("commitment_none")));
  } else {
    step.set("pass", sentence(say("commitment_same", { where: claims.map(([, , name]) => name).join("、") })));
  }
  return { pkg, commitment: computed };
}

function safeText(draw, name) {
  try {
    return draw.text(name);
  } catch {
    return "（不是 UTF-8 文本）";
  }
}

function safeJson(draw, name) {
  try {
    return draw.json(name);
  } catch {
    return undefined;
  }
}

/** The hand check of a lottery value: the value, the issue and its draw date, the official page. */
function lotteryCheck(source, value, official) {
  const page = official ? el("a", { href: official, class: "hash" }, official) : say("lottery_no_page");
  return el("div", { class: "scroll", tabindex: "0" }, el("table", { "data-hand-check": "lottery" },
    el("caption", {}, "须人工核对（按出球顺序逐个比对）"),
    el("thead", {}, el("tr", {}, el("th", { scope: "col" }, "录入号码"),
      el("th", { scope: "col" }, "期号、日期"), el("th", { scope: "col" }, "开奖公告"))),
    el("tbody", {}, el("tr", {}, el("td", {}, code(value)),
      el("td", {}, `${sourceLabel(source)}，`, el("span", { class: "nw" }, String(source.date ?? "?")),
        source.time ? [" ", el("span", { class: "nw" }, String(source.time))] : []),
      el("td", {}, page)))));
}

async function checkValues(pkg, draw, ctx) {
  const step = new Step("values");
  let values;
  try {
    values = draw.json(VALUES_FILE);
    if (values === undefined) throw new Error(say("values_missing", { file: VALUES_FILE }));
    try {
      ssj.validateValues(values, pkg);
    } catch (e) {
      throw new Error(say("values_invalid", { file: VALUES_FILE, reason: e.message }));
    }
  } catch (e) {
    step.set("fail", sentence(e.message));
    return null;
  }
  let failed = 0, unverified = 0, verified = 0;
  const lotteries = [];
  const items = [];
  for (const [i, source] of pkg.sources.entries()) {
    const n = i + 1, label = sourceLabel(source), value = values[i];
    const item = el("li", { "data-source": String(n) });
    items.push(item);
    if (source.kind === "drand") {
      if (typeof source.chain !== "string" || !Object.hasOwn(CHAINS, source.chain)) {
        failed++;
        item.append(`${label}：`, say("drand_unknown_chain", { chain: String(source.chain), chains: Object.keys(CHAINS).join("、") }), "。");
        continue;
      }
      const name = roundFile(source.chain, source.round);
      if (!draw.files.has(name)) {
        unverified++;
        item.dataset.state = "skip";
        item.append(say("round_unverified", { message: say("round_missing", { n, label }) }), say("round_expected", { file: name }), "。");
        continue;
      }
      try {
        const randomness = await checkRound(source.chain, source.round, draw.json(name));
        if (randomness !== value) {
          failed++;
          item.dataset.state = "fail";
          item.append(say("value_mismatch", { file: name, randomness, values: VALUES_FILE, n, value, label }), "。");
        } else {
          verified++;
          item.dataset.state = "pass";
          const chain = CHAINS[source.chain];
          item.append(...sayNodes("round_verified", { n, label, chain: source.chain }, { file: ctx.file(name) }),
            "（按该链的时间表，该轮产生于", ...beijing(roundTime(source.chain, source.round)), "）。",
            el("details", {}, el("summary", {}, "技术细节"),
              el("p", {}, "drand链：", code(chain.name), "；链哈希：", code(chain.chain_hash), "；轮次：", code(source.round), "；该轮随机数：", code(randomness), "。")));
        }
      } catch (e) {
        if (!(e instanceof DrandError) && !(e instanceof FileError)) throw e;
        failed++;
        item.dataset.state = "fail";
        item.append(say("round_invalid", { file: name, reason: e.message, n, label }), "。");
      }
    } else if (source.kind === "lottery") {
      lotteries.push(n);
      item.dataset.state = "skip";
      item.append(say("lottery_by_hand", { n, label, value }), "。",
        lotteryCheck(source, value, ctx.entry?.sources?.[i]?.official));
    } else {
      unverified++;
      item.dataset.state = "skip";
      item.append(say("source_unknown", { n, label }), "。");
    }
  }
  step.add(el("ul", {}, ...items));
  if (failed) {
    step.set("fail", sentence(say("values_failed", { count: failed })));
  } else if (unverified || lotteries.length) {
    const parts = [];
    if (verified) parts.push(say("values_verified", { count: verified }));
    if (unverified) parts.push(say("values_unverified", { count: unverified }));
    if (lotteries.length) parts.push(say("lottery_state", { count: lotteries.length }));
    step.set("skip", parts.map(sentence).join(""));
  } else {
    step.set("pass", sentence(say("values_verified", { count: verified })));
  }
  return { values, lotteries, unverified };
}

/** When the first declared source can be known (unix seconds), from the package alone; null if
 * no source's time can be told. A lottery counts from its declared hour, else its day's start. */
function firstSourceTime(pkg) {
  const times = pkg.sources.map((s) => {
    if (s.kind === "drand") {
      return typeof s.chain === "string" && Object.hasOwn(CHAINS, s.chain) && Number.isInteger(s.round) ? roundTime(s.chain, s.round) : null;
    }
    if (s.kind === "lottery" && typeof s.date === "string" && /^\d{4}-\d{2}-\d{2}$/.test(s.date)) {
      const hour = typeof s.time === "string" && /^\d{2}:\d{2}$/.test(s.time) ? s.time : "00:00";
      const t = Date.parse(`${s.date}T${hour}:00+08:00`) / 1000;
      return Number.isFinite(t) ? t : null;
    }
    return null;
  }).filter((t) => t !== null);
  return times.length ? Math.min(...times) : null;
}

/** The time-stamp rule that judges these files, stated in words: the site's policy for one of
 * its own plans (stricter than the spec only), or, for chosen files, the spec's floor. */
function stampRule(ctx, tokenIds) {
  if (ctx.mode !== "plan") {
    const margin = MIN_MARGIN_HOURS;
    return {
      margin, counted: new Set(tokenIds), required: Math.max(1, tokenIds.length), note: "",
      rule: tokenIds.length ? say("stamp_rule_chosen", { count: tokenIds.length, margin }) : say("stamp_rule_chosen_none", { margin }),
    };
  }
  const policy = ctx.entry?.policy ?? {};
  const site = Number.isInteger(policy.margin_hours) ? policy.margin_hours : null;
  const margin = Math.max(MIN_MARGIN_HOURS, site ?? MIN_MARGIN_HOURS);
  const listed = Array.isArray(ctx.entry?.authorities) ? ctx.entry.authorities : Object.keys(ctx.entry?.pins ?? ctx.index?.authorities ?? {});
  const inForce = [...new Set(listed.filter((id) => typeof id === "string"))].sort();
  const pinned = inForce.length;
  // a quorum below 1 or not a number is no rule a site may loosen to: at least one, else all
  const quorum = Number.isInteger(policy.quorum) ? Math.max(1, policy.quorum) : null;
  const all = quorum === null || quorum >= pinned;
  return {
    margin, counted: new Set(inForce), inForce, required: pinned === 0 ? 1 : all ? pinned : quorum,
    note: site !== null && site < MIN_MARGIN_HOURS ? say("stamp_floor", { site, floor: MIN_MARGIN_HOURS }) : "",
    rule: pinned === 0 ? say("stamp_rule_none", { margin }) : all ? say("stamp_rule_all", { pinned, margin })
      : say("stamp_rule_quorum", { pinned, quorum, margin }),
  };
}

/** A fingerprint as `openssl x509 -fingerprint -sha256` prints it, in groups of eight pairs
 * that each stay on one line (a line may break only between groups, after a colon); `glue(ch)`
 * keeps punctuation that follows it on its last line. */
function fingerprintNode(hex) {
  const pairs = colonHex(hex).split(":");
  const groups = [];
  for (let i = 0; i < pairs.length; i += 8) groups.push(pairs.slice(i, i + 8).join(":") + (i + 8 < pairs.length ? ":" : ""));
  const last = el("span", { class: "nw" }, el("code", {}, groups.pop()));
  const node = el("span", { "data-fingerprint": hex },
    ...groups.map((g) => [el("code", {}, el("span", { class: "nw" }, g)), el("wbr")]), last);
  node.glue = (ch) => last.append(ch);
  return node;
}

/** The root of a pinned chain and its fingerprint, compared with what the site publishes:
 * {state, message (nodes)}. */
async function checkRoot(pem, listedAuthority) {
  let roots;
  try {
    roots = await rootsOf(pem);
  } catch (e) {
    return { state: "fail", message: [e.message] };
  }
  if (roots.length !== 1) return { state: "fail", message: [say("root_count", { count: roots.length })] };
  const [r] = roots;
  const shown = sayNodes("root_fingerprint", { subject: r.subject }, { fingerprint: fingerprintNode(r.fingerprint) });
  const given = listedAuthority?.fingerprint;
  const listed = typeof given === "string" ? given.replaceAll(":", "").toLowerCase() : null;
  if (listed !== null && listed !== r.fingerprint) {
    const wrong = /^[0-9a-f]{64}$/.test(listed) ? fingerprintNode(listed) : code(given);
    return { state: "fail", message: [...followed(shown, "；"), ...sayNodes("root_mismatch", {}, { listed: wrong, fingerprint: fingerprintNode(r.fingerprint) })] };
  }
  return { state: "pass", message: listed !== null ? followed(shown, "，" + say("root_listed")) : shown };
}

async function checkStamps(pkg, commitment, draw, ctx) {
  const step = new Step("timestamp");
  const tokens = [...draw.files.keys()].map((n) => [n, TOKEN_FILE_PATTERN.exec(n)]).filter(([, m]) => m)
    .map(([n, m]) => [n, m[1]]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const rule = stampRule(ctx, tokens.map(([, id]) => id));
  const first = firstSourceTime(pkg);
  const heading = say("stamp_rule", { rule: rule.rule }) + rule.note;
  if (first !== null) step.add(el("p", {}, ...sayNodes("stamp_first_source", {}, { when: el("span", {}, ...beijing(first)) })));
  const judged = { invalid: [], onTime: [], late: [], unchecked: [] };
  const list = el("ul", {});
  for (const [name, id] of tokens) {
    const listed = ctx.authority(id);
    const counts = rule.counted.has(id);
    const item = el("li", { "data-token": id }, `${listed?.name ?? id}的时间戳（`, ctx.file(name), "）：");
    list.append(item);
    const checks = el("ul", {});
    const check = (key, state, message) => checks.append(el("li", { "data-check": key, "data-state": state },
      `${STATE_TEXT[state]}：`, typeof message === "string" ? unbroken(message) : message));
    const pem = ctx.mode === "plan" ? (listed ? draw.pins.get(id) : undefined) : draw.pins.get(id);
    if (!counts) item.append(say("stamp_not_in_force", { name: listed?.name ?? id }), "。");
    if (pem === undefined) {
      judged.unchecked.push(id);
      item.append(ctx.mode === "plan" ? `${id}不是本站固定的时间戳机构，无法核验。` : sentence(say("stamp_no_chain", { file: `${id}.pem` })));
      continue;
    }
    const rootCheck = await checkRoot(pem, listed);
    check("root", rootCheck.state, rootCheck.message);
    if (typeof listed?.root_url === "string") {
      checks.append(el("li", { "data-check": "root-url" },
        sayNodes("root_compare", {}, { url: el("a", { href: listed.root_url, class: "url" }, listed.root_url) })));
    } else if (ctx.mode !== "plan") {
      checks.append(el("li", { "data-check": "root-url" }, say("root_compare_chosen")));
    }
    let checked;
    try {
      checked = await checkToken(draw.files.get(name), commitment, pem);
    } catch (e) {
      judged.invalid.push(id);
      item.append(e instanceof TokenError ? e.message : `无法读取：${e.message}`, checks);
      continue;
    }
    const genTime = checked.token.genTime.getTime() / 1000;
    for (const [key, outcome] of Object.entries(checked.checks)) check(key, outcome.state, outcome.message);
    const failed = rootCheck.state === "fail" || Object.values(checked.checks).some((c) => c.state === "fail");
    if (first !== null) {
      const lead = first - genTime;
      item.append("时间戳时间", ...beijing(genTime), `，${lead >= 0 ? "早于" : "晚于"}首个随机源${span(lead)}。`);
      const onTime = lead >= rule.margin * 3600;
      const words = onTime ? say("stamp_on_time", { lead: span(lead), margin: rule.margin })
        : say("stamp_too_late", { relation: lead >= 0 ? "只早于" : "晚于", lead: span(lead), margin: rule.margin });
      check("lead", onTime ? "pass" : ctx.example || !counts ? "skip" : "fail", words);
      if (failed) judged.invalid.push(id);
      else if (!checked.ok) judged.unchecked.push(id);
      else if (counts) (onTime ? judged.onTime : judged.late).push(id);
    } else {
      check("lead", "skip", say("stamp_no_source_time"));
      if (failed) judged.invalid.push(id);
      else judged.unchecked.push(id);
    }
    item.append(checks);
  }
  if (tokens.length) step.add(list);
  const name = (id) => ctx.authority(id)?.name ?? id;
  const missing = ctx.mode === "plan" ? (rule.inForce ?? []).filter((id) => !tokens.some(([, t]) => t === id)) : [];
  const unchecked = judged.unchecked.filter((id) => rule.counted.has(id));
  let state, outcome;
  if (judged.invalid.length) {
    [state, outcome] = ["fail", say("stamp_invalid")];
  } else if (tokens.length && judged.onTime.length >= rule.required) {
    [state, outcome] = ["pass", say("stamp_proven", { count: judged.onTime.length, margin: rule.margin })];
  } else if (ctx.example && judged.late.length) {
    [state, outcome] = ["skip", say("stamp_example")];
    step.example = true;
  } else if (!tokens.length || !rule.counted.size) {
    [state, outcome] = ["skip", say("stamp_none")];
  } else if (judged.onTime.length + missing.length + unchecked.length >= rule.required) {
    // what is missing or could not be checked here might still meet the rule
    state = "skip";
    outcome = missing.length ? say("stamp_missing", { names: missing.map(name).join("、") })
      : say("stamp_unchecked", { names: unchecked.map(name).join("、") });
  } else {  // late tokens: the rule can no longer be met
    [state, outcome] = ["fail", say("stamp_late", { on_time: judged.onTime.length, required: rule.required })];
  }
  step.set(state, heading + sentence(outcome));
  return step;
}

async function checkSeed(commitment, values, result) {
  const step = new Step("seed");
  const seed = await ssj.seed(commitment, values);
  const message = new TextDecoder().decode(await ssj.canon(values));
  step.add(el("p", {}, "以承诺值的32字节为密钥，对随机值数组的规范化JSON文本", code(message), "做HMAC-SHA256，得到种子", code(seed), "。"));
  if (!result) return step.set("skip", sentence(say("seed_none", { file: RESULT_FILE })));
  if (result.seed !== seed) return step.set("fail", sentence(say("seed_mismatch", { file: RESULT_FILE, claimed: String(result.seed), computed: seed })));
  step.set("pass", sentence(say("seed_same", { file: RESULT_FILE })));
}

async function checkResult(pkg, values, draw, ctx) {
  const step = new Step("result");
  let expected;
  try {
    expected = await ssj.draw(pkg, values);
  } catch (e) {
    return step.set("fail", sentence(say("draw_failed", { reason: e.message })));
  }
  const bytes = await ssj.serialise(expected);
  const teams = new Map(expected.teams.map((t) => [t.target, t.inspectors]));
  for (const s of expected.strata) {
    const rows = s.ranking.map((r, n) => el("li", n < s.k ? { class: "selected" } : {},
      `${r.id} `, code(r.key), n < s.k ? `　抽中，检查组：${teams.get(r.id).join("、")}` : ""));
    step.add(el("details", {}, el("summary", {}, `${ctx.sector(s.id)}：${s.ranking.length}个对象，前${s.k}名抽中（重新计算的完整排序）`), el("ol", {}, rows)));
  }
  const published = draw.files.get(RESULT_FILE);
  if (!published) return step.set("skip", sentence(say("result_none", { file: RESULT_FILE })));
  const same = published.length === bytes.length && published.every((b, i) => b === bytes[i]);
  if (same) {
    return step.set("pass", `${say("result_same", { file: RESULT_FILE })}（${expected.strata.length}个分层的完整排序，${expected.teams.length}个检查组）。`);
  }
  step.set("fail", sentence(say("result_mismatch", { file: RESULT_FILE, where: difference(bytes, published) })));
}

// ---- running ------------------------------------------------------------------------------

const STEPS = ["commitment", "values", "timestamp", "seed", "result"];

async function run(draw, ctx) {
  const main = document.querySelector("main");
  const verdict = document.getElementById("verdict");
  main.dataset.verdict = "running";
  verdict.textContent = "正在核验……";
  for (const name of STEPS) new Step(name);
  const started = performance.now();
  const result = safeJson(draw, RESULT_FILE);  // parsed once: the commitment and seed steps read it
  const opened = await checkCommitment(draw, ctx, result);
  let drawn = null, stamps = null;
  if (opened) {
    const { pkg, commitment } = opened;
    drawn = await checkValues(pkg, draw, ctx);
    stamps = await checkStamps(pkg, commitment, draw, ctx);
    if (drawn) {
      await checkSeed(commitment, drawn.values, result);
      await checkResult(pkg, drawn.values, draw, ctx);
    }
  }
  const states = {};
  for (const node of document.querySelectorAll("[data-step]")) {
    if (node.dataset.state === "pending") {
      node.dataset.state = "skip";
      node.querySelector(".state").replaceChildren(el("strong", {}, STATE_TEXT.skip + "："), sentence(say("step_blocked")));
    }
    states[node.dataset.step] = node.dataset.state;
  }
  // pass only when every step passed: the commitment, the values, the time-stamps and the result
  const all = Object.values(states);
  const state = all.includes("fail") ? "fail" : all.every((s) => s === "pass") ? "pass" : "incomplete";
  main.dataset.verdict = state;
  main.dataset.seconds = ((performance.now() - started) / 1000).toFixed(2);
  if (state !== "incomplete") {
    verdict.textContent = say(state === "pass" ? "verdict_pass" : "verdict_fail");
    return;
  }
  const why = [say("verdict_incomplete")];
  if (drawn?.lotteries.length) why.push(say("verdict_lottery"));
  if (stamps?.example) why.push(say("verdict_example"));
  else if (states.timestamp === "skip") why.push(say("verdict_stamps"));
  if (["commitment", "seed", "result"].some((s) => states[s] === "skip") || drawn?.unverified) why.push(say("verdict_missing"));
  verdict.textContent = why.join("");
}

async function start() {
  const main = document.querySelector("main");
  // the chooser works at once, before (and without) the site's index: chosen files need none
  const input = document.getElementById("files");
  const fromFiles = async (list) => {
    const draw = await chosenFiles(list);
    chosen.textContent = `核验您选择的${list.length}个文件（按规范的规则核验，不用本站的规则）。`;
    // only the sectors' names are taken from the site's index: none of its rules
    const sectors = (await loadIndex().catch(() => null))?.sectors ?? null;
    await run(draw, new Context("chosen", null, null, { sectors }));
  };
  input.addEventListener("change", () => fromFiles(input.files));
  const drop = document.getElementById("drop");
  drop.addEventListener("dragover", (e) => e.preventDefault());
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    fromFiles(e.dataTransfer.files);
  });
  if (input.files.length) fromFiles(input.files);  // chosen before this script ran
  const planId = new URLSearchParams(location.search).get("plan");
  if (planId === null) return;
  let index;
  try {
    index = await loadIndex();
  } catch (e) {
    main.dataset.verdict = "fail";
    document.getElementById("verdict").textContent = `无法读取本站的抽取索引：${e.message}`;
    return;
  }
  const entry = Object.hasOwn(index.plans ?? {}, planId) ? index.plans[planId] : null;
  try {
    const draw = await fetchPlan(index, planId);
    chosen.replaceChildren("核验计划", el("a", { href: new URL(entry.page, root).href }, entry.title),
      `（编号${planId}）在本站公布的${draw.files.size}个抽取文件。`);
    await run(draw, new Context("plan", index, entry, { folder: drawFolder(planId) }));
  } catch (e) {
    main.dataset.verdict = "fail";
    document.getElementById("verdict").textContent = `无法核验：${e.message}`;
  }
}

start();
