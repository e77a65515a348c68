// verify.html: fetch a plan's published draw files (?plan=ID) or take files the reader chose,
// check each step, and show pass or fail in plain Chinese with its inputs. <main> carries the
// verdict (data-verdict) and each step its state (data-state), for people and for tests alike.
import * as ssj from "./ssjdraw.js";
import { checkRound, roundTime } from "./drand.js";
import { checkToken, TokenError } from "./tsr.js";

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
const MOMENT = /(\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}:\d{2}Z?)?)/;
function unbroken(text) {
  return text.split(MOMENT).map((part, n) => (n % 2 ? el("span", { class: "nw" }, part) : part));
}
function span(seconds) {
  const s = Math.abs(seconds);
  const [d, h, m] = [Math.floor(s / 86400), Math.floor((s % 86400) / 3600), Math.floor((s % 3600) / 60)];
  return d ? `${d} 天 ${h} 小时` : h ? `${h} 小时 ${m} 分` : `${m} 分 ${s % 60} 秒`;
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

/** The files of one draw, by name, and the pinned authority chains (PEM text) by authority id. */
class Draw {
  constructor(files, pins = new Map()) {
    this.files = files;
    this.pins = pins;
  }
  text(name) {
    const bytes = this.files.get(name);
    return bytes === undefined ? undefined : utf8.decode(bytes);
  }
  json(name) {
    const text = this.text(name);
    if (text === undefined) return undefined;
    try {
      return ssj.parse(text);
    } catch (e) {
      throw new Error(`${name} 不是有效的 JSON：${e.message}`);
    }
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

async function fetchPlan(index, planId) {
  const entry = Object.hasOwn(index.plans, planId) ? index.plans[planId] : null;
  if (!entry) throw new Error(`本站没有计划 ${planId} 的抽取记录`);
  const folder = new URL(`draws/${encodeURIComponent(planId)}/`, root);
  const files = new Map(await Promise.all(entry.files.map(async (name) =>
    [name, await fetchBytes(new URL(encodeURIComponent(name), folder))])));
  const pins = new Map(await Promise.all(Object.entries(index.authorities).map(async ([id, a]) =>
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
async function checkCommitment(draw, entry, result) {
  const step = new Step("commitment");
  const pkg = draw.json("package.json");
  if (pkg === undefined) return step.set("fail", "缺少抽取包 package.json，无法核验。"), null;
  try {
    ssj.validatePackage(pkg);
  } catch (e) {
    return step.set("fail", `package.json 不是符合规范的抽取包：${e.message}`), null;
  }
  const computed = await ssj.commitment(pkg);
  step.add(el("p", {}, "抽取包规范化（键按码点排序、无空白、非 ASCII 字符原样、UTF-8）后的 SHA-256：", code(computed)));
  const claims = [];
  const stored = draw.text("commitment.txt");
  if (stored !== undefined) claims.push(["commitment.txt", stored.trim()]);
  if (entry && entry.commitment) claims.push(["计划页公布的承诺值", entry.commitment]);
  if (result && typeof result.commitment === "string") claims.push(["result.json 中的承诺值", result.commitment]);
  const wrong = claims.filter(([, value]) => value !== computed);
  for (const [where, value] of claims) {
    step.add(el("p", {}, `${where}：`, code(value), value === computed ? "（相同）" : "（不同）"));
  }
  if (wrong.length) {
    step.set("fail", `重新计算的承诺值与${wrong.map(([w]) => w).join("、")}不同：抽取包在公布承诺值之后被改动过。`);
  } else if (!claims.length) {
    step.set("skip", "没有可比对的承诺值（缺少 commitment.txt 和 result.json）。");
  } else {
    step.set("pass", "抽取包与公布的承诺值一致。");
  }
  return { pkg, commitment: computed };
}

function safeJson(draw, name) {
  try {
    return draw.json(name);
  } catch {
    return undefined;
  }
}

async function checkValues(pkg, draw, index, entry) {
  const step = new Step("values");
  let values;
  try {
    values = draw.json("values.json");
    if (values === undefined) throw new Error("缺少随机值文件 values.json");
    ssj.validateValues(values, pkg);
  } catch (e) {
    step.set("fail", e.message);
    return null;
  }
  let failed = 0, unverified = 0;
  for (const [n, source] of pkg.sources.entries()) {
    const label = entry?.sources[n]?.label ?? `${source.kind} ${source.chain ?? source.game ?? ""}`;
    const item = el("li", {}, `${label}：随机值 `, code(values[n]), " ");
    if (source.kind === "drand") {
      const chain = Object.hasOwn(index.chains, source.chain) ? { ...index.chains[source.chain] } : null;
      const name = `drand-${source.chain}-${source.round}.json`;
      if (!chain) {
        failed++;
        item.append(`——不认识的 drand 链 ${source.chain}。`);
      } else if (!draw.files.has(name)) {
        unverified++;
        item.append(`——没有轮次文件 ${name}，未核对签名。`);
      } else {
        item.append(`（第 ${source.round} 轮，按该链的时间表产生于 `, ...beijing(roundTime(chain, source.round)), "）");
        try {
          const randomness = await checkRound(chain, source.round, draw.json(name));
          if (randomness !== values[n]) {
            failed++;
            item.append(`——与 ${name} 的 randomness `, code(randomness), " 不同：公布的随机值不是该轮的随机数。");
          } else {
            item.append(`——${name}：randomness 等于签名的 SHA-256，BLS 签名在 drand ${source.chain} 链的公钥下验证通过，随机值相符。`);
          }
        } catch (e) {
          failed++;
          item.append(`——${name}：${e.message}。`);
        }
      }
    } else {
      const official = entry?.sources[n]?.official;
      item.append("——浏览器无法核对彩票开奖号码，请与", official ? el("a", { href: official }, "官方开奖公告") : "官方开奖公告", "比对（按出球顺序）。");
    }
    step.add(item);
  }
  step.detail.replaceChildren(el("ul", {}, ...step.detail.childNodes));
  const drand = pkg.sources.filter((s) => s.kind === "drand").length;
  if (failed) step.set("fail", `${failed} 个随机值未通过核对。`);
  else if (unverified) step.set("skip", `${unverified} 个 drand 随机值没有轮次文件，未核验：只能说明结果按这些值计算，不能说明这些值来自 drand。`);
  else step.set("pass", `${drand} 个 drand 随机值都是所声明轮次的真实随机数（签名验证通过）。`);
  return values;
}

function firstSourceTime(pkg, index, entry) {
  return Math.min(...pkg.sources.map((s, n) => {
    if (s.kind === "drand" && Object.hasOwn(index.chains, s.chain)) return roundTime(index.chains[s.chain], s.round);
    if (entry?.sources[n]?.time != null) return entry.sources[n].time;
    // a lottery without the bureau's declared hour: the start of its day (Beijing), the earliest it can be
    return Date.parse(`${s.date}T00:00:00+08:00`) / 1000;
  }));
}

async function checkStamps(pkg, commitment, draw, index, entry) {
  const step = new Step("timestamp");
  const tokens = [...draw.files.keys()].filter((n) => /^timestamp-.+\.tsr$/.test(n)).sort();
  if (!tokens.length) {
    return step.set("skip", "没有时间戳文件：无法证明抽取包是在随机源公布之前冻结的。");
  }
  const first = firstSourceTime(pkg, index, entry);
  const margin = index.margin_hours * 3600;
  step.add(el("p", {}, "首个随机源公布于 ", ...beijing(first), `；规定时间戳至少提前 ${index.margin_hours} 小时。`));
  let failed = 0, onTime = 0;
  for (const name of tokens) {
    const id = name.slice("timestamp-".length, -".tsr".length);
    const pem = draw.pins.get(id);
    const item = el("li", {}, `${name}（${index.authorities[id]?.name ?? id}）：`);
    step.add(item);
    if (pem === undefined) {
      failed++;
      item.append(`缺少该机构的证书链 ${id}.pem，无法核验。`);
      continue;
    }
    let checked;
    try {
      checked = await checkToken(draw.files.get(name), commitment, pem);
    } catch (e) {
      failed++;
      item.append(e instanceof TokenError ? e.message : `无法读取：${e.message}`);
      continue;
    }
    const genTime = checked.token.genTime.getTime() / 1000;
    const lead = first - genTime;
    item.append("时间戳时间 ", ...beijing(genTime), `，${lead >= 0 ? "早于" : "晚于"}首个随机源 ${span(lead)}。`);
    const list = el("ul", {});
    for (const [check, outcome] of Object.entries(checked.checks)) {
      list.append(el("li", { "data-check": check, "data-state": outcome.state }, `${STATE_TEXT[outcome.state]}：`, unbroken(outcome.message)));
      if (outcome.state === "fail") failed++;
    }
    item.append(list);
    if (checked.ok && lead >= margin) onTime++;
  }
  step.detail.replaceChildren(...[...step.detail.childNodes].map((n) => (n.tagName === "LI" ? el("ul", {}, n) : n)));
  if (failed) return step.set("fail", "时间戳未通过核验（见下）。");
  if (onTime) return step.set("pass", `${onTime} 个时间戳证明抽取包在随机源公布至少 ${index.margin_hours} 小时前已冻结。`);
  if (index.example) {
    return step.set("pass", "时间戳本身有效、针对的正是该承诺值；但这是示例数据，时间戳晚于随机源，不能证明抽取包先于随机源冻结，仅演示核验方法。");
  }
  step.set("fail", `没有一个时间戳早于首个随机源 ${index.margin_hours} 小时以上：不能证明抽取包在随机源公布前已冻结。`);
}

async function checkSeed(commitment, values, result) {
  const step = new Step("seed");
  const seed = await ssj.seed(commitment, values);
  const message = new TextDecoder().decode(await ssj.canon(values));
  step.add(el("p", {}, "以承诺值的 32 字节为密钥，对随机值数组的规范化 JSON ", code(message), " 做 HMAC-SHA256，得到 ", code(seed), "。"));
  if (!result) return step.set("skip", "缺少 result.json，没有可比对的种子。"), seed;
  if (result.seed !== seed) return step.set("fail", `result.json 中的种子 ${result.seed} 与重新计算的不同。`), seed;
  step.set("pass", "result.json 中的种子与重新计算的相同。");
  return seed;
}

/** Where the published result first departs from the recomputed one, in words. */
function difference(expected, published) {
  if (!published || typeof published !== "object") return "result.json 不是 JSON 对象";
  for (const key of ["plan", "commitment", "seed"]) {
    if (published[key] !== expected[key]) return `${key} 不同：公布 ${JSON.stringify(published[key])}，应为 ${expected[key]}`;
  }
  if (JSON.stringify(published.values) !== JSON.stringify(expected.values)) return "随机值 values 不同";
  for (const [n, s] of expected.strata.entries()) {
    const p = published.strata?.[n];
    if (!p || p.id !== s.id || p.k !== s.k) return `第 ${n + 1} 个分层（${s.id}）的编号或抽取数不同`;
    for (const [m, r] of s.ranking.entries()) {
      const q = p.ranking?.[m];
      if (!q || q.id !== r.id || q.key !== r.key) {
        return `分层 ${s.id} 第 ${m + 1} 名：公布 ${q ? `${q.id}（${q.key}）` : "缺失"}，应为 ${r.id}（${r.key}）`;
      }
    }
    if ((p.ranking?.length ?? 0) !== s.ranking.length) return `分层 ${s.id} 的排序多出 ${p.ranking.length - s.ranking.length} 名`;
  }
  for (const [n, t] of expected.teams.entries()) {
    const q = published.teams?.[n];
    if (!q || q.target !== t.target || JSON.stringify(q.inspectors) !== JSON.stringify(t.inspectors)) {
      return `第 ${n + 1} 个检查组（${t.target}）：公布 ${q ? `${q.target}：${(q.inspectors || []).join("、")}` : "缺失"}，应为 ${t.inspectors.join("、")}`;
    }
  }
  return null;
}

async function checkResult(pkg, values, draw) {
  const step = new Step("result");
  let expected;
  try {
    expected = await ssj.draw(pkg, values);
  } catch (e) {
    return step.set("fail", `无法按规范完成抽取：${e.message}`);
  }
  const bytes = await ssj.serialise(expected);
  const teams = new Map(expected.teams.map((t) => [t.target, t.inspectors]));
  for (const s of expected.strata) {
    const rows = s.ranking.map((r, n) => el("li", n < s.k ? { class: "selected" } : {},
      `${r.id} `, code(r.key), n < s.k ? `　抽中，检查组：${teams.get(r.id).join("、")}` : ""));
    step.add(el("details", {}, el("summary", {}, `分层 ${s.id}：${s.ranking.length} 个对象，前 ${s.k} 名抽中（重新计算的完整排序）`), el("ol", {}, rows)));
  }
  const published = draw.files.get("result.json");
  if (!published) return step.set("skip", "缺少 result.json：上面是重新计算的结果，没有可比对的公布结果。");
  const same = published.length === bytes.length && published.every((b, i) => b === bytes[i]);
  if (same) {
    return step.set("pass", `公布的 result.json 与重新计算的结果逐字节相同（${expected.strata.length} 个分层的完整排序，${expected.teams.length} 个检查组）。`);
  }
  let where;
  try {
    where = difference(expected, ssj.parse(utf8.decode(published)));
  } catch {
    where = null;
  }
  if (!where) {
    const at = bytes.findIndex((b, i) => b !== published[i]);
    where = `自第 ${(at < 0 ? Math.min(bytes.length, published.length) : at) + 1} 个字节起不同`;
  }
  step.set("fail", `公布的 result.json 与重新计算的结果不同：${where}。`);
}

// ---- running ------------------------------------------------------------------------------

async function run(draw, index, entry) {
  const main = document.querySelector("main");
  const verdict = document.getElementById("verdict");
  main.dataset.verdict = "running";
  verdict.textContent = "正在核验……";
  for (const name of ["commitment", "values", "timestamp", "seed", "result"]) new Step(name);
  const started = performance.now();
  const steps = [];
  const result = safeJson(draw, "result.json");  // parsed once: the commitment and seed steps read it
  const opened = await checkCommitment(draw, entry, result);
  if (opened) {
    const { pkg, commitment } = opened;
    const values = await checkValues(pkg, draw, index, entry);
    await checkStamps(pkg, commitment, draw, index, entry);
    if (values) {
      await checkSeed(commitment, values, result);
      await checkResult(pkg, values, draw);
    }
  }
  for (const node of document.querySelectorAll("[data-step]")) {
    if (node.dataset.state === "pending") {
      node.dataset.state = "skip";
      node.querySelector(".state").textContent = "未核验：前面的步骤无法完成。";
    }
    steps.push(node.dataset.state);
  }
  const core = ["commitment", "values", "seed", "result"].map((n) => document.querySelector(`[data-step="${n}"]`).dataset.state);
  const state = steps.includes("fail") ? "fail" : core.every((s) => s === "pass") ? "pass" : "incomplete";
  main.dataset.verdict = state;
  main.dataset.seconds = ((performance.now() - started) / 1000).toFixed(2);
  const unstamped = document.querySelector('[data-step="timestamp"]').dataset.state !== "pass";
  verdict.textContent = {
    pass: "核验通过：公布的抽取结果就是按公布的抽取包和公开随机源计算出来的。" +
      (unstamped ? "但没有核验时间戳，不能证明抽取包先于随机源冻结。" : ""),
    fail: "核验未通过：至少有一项与公布的文件不符，详见下面标为“未通过”的步骤。",
    incomplete: "核验未完成：没有发现不符，但缺少文件，部分步骤无法核验（见下）。",
  }[state];
}

async function start() {
  const main = document.querySelector("main");
  let index;
  try {
    index = await loadIndex();
  } catch (e) {
    main.dataset.verdict = "fail";
    document.getElementById("verdict").textContent = `无法读取本站的抽取索引：${e.message}`;
    return;
  }
  const input = document.getElementById("files");
  const fromFiles = async (list) => {
    const draw = await chosenFiles(list);
    chosen.textContent = `核验您选择的 ${list.length} 个文件。`;
    await run(draw, index, null);
  };
  input.addEventListener("change", () => fromFiles(input.files));
  const drop = document.getElementById("drop");
  drop.addEventListener("dragover", (e) => e.preventDefault());
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    fromFiles(e.dataTransfer.files);
  });
  const planId = new URLSearchParams(location.search).get("plan");
  if (planId === null) return;
  const entry = Object.hasOwn(index.plans, planId) ? index.plans[planId] : null;
  try {
    const draw = await fetchPlan(index, planId);
    chosen.replaceChildren("核验计划 ", el("a", { href: new URL(entry.page, root).href }, entry.title),
      `（${planId}）在本站公布的 ${draw.files.size} 个抽取文件。`);
    await run(draw, index, entry);
  } catch (e) {
    main.dataset.verdict = "fail";
    document.getElementById("verdict").textContent = `无法核验：${e.message}`;
  }
}

start();
