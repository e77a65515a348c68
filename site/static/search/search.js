// The site search (search.html): Pagefind's bundle, built by `ssj build` into pagefind/, run in
// this browser. Nothing is sent anywhere but this site. Results are drawn as plain DOM nodes, never
// as markup: a title or an excerpt is page text, whatever characters it holds.
//
// The index has each Chinese character as a word (generator/site/search.py says why), so any run
// of characters can be searched as an exact phrase, which is a substring search. A query is cut
// into concepts: the words of terms.json (a synonym group is one concept, any of its names
// matching), a year (2026, 2026年 and 2026年度 are the year 2026), a clause of the 方案
// (二（九）), a name or code, and of what is left, its pairs of characters. Each concept is one
// exact search per name; a page scores the concepts it holds, each by how rare it is, and must
// hold about half the query's weight. The best pages are then read (their fragments) and scored
// again by where each concept is: in the title, in a heading, in the text, or only in a label
// that stands over nothing ("执业异常名录与信用黑名单：无", meta `empty` from search.py). The
// excerpt is the page's own sentence or clause that holds the most of the query, marked.
const PAGE_SIZE = 10;
const DEBOUNCE_MS = 250;
const RESCORED = 40; // pages read and scored again by where the query is on them
const COVERAGE = 0.5; // the share of the query's weight a page must hold
const EXCERPT = 72; // characters of an excerpt, at most (a few lines on a phone)
const HAN = /\p{Script=Han}/u;
const HAN_ALL = /\p{Script=Han}/gu;
// Chinese text and its punctuation, beside which no space is shown
const WIDE = "\\p{Script=Han}\\u3000-\\u303f\\uff00-\\uffef\\u2018-\\u201f";
const NEAR_WIDE = new RegExp(`\\s+(?=[${WIDE}])|(?<=[${WIDE}])\\s+`, "gu");
const CLAUSE = /[一二三四五六七八九十]+[（(][一二三四五六七八九十]+[）)]\d*/gu;
const YEAR = /(?<!\d)((?:19|20)\d\d)\s*(?:年度|年)?(?!\d)/gu;
const SENTENCE_END = /[。！？]/u;
const CLAUSE_END = /[；，：、]/u;
const NOTHING = new Set(["无", "暂无"]);

const box = document.getElementById("search");
const note = document.getElementById("search-note");
const input = document.getElementById("q");
const go = document.getElementById("go");
const status = document.getElementById("status");
const list = document.getElementById("results");
const more = document.getElementById("more");

let pagefind = null;
let lexicon = null; // every name of terms.json -> its concept (a synonym group, a term, a stop word)
let longest = 1;
let pages = 1; // pages in the index, for how rare a concept is
try {
  // relative to this module (static/search/), so the site works under any path
  pagefind = await import("../../pagefind/pagefind.js");
  await pagefind.init();
  const terms = await (await fetch(new URL("terms.json", import.meta.url))).json();
  lexicon = new Map();
  for (const group of terms.synonyms) for (const name of group) lexicon.set(name, group);
  for (const term of terms.terms) if (!lexicon.has(term)) lexicon.set(term, [term]);
  for (const word of terms.stop) if (!lexicon.has(word)) lexicon.set(word, null);
  longest = Math.max(...[...lexicon.keys()].map((k) => k.length));
  pages = Math.max(1, (await pagefind.search(null)).results.length);
} catch (error) {
  note.textContent = "搜索索引未能载入，请使用下面的机构与人员目录，或从导航进入各栏目。";
  throw error;
}

let generation = 0; // the latest query; an older one's late answer is dropped
let found = [];
let timer = 0;
let asked = null; // the query shown: its concepts, for excerpts

// ------------------------------------------------------------------ the query

function plain(text) {
  // the index's text as read: Pagefind's word breaks and full stops after a block gone, no space
  // beside Chinese, and the ends search.py marks (；。：) once each
  return text.replace(/\u200b/g, "").replace(/\.(?=\s|$)/gu, "。")
    .replace(NEAR_WIDE, "").replace(/\s+/g, " ")
    .replace(/[；：，、]*([。！？])[；：，、。]*/gu, "$1").replace(/([；，、])[；：，、]+/gu, "$1")
    .replace(/：([；，、])/gu, "$1").trim();
}

function halfWidth(text) {
  return text.replace(/[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]/gu,
                      (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0));
}

function spaced(text) {
  return text.replace(HAN_ALL, " $& ").replace(/[()（）]/gu, " ").replace(/\s+/g, " ").trim();
}

function concepts(raw) {
  // the query's concepts: names (any of which matches) and a weight
  const out = [];
  const seen = new Set();
  const add = (names, weight) => {
    const key = names.join("|");
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ names: names.map((n) => n.toLowerCase()), weight, loose, run });
    }
    loose = false;
  };
  const pair = (names, weight, from) => { run = from.toLowerCase(); add(names, weight); run = ""; };
  let run = ""; // the stretch of the query a pair of characters was cut from
  let loose = false; // found by its characters, not as a phrase: the index cannot hold （ ） within one
  let query = halfWidth(raw);
  query = query.replace(CLAUSE, (m) => {
    loose = true;
    add([m.replace(/\(/g, "（").replace(/\)/g, "）").replace(/\d+$/, "")], 1);
    return " ";
  });
  query = query.replace(YEAR, (m, year) => { add([year], 1); return " "; });
  for (const piece of query.split(/[\s\p{P}\p{S}]+/u).filter(Boolean)) {
    for (const run of piece.match(/\p{Script=Han}+|[^\p{Script=Han}]+/gu)) {
      if (HAN.test(run)) cut(run, add, pair);
      else add([run], 1);
    }
  }
  return out;
}

function cut(run, add, pair) {
  // the longest names of terms.json, left to right; what is between them, in pairs
  let unknown = "";
  const flush = () => {
    if (unknown.length === 1) pair([unknown], 0.5, unknown);
    for (let i = 0; i + 1 < unknown.length; i++) {
      pair([unknown.slice(i, i + 2)], unknown.length / (2 * (unknown.length - 1)), unknown);
    }
    unknown = "";
  };
  for (let i = 0; i < run.length;) {
    let size = Math.min(longest, run.length - i);
    while (size > 0 && !lexicon.has(run.slice(i, i + size))) size--;
    if (size === 0 || (size === 1 && unknown)) { // a one-character stop word only on its own
      unknown += run[i];
      i++;
      continue;
    }
    flush();
    const group = lexicon.get(run.slice(i, i + size));
    if (group) add(group, 1);
    i += size;
  }
  flush();
}

async function exact(name, loose = false) {
  return (await pagefind.search(loose ? spaced(name) : `"${spaced(name)}"`)).results;
}

// ------------------------------------------------------------------ the pages

function count(text, name) {
  let n = 0;
  for (let at = text.indexOf(name); at >= 0; at = text.indexOf(name, at + name.length)) n++;
  return n;
}

function read(data) {
  // a page's fragment as scored: its title, headings, text and the labels over nothing
  if (!data.read) {
    const title = plain(data.meta.heading || "").toLowerCase();
    const text = plain(data.content).toLowerCase();
    const empty = (data.meta.empty || "").split("|").filter(Boolean).map((l) => plain(l).toLowerCase());
    // the headings in the order of the text, each linked where the page gives it an id
    const ids = new Map((data.anchors || []).filter((a) => /^h[2-6]$/.test(a.element) && a.id)
      .map((a) => [plain(a.text).toLowerCase(), a.id]));
    const headings = [];
    let from = 0;
    for (const shown of (data.meta.headings || "").split("|").filter(Boolean)) {
      const heading = plain(shown).toLowerCase();
      const at = text.indexOf(heading, from);
      if (at < 0) continue;
      headings.push({ id: ids.get(heading), text: heading, shown, at, empty: empty.includes(heading) });
      from = at + heading.length;
    }
    data.read = { title, text, empty, headings };
  }
  return data.read;
}

function boilerplate(sentence, empty) {
  // a sentence that is only labels over nothing, and 无
  let rest = sentence;
  for (const label of empty) rest = rest.split(label).join("");
  rest = rest.replace(/[\s\p{P}]+/gu, "");
  return rest === "" || NOTHING.has(rest);
}

function placed(page, name, loose = false) {
  // where a name is on a page: 3 in the title, 2 in a heading over something, and 1 to 1.5 in
  // the text (more for more), 0.5 more for text beside a title or a heading; 0.1 if it is only
  // in labels over nothing
  let boiler = 0;
  for (const label of page.empty) boiler += count(label, name) * Math.max(1, count(page.text, label));
  let real = count(page.text, name) - count(page.title, name) - boiler;
  let base = 0;
  if (page.title.includes(name)) base = page.title === name ? 4.5 : 3;
  for (const h of page.headings) {
    if (!h.empty && h.text.includes(name)) {
      base = Math.max(base, h.text === name ? 4 : 2);
      real -= count(h.text, name);
    }
  }
  if (real > 0) return (base ? base + 0.5 : 1) + 0.05 * Math.min(real - 1, 10);
  if (base) return base;
  if (boiler > 0) return 0.1;
  return loose ? 0 : 0.3; // 0.3: Pagefind found the phrase across an end the text marks
}

function rescore(page, query) {
  // 0 for a page that does not hold about half the query's weight after all
  let score = 0;
  let held = 0;
  for (const c of query.concepts) {
    const where = Math.max(0, ...c.names.map((n) => placed(page, n, c.loose)));
    score += c.weight * c.idf * where;
    if (where > 0) held += c.weight * c.idf;
  }
  if (query.whole) {
    const where = placed(page, query.whole);
    if (page.title === query.whole) score += 10 * query.total; // the page named
    else if (where >= 1 && query.concepts.length > 1) score += where * query.total;
    if (where > 0) held = Math.max(held, query.total);
  }
  if (held < COVERAGE * query.total - 1e-9) return 0;
  // a long page touches on much: a little less for each tenfold length
  return score / (1 + 0.1 * Math.log10(1 + page.text.length / 500));
}

async function find(term) {
  // the pages holding about half the query's weight, best first
  const query = { concepts: concepts(term), whole: "" };
  const whole = plain(halfWidth(term)).replace(/\s+/gu, "").toLowerCase();
  const phrase = /^[^\p{P}\p{S}]+$/u.test(whole); // (a phrase of the index holds no punctuation)
  const [hits, wholeHits] = await Promise.all([
    Promise.all(query.concepts.map(async (c) => {
      const held = new Map();
      for (const answer of await Promise.all(c.names.map((n) => exact(n, c.loose)))) {
        for (const r of answer) if (!held.has(r.id)) held.set(r.id, r);
      }
      return held;
    })),
    whole.length > 1 && phrase ? exact(whole) : Promise.resolve([]),
  ]);
  if (whole.length > 1) query.whole = whole;
  query.total = 0;
  query.concepts.forEach((c, i) => {
    c.idf = Math.log(1 + pages / (hits[i].size + 0.5));
    query.total += c.weight * c.idf;
  });
  const score = new Map();
  const result = new Map();
  hits.forEach((held, i) => {
    const c = query.concepts[i];
    for (const [id, r] of held) {
      score.set(id, (score.get(id) || 0) + c.weight * c.idf);
      if (!result.has(id)) result.set(id, r);
    }
  });
  for (const r of wholeHits) {
    score.set(r.id, (score.get(r.id) || 0) + query.total);
    if (!result.has(r.id)) result.set(r.id, r);
  }
  const order = [...result.keys()].filter((id) => score.get(id) >= COVERAGE * query.total - 1e-9);
  order.sort((a, b) => score.get(b) - score.get(a)); // stable: ties stay in the index's order
  const best = order.slice(0, RESCORED);
  const read = await Promise.all(best.map((id) => fragment(result.get(id))));
  const again = new Map(best.map((id, i) => [id, rescore(read[i], query)]));
  const kept = best.filter((id) => again.get(id) > 0);
  kept.sort((a, b) => again.get(b) - again.get(a));
  return { query, results: [...kept, ...order.slice(RESCORED)].map((id) => result.get(id)) };
}

async function fragment(r) {
  if (!r.fragment) {
    r.fragment = await r.data();
    r.fragment.page = read(r.fragment);
  }
  return r.fragment.page;
}

// ------------------------------------------------------------------ the excerpt

function sentences(text) {
  const out = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (SENTENCE_END.test(text[i])) {
      out.push({ at: start, text: text.slice(start, i + 1) });
      start = i + 1;
    }
  }
  if (start < text.length) out.push({ at: start, text: text.slice(start) });
  return out.filter((s) => s.text.replace(/[\s\p{P}]+/gu, "") !== "");
}

function names(query) {
  // what an excerpt marks: the names of the query's words, the query itself, and of a stretch
  // cut in pairs, its parts of three characters or more (a pair alone is often a stray match)
  const all = query.concepts.filter((c) => !c.run).flatMap((c) => c.names);
  for (const run of new Set(query.concepts.map((c) => c.run).filter(Boolean))) {
    if (run.length === 2) all.push(run);
    for (let size = run.length; size >= 3; size--) {
      for (let i = 0; i + size <= run.length; i++) all.push(run.slice(i, i + size));
    }
  }
  if (query.whole) all.push(query.whole);
  return [...new Set(all.filter((n) => n))].sort((a, b) => b.length - a.length);
}

function worth(sentence, page, query) {
  let score = 0;
  for (const c of query.concepts) {
    if (c.names.some((n) => sentence.includes(n))) score += c.weight * c.idf;
  }
  if (query.whole && sentence.includes(query.whole)) score += query.total;
  return boilerplate(sentence, page.empty) ? score * 0.1 : score;
}

function shorten(sentence, query) {
  // a long sentence: its clauses around the first match, cut at their ends
  if (sentence.length <= EXCERPT) return sentence;
  const lower = sentence.toLowerCase();
  let first = sentence.length;
  for (const n of names(query)) {
    const at = lower.indexOf(n);
    if (at >= 0 && at < first) first = at;
  }
  if (first === sentence.length) first = 0;
  const ends = [0];
  for (let i = 0; i < sentence.length; i++) {
    if (CLAUSE_END.test(sentence[i]) || SENTENCE_END.test(sentence[i])) ends.push(i + 1);
  }
  ends.push(sentence.length);
  let from = 0;
  for (const e of ends) if (e <= first) from = e;
  let to = ends.find((e) => e > first) ?? sentence.length;
  for (const e of ends) if (e > to && e - from <= EXCERPT) to = e;
  while (to - from > EXCERPT && from < first) { // start later, at a clause's start
    const next = ends.find((e) => e > from && e <= first);
    if (next === undefined) break;
    from = next;
  }
  let piece = sentence.slice(from, to);
  if (piece.length > EXCERPT) {
    piece = piece.slice(0, EXCERPT);
    return (from > 0 ? "…" : "") + piece + "…";
  }
  return (from > 0 ? "…" : "") + piece + (to < sentence.length ? "…" : "");
}

function chosen(page, query, shown) {
  // the page's sentence that holds the most of the query (not the title alone), shortened
  const all = sentences(shown);
  const body = all.length > 1 && plain(all[0].text).toLowerCase().replace(/。$/u, "") === page.title
    ? all.slice(1) : all;
  let best = body[0] || all[0] || { text: "" };
  let most = 0;
  for (const s of body) {
    const score = worth(s.text.toLowerCase(), page, query);
    if (score > most) {
      most = score;
      best = s;
    }
  }
  let text = best.text;
  for (let i = body.indexOf(best) + 1; text.length < 16 && i > 0 && i < body.length; i++) {
    text += body[i].text; // a heading alone says little: the sentence after it too
  }
  return shorten(text.replace(/[；：，、]$/u, "。"), query);
}

function excerpt(text, query) {
  const p = document.createElement("p");
  p.className = "excerpt";
  const lower = text.toLowerCase();
  const marked = new Array(text.length).fill(false);
  for (const n of names(query)) {
    for (let at = lower.indexOf(n); n && at >= 0; at = lower.indexOf(n, at + n.length)) {
      for (let i = at; i < at + n.length; i++) marked[i] = true;
    }
  }
  let i = 0;
  while (i < text.length) {
    let j = i;
    while (j < text.length && marked[j] === marked[i]) j++;
    if (marked[i]) {
      const mark = document.createElement("mark");
      mark.textContent = text.slice(i, j);
      p.append(mark);
    } else {
      p.append(text.slice(i, j));
    }
    i = j;
  }
  return p;
}

function result(data, query) {
  const page = read(data);
  const shown = plain(data.content);
  const li = document.createElement("li");
  const title = document.createElement("a");
  title.className = "title";
  title.href = data.url;
  title.textContent = data.meta.heading || data.url;
  li.append(title, excerpt(chosen(page, query, shown), query));
  // sections of a long page (a clause of the 方案) that hold the query, each its own link
  const held = page.headings.map((h, i) => {
    const end = i + 1 < page.headings.length ? page.headings[i + 1].at : page.text.length;
    return { h, score: h.empty ? 0 : worth(page.text.slice(h.at, end), page, query) };
  }).filter((s) => s.score > 0 && s.h.id);
  const top = Math.max(0, ...held.map((s) => s.score));
  const sections = held.filter((s) => s.score >= top / 2).slice(0, 3);
  if (page.headings.length > 2 && sections.length > 0) {
    const ul = document.createElement("ul");
    ul.className = "sections";
    for (const s of sections) {
      const item = document.createElement("li");
      const a = document.createElement("a");
      a.href = `${data.url}#${s.h.id}`;
      a.textContent = s.h.shown;
      item.append(a);
      ul.append(item);
    }
    li.append(ul);
  }
  return li;
}

async function showMore(mine) {
  const next = found.slice(list.children.length, list.children.length + PAGE_SIZE);
  await Promise.all(next.map(fragment));
  if (mine !== generation) return;
  list.append(...next.map((r) => result(r.fragment, asked)));
  more.hidden = list.children.length >= found.length;
}

async function search(raw) {
  const mine = ++generation;
  clearTimeout(timer);
  const term = raw.trim();
  const address = new URL(window.location.href);
  if (term) address.searchParams.set("q", term);
  else address.searchParams.delete("q");
  window.history.replaceState(null, "", address);
  if (!term) {
    found = [];
    list.replaceChildren();
    status.textContent = "";
    more.hidden = true;
    return;
  }
  status.textContent = "正在搜索……";
  const answer = await find(term);
  if (mine !== generation) return;
  found = answer.results;
  asked = answer.query;
  list.replaceChildren();
  more.hidden = true;
  status.textContent = found.length > 0
    ? `找到 ${found.length} 条与“${term}”相关的结果`
    : `没有找到与“${term}”相关的页面。可以换一个词，或使用下面的目录。`;
  await showMore(mine);
  if (mine === generation) list.dataset.term = term; // the results shown are this query's
}

function later() {
  clearTimeout(timer);
  timer = setTimeout(() => search(input.value), DEBOUNCE_MS);
}

// while an input method composes (pinyin before it becomes 汉字), nothing is searched
input.addEventListener("input", (event) => {
  if (!event.isComposing) later();
});
input.addEventListener("compositionend", later);
input.addEventListener("keydown", (event) => {
  if (event.key === "Enter" && !event.isComposing) search(input.value);
});
go.addEventListener("click", () => search(input.value));
more.addEventListener("click", () => showMore(generation));

note.hidden = true;
box.hidden = false;
const addressed = new URLSearchParams(window.location.search).get("q");
if (addressed) {
  input.value = addressed;
  await search(addressed);
}
box.dataset.ready = "true";
