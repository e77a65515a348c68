// ssj-draw/1 (spec: draw.md) in the browser and in Node 20: package + values -> result, byte for
// byte the same as the Python tool. Only WebCrypto and TextEncoder: a verifier should not have
// to trust any third-party code.

// The spec's name, the exclusion reasons and the values' forms come from table.js, the table
// the Python verifier reads.
import { REASONS, SPEC, VALUE_FORMS } from "./table.js";

export { SPEC };
const MAX_SAFE = 2 ** 53;
const enc = new TextEncoder();
const subtle = globalThis.crypto.subtle;

const PACKAGE_KEYS = ["as_of", "exclusions", "inspectors", "plan", "sources", "spec", "strata", "team_size"];
const STRATUM_KEYS = ["id", "k", "lead_department", "min_lead", "targets"];

export class DrawError extends Error {}

// Code-point order (Python's str order). UTF-16 units order astral characters (surrogates,
// D800–DFFF) below U+E000–U+FFFF (e.g. full-width forms), so lift surrogates above them.
function unit(c) {
  return c >= 0xd800 && c <= 0xdfff ? c + 0x2000 : c >= 0xe000 ? c - 0x800 : c;
}
export function compareCodePoints(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x !== y) return unit(x) - unit(y);
  }
  return a.length - b.length;
}

function isObject(v) {
  if (v === null || typeof v !== "object" || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;  // Map, Date… are not JSON objects
}

const CONTROL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function checkCanonical(value, where = "$") {
  if (value === null || typeof value === "boolean") return;
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new DrawError(`${where}: 不允许的值类型（如浮点数）：${value}`);
    if (Math.abs(value) >= MAX_SAFE) throw new DrawError(`${where}: 整数超出 ±2^53`);
  } else if (typeof value === "string") {
    if (CONTROL.test(value)) throw new DrawError(`${where}: 字符串含有控制字符`);
    // TextEncoder would silently turn these into U+FFFD
    if (LONE_SURROGATE.test(value)) throw new DrawError(`${where}: 字符串含有不成对的代理码元`);
    if (value.normalize("NFC") !== value) throw new DrawError(`${where}: 字符串未经 Unicode NFC 规范化`);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkCanonical(item, `${where}[${i}]`));
  } else if (isObject(value)) {
    for (const key of Object.keys(value)) {
      if (!/^[\u0000-\u007f]*$/.test(key)) throw new DrawError(`${where}: 对象的键须为 ASCII 字符串：${key}`);
      checkCanonical(value[key], `${where}.${key}`);
    }
  } else {
    throw new DrawError(`${where}: 不允许的值类型 ${typeof value}`);
  }
}

// JSON.stringify escapes strings exactly as Python's json.dumps(ensure_ascii=False) does once
// control characters and lone surrogates are excluded, which checkCanonical guarantees.
function canonText(value) {
  if (Array.isArray(value)) return "[" + value.map(canonText).join(",") + "]";
  if (value !== null && typeof value === "object") {
    const keys = Object.keys(value).sort(compareCodePoints);
    return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonText(value[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}

/** Canonical JSON bytes; throws DrawError for anything the spec forbids. */
export async function canon(value) {
  checkCanonical(value);
  return enc.encode(canonText(value));
}

/** JSON.parse, but refusing numbers with a fraction or exponent: JSON.parse turns 2.0 into 2,
 * and the spec says 2.0 is not 2. */
const NUMBER = /-?[0-9]*(\.[0-9]*)?([eE][-+]?[0-9]*)?/y;
export function parse(text) {
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === "\\") i++;
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
    } else if (c === "-" || (c >= "0" && c <= "9")) {
      NUMBER.lastIndex = i;
      const token = NUMBER.exec(text)[0];
      if (/[.eE]/.test(token)) throw new DrawError(`第 ${i} 个字符处的数 ${token}：只允许整数`);
      i += token.length - 1;
    }
  }
  return JSON.parse(text);
}

function hex(buf) {
  return Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, "0")).join("");
}
function unhex(h) {
  if (typeof h !== "string" || !/^([0-9a-f]{2})*$/.test(h)) throw new DrawError("应为小写十六进制");
  return Uint8Array.from(h.match(/../g) || [], (x) => parseInt(x, 16));
}
async function hmacKey(bytes) {
  return subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

function keysExactly(obj, keys, where) {
  if (!isObject(obj)) throw new DrawError(`${where} 应为对象`);
  const have = Object.keys(obj);
  const extra = have.filter((k) => !keys.includes(k)).sort();
  const missing = keys.filter((k) => !have.includes(k));
  if (extra.length || missing.length) {
    throw new DrawError(`${where} 的键不对：` +
      [extra.length ? `多出 ${extra.join(", ")}` : "", missing.length ? `缺少 ${missing.join(", ")}` : ""].filter(Boolean).join("；"));
  }
}
function string(v, where) {
  if (typeof v !== "string" || !v) throw new DrawError(`${where} 应为非空字符串`);
  return v;
}
function int(v, where, low, high) {
  if (typeof v !== "number" || !Number.isInteger(v) || v < low || (high !== undefined && v > high)) {
    throw new DrawError(`${where} 应为整数 ${high !== undefined ? `${low}..${high}` : `>= ${low}`}，而不是 ${JSON.stringify(v)}`);
  }
  return v;
}
// keys: arrays of strings, compared element by element (Python tuple order)
function strictlySorted(keys, where) {
  const cmp = (a, b) => {
    for (let i = 0; i < a.length; i++) {
      const c = compareCodePoints(a[i], b[i]);
      if (c) return c;
    }
    return 0;
  };
  for (let i = 1; i < keys.length; i++) {
    const c = cmp(keys[i - 1], keys[i]);
    if (c === 0) throw new DrawError(`${where} 有重复项 ${keys[i].join(", ")}`);
    if (c > 0) throw new DrawError(`${where} 未按码点排序（${keys[i].join(", ")} 应在 ${keys[i - 1].join(", ")} 之前）`);
  }
}
function isDate(s) {
  const m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})$/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [+m[1], +m[2], +m[3]];
  if (y < 1 || mo < 1 || mo > 12 || d < 1) return false;
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
}

/** Throws DrawError unless `pkg` is a valid ssj-draw/1 package (same checks as spec.py). */
export function validatePackage(pkg) {
  keysExactly(pkg, PACKAGE_KEYS, "package");
  checkCanonical(pkg, "package");
  if (pkg.spec !== SPEC) throw new DrawError(`package.spec 应为 ${SPEC}`);
  string(pkg.plan, "package.plan");
  if (!isDate(string(pkg.as_of, "package.as_of"))) throw new DrawError("package.as_of 应为日期 YYYY-MM-DD");
  const teamSize = int(pkg.team_size, "package.team_size", 2);
  const sources = pkg.sources;
  if (!Array.isArray(sources) || !sources.length || !sources.every(isObject)) {
    throw new DrawError("package.sources 应为至少一项的对象列表");
  }
  if (!Array.isArray(pkg.strata)) throw new DrawError("package.strata 应为列表");
  const stratumIds = new Set(), targetIds = new Set();
  pkg.strata.forEach((stratum, n) => {
    const where = `package.strata[${n}]`;
    keysExactly(stratum, STRATUM_KEYS, where);
    const sid = string(stratum.id, `${where}.id`);
    if (stratumIds.has(sid)) throw new DrawError(`${where}.id 重复：${sid}`);
    stratumIds.add(sid);
    string(stratum.lead_department, `${where}.lead_department`);
    int(stratum.min_lead, `${where}.min_lead`, 0, teamSize);
    const targets = stratum.targets;
    if (!Array.isArray(targets)) throw new DrawError(`${where}.targets 应为列表`);
    targets.forEach((t, m) => {
      keysExactly(t, ["id", "weight"], `${where}.targets[${m}]`);
      const tid = string(t.id, `${where}.targets[${m}].id`);
      int(t.weight, `${where}.targets[${m}].weight`, 1);
      if (targetIds.has(tid)) throw new DrawError(`检查对象 ${tid} 出现了不止一次（或在多个分层中）`);
      targetIds.add(tid);
    });
    strictlySorted(targets.map((t) => [t.id]), `${where}.targets`);
    int(stratum.k, `${where}.k`, 0, targets.length);
  });
  if (!Array.isArray(pkg.inspectors)) throw new DrawError("package.inspectors 应为列表");
  pkg.inspectors.forEach((i, m) => {
    keysExactly(i, ["department", "id"], `package.inspectors[${m}]`);
    string(i.id, `package.inspectors[${m}].id`);
    string(i.department, `package.inspectors[${m}].department`);
  });
  strictlySorted(pkg.inspectors.map((i) => [i.id]), "package.inspectors");
  const inspectorIds = new Set(pkg.inspectors.map((i) => i.id));
  if (!Array.isArray(pkg.exclusions)) throw new DrawError("package.exclusions 应为列表");
  pkg.exclusions.forEach((e, m) => {
    const where = `package.exclusions[${m}]`;
    keysExactly(e, ["inspector", "reason", "target"], where);
    if (!targetIds.has(e.target)) throw new DrawError(`${where}.target 不是包中的检查对象：${e.target}`);
    if (!inspectorIds.has(e.inspector)) throw new DrawError(`${where}.inspector 不是包中的执法检查人员：${e.inspector}`);
    if (!REASONS.includes(e.reason)) throw new DrawError(`${where}.reason 应为 ${REASONS.join(" 或 ")}`);
  });
  strictlySorted(pkg.exclusions.map((e) => [e.target, e.inspector]), "package.exclusions");
}

/** Throws DrawError unless `values` is one well-formed string per declared source. */
export function validateValues(values, pkg) {
  if (!Array.isArray(values) || !values.every((v) => typeof v === "string")) {
    throw new DrawError("values 应为字符串列表");
  }
  if (values.length !== pkg.sources.length) {
    throw new DrawError(`values 应有 ${pkg.sources.length} 项（每个声明的随机源一项），实有 ${values.length} 项`);
  }
  values.forEach((v, n) => {
    const kind = pkg.sources[n].kind;
    // own-property lookup: a kind like "constructor" must not reach Object.prototype
    const form = typeof kind === "string" && Object.hasOwn(VALUE_FORMS, kind) ? VALUE_FORMS[kind] : null;
    if (form && !form[0].test(v)) throw new DrawError(`values[${n}]（${kind}）格式不对：应为${form[1]}`);
  });
  checkCanonical(values, "values");
}

/** Lowercase hex SHA-256 of the canonical package. */
export async function commitment(pkg) {
  return hex(await subtle.digest("SHA-256", await canon(pkg)));
}

/** Lowercase hex HMAC-SHA256(key = the commitment's 32 bytes, msg = canon(values)). */
export async function seed(commitmentHex, values) {
  const key = await hmacKey(unhex(commitmentHex));
  return hex(await subtle.sign("HMAC", key, await canon(values)));
}

// rank(label…) = hex HMAC(seed, canon(["ssj-draw/1", label…])); labels come from a validated
// package, so their JSON forms are already canonical.
function ranker(key) {
  return async (...labels) => {
    const msg = "[" + [SPEC, ...labels].map((x) => JSON.stringify(x)).join(",") + "]";
    return hex(await subtle.sign("HMAC", key, enc.encode(msg)));
  };
}

const byKeyThenId = (a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : compareCodePoints(a.id, b.id));

/** Validate the inputs and compute the ssj-draw/1 result object. */
export async function draw(pkg, values) {
  validatePackage(pkg);
  validateValues(values, pkg);
  const commit = await commitment(pkg);
  const seedHex = await seed(commit, values);
  const rank = ranker(await hmacKey(unhex(seedHex)));

  const strata = [], selected = [];
  for (const s of pkg.strata) {
    const ranking = await Promise.all(s.targets.map(async (t) => {
      const tickets = await Promise.all(Array.from({ length: t.weight }, (_, j) => rank("target", s.id, t.id, j + 1)));
      return { id: t.id, key: tickets.reduce((a, b) => (b < a ? b : a)) };  // best ticket counts
    }));
    ranking.sort(byKeyThenId);
    strata.push({ id: s.id, k: s.k, ranking });
    for (const t of ranking.slice(0, s.k)) selected.push([t.id, s]);
  }

  const department = new Map(pkg.inspectors.map((i) => [i.id, i.department]));
  const load = new Map(pkg.inspectors.map((i) => [i.id, 0]));
  const barred = new Map();
  for (const e of pkg.exclusions) {
    if (!barred.has(e.target)) barred.set(e.target, new Set());
    barred.get(e.target).add(e.inspector);
  }
  const teams = [];
  for (const [target, s] of selected) {
    const no = barred.get(target) || new Set();
    const eligible = pkg.inspectors.map((i) => i.id).filter((i) => !no.has(i));
    const r = new Map();  // ranked lazily: only inspectors at the lowest load can be picked
    const team = [];
    while (team.length < pkg.team_size) {
      const leads = team.filter((i) => department.get(i) === s.lead_department).length;
      const leadOnly = leads < s.min_lead;
      const candidates = eligible.filter((i) => !team.includes(i) && (!leadOnly || department.get(i) === s.lead_department));
      if (!candidates.length) {
        throw new DrawError(`检查对象 ${target} 没有足够的可选执法检查人员，无法组成检查组`);
      }
      const low = Math.min(...candidates.map((i) => load.get(i)));
      const lowest = candidates.filter((i) => load.get(i) === low);
      await Promise.all(lowest.filter((i) => !r.has(i)).map(async (i) => r.set(i, await rank("inspector", target, i))));
      team.push(lowest.map((i) => ({ id: i, key: r.get(i) })).sort(byKeyThenId)[0].id);
    }
    for (const i of team) load.set(i, load.get(i) + 1);
    teams.push({ target, inspectors: team });
  }
  return { spec: SPEC, plan: pkg.plan, commitment: commit, values, seed: seedHex, strata, teams };
}

/** The result's bytes as published: canonical JSON and one newline. */
export async function serialise(result) {
  const body = await canon(result);
  const out = new Uint8Array(body.length + 1);
  out.set(body);
  out[body.length] = 0x0a;
  return out;
}
