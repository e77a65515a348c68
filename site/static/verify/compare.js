// Where a published result departs from the recomputed one, in the same words and by the same
// algorithm as generator/draw/table.py's difference() (tests/test_js_draw.py runs both on the same
// cases): the first differing field and its JSON path (keys in code-point order, array items in
// order); only when the published file does not parse, or says the same in other bytes, where
// the bytes part.
import { compareCodePoints, parse } from "./ssjdraw.js";
import { MESSAGES, say } from "./table.js";

const MAX_SAFE = 2 ** 53;
const SHOWN = 80, BYTES_BEFORE = 30, BYTES_SHOWN = 20;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const strictUtf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const looseUtf8 = new TextDecoder("utf-8", { ignoreBOM: true });

class Unreadable extends Error {}

function kind(value) {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return { boolean: "bool", number: "int", string: "string", object: "object" }[typeof value];
}

function checkInts(value) {
  if (typeof value === "number" && !(Math.abs(value) < MAX_SAFE)) throw new Unreadable();
  if (value !== null && typeof value === "object") for (const v of Object.values(value)) checkInts(v);
}

/** JSON as both verifiers read a published file: UTF-8, integers only (below 2^53). */
export function parseStrict(bytes) {
  let value;
  try {
    value = parse(strictUtf8.decode(bytes));
  } catch {
    throw new Unreadable();
  }
  checkInts(value);
  return value;
}

// Python's json.dumps(sort_keys=True, ensure_ascii=False, separators=(",", ":"))
function jsonText(value) {
  if (Array.isArray(value)) return "[" + value.map(jsonText).join(",") + "]";
  if (value !== null && typeof value === "object") {
    return "{" + Object.keys(value).sort(compareCodePoints).map((k) => JSON.stringify(k) + ":" + jsonText(value[k])).join(",") + "}";
  }
  return JSON.stringify(value);
}

/** A value as a difference shows it: canonical JSON, cut after SHOWN characters. */
export function shown(value) {
  const chars = Array.from(jsonText(value));
  return chars.length <= SHOWN ? chars.join("") : chars.slice(0, SHOWN).join("") + "…";
}

const keyPath = (path, key) => (IDENTIFIER.test(key) ? (path ? `${path}.${key}` : key) : `${path}[${shown(key)}]`);

function first(expected, actual, path) {
  const where = path || MESSAGES.diff_root;
  if (kind(expected) !== kind(actual)) return say("diff_value", { path: where, actual: shown(actual), expected: shown(expected) });
  if (kind(expected) === "object") {
    const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])].sort(compareCodePoints);
    for (const key of keys) {
      const at = keyPath(path, key);
      if (!Object.hasOwn(actual, key)) return say("diff_missing", { path: at, expected: shown(expected[key]) });
      if (!Object.hasOwn(expected, key)) return say("diff_extra", { path: at, actual: shown(actual[key]) });
      const found = first(expected[key], actual[key], at);
      if (found) return found;
    }
    return null;
  }
  if (kind(expected) === "array") {
    const n = Math.min(expected.length, actual.length);
    for (let i = 0; i < n; i++) {
      const found = first(expected[i], actual[i], `${path}[${i}]`);
      if (found) return found;
    }
    if (actual.length < expected.length) return say("diff_missing", { path: `${path}[${n}]`, expected: shown(expected[n]) });
    if (actual.length > expected.length) return say("diff_extra", { path: `${path}[${n}]`, actual: shown(actual[n]) });
    return null;
  }
  return expected === actual ? null : say("diff_value", { path: where, actual: shown(actual), expected: shown(expected) });
}

const continues = (data, at) => at < data.length && data[at] >= 0x80 && data[at] < 0xc0;
const text = (data) => JSON.stringify(looseUtf8.decode(data)).slice(1, -1);

/** Where two byte strings part, with a little of each around it. */
export function byteDifference(expected, actual) {
  let at = 0;
  const n = Math.min(expected.length, actual.length);
  while (at < n && expected[at] === actual[at]) at++;
  while (at > 0 && continues(expected, at)) at--;  // the bytes before are the same in both
  let start = Math.max(0, at - BYTES_BEFORE);
  while (start < at && continues(expected, start)) start++;
  const part = (data) => {
    let end = Math.min(data.length, at + BYTES_SHOWN);
    while (end > at && continues(data, end)) end--;
    return text(data.subarray(at, end)) || MESSAGES.diff_end;
  };
  return say("diff_bytes", { at: at + 1, before: text(expected.subarray(start, at)), want: part(expected), got: part(actual) });
}

/** Where the published result (bytes) departs from the recomputed one (`expected`, canonical bytes). */
export function difference(expected, actual) {
  let published;
  try {
    published = parseStrict(actual);
  } catch (e) {
    if (!(e instanceof Unreadable)) throw e;
    return say("diff_not_json", { where: byteDifference(expected, actual) });
  }
  return first(parseStrict(expected), published, "") ?? say("diff_same_content", { where: byteDifference(expected, actual) });
}
