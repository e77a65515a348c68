// The site search (search.html): Pagefind's bundle, built by `ssj build` into pagefind/, run in
// this browser. Nothing is sent anywhere but this site. Results are drawn as plain DOM nodes, never
// as markup: a title or an excerpt is page text, whatever characters it holds.
//
// The index has each Chinese character as a word (generator/site/search.py says why). A query is
// spaced the same way; Pagefind ranks the pages that hold all its characters, and each run of
// characters (a name, a code, a clause) must also be found as an exact phrase, which makes it a
// substring search.
const PAGE_SIZE = 10;
const DEBOUNCE_MS = 250;
const HAN = /\p{Script=Han}/gu;
const BREAK = /[\s\p{P}\p{S}]+/u; // a phrase ends at a space, a punctuation mark or a symbol
// what is shown of the index's text: without its spaces between Chinese characters and
// punctuation, with 。 for the full stop Pagefind puts after a block, and not starting at a
// stop or a comma
const SPACED = /([\p{Script=Han}\u3000-\u303f\uff00-\uffef]) ((?:<\/?mark>)*)(?=[\p{Script=Han}\u3000-\u303f\uff00-\uffef])/gu;
const STOP = /(\p{Script=Han})((?:<\/?mark>)*)\.(?: |$)/gu;
const LEADING = /^[\s。，、；：！？）」』】〕.,;:!?)\]]+/u;

const box = document.getElementById("search");
const note = document.getElementById("search-note");
const input = document.getElementById("q");
const go = document.getElementById("go");
const status = document.getElementById("status");
const list = document.getElementById("results");
const more = document.getElementById("more");

let pagefind = null;
try {
  // relative to this module (static/search/), so the site works under any path
  pagefind = await import("../../pagefind/pagefind.js");
  await pagefind.options({ excerptLength: 36 });
  await pagefind.init();
} catch (error) {
  note.textContent = "搜索索引未能载入，请使用下面的机构与人员目录，或从导航进入各栏目。";
  throw error;
}

let generation = 0; // the latest query; an older one's late answer is dropped
let found = [];
let timer = 0;

function spaced(text) {
  return text.replace(HAN, " $& ").replace(/\s+/g, " ").trim();
}

async function find(term) {
  // the pages holding every character, in Pagefind's order, that also hold each phrase
  const ranked = (await pagefind.search(spaced(term))).results;
  const phrases = term.split(BREAK).map(spaced).filter((p) => p.includes(" "));
  if (phrases.length === 0) return ranked;
  const exact = await Promise.all(phrases.map((p) => pagefind.search(`"${p}"`)));
  const holding = exact.map((s) => new Map(s.results.map((r) => [r.id, r])));
  // each page as the first phrase found it: its excerpt marks that phrase, not stray characters
  return ranked.filter((r) => holding.every((h) => h.has(r.id))).map((r) => holding[0].get(r.id));
}

function readable(text) {
  return text.replace(STOP, "$1$2。").replace(SPACED, "$1$2").replace(LEADING, "");
}

function excerpt(text) {
  // Pagefind marks the matched words with <mark>; everything else is the page's plain text
  const p = document.createElement("p");
  p.className = "excerpt";
  let marked = false;
  for (const part of readable(text).split(/(<mark>|<\/mark>)/)) {
    if (part === "<mark>") marked = true;
    else if (part === "</mark>") marked = false;
    else if (part) {
      if (marked) {
        const mark = document.createElement("mark");
        mark.textContent = part;
        p.append(mark);
      } else {
        p.append(part);
      }
    }
  }
  return p;
}

function result(data) {
  const li = document.createElement("li");
  const title = document.createElement("a");
  title.className = "title";
  title.href = data.url;
  title.textContent = data.meta.heading || data.url;
  li.append(title, excerpt(data.excerpt));
  // sections of a long page (a clause of the 方案) that hold the words, each its own link
  const sections = (data.sub_results || []).filter((s) => s.anchor && s.url !== data.url);
  if (sections.length > 0) {
    const ul = document.createElement("ul");
    ul.className = "sections";
    for (const s of sections.slice(0, 3)) {
      const item = document.createElement("li");
      const a = document.createElement("a");
      a.href = s.url;
      a.textContent = readable(s.title);
      item.append(a);
      ul.append(item);
    }
    li.append(ul);
  }
  return li;
}

function bare(text) {
  return text.replace(/\s+/g, "");
}

async function showMore(mine, term = null) {
  const next = found.slice(list.children.length, list.children.length + PAGE_SIZE);
  const data = await Promise.all(next.map((r) => r.data()));
  if (mine !== generation) return;
  if (term !== null) {
    // the page named exactly what was asked for (a person, an institution) comes first
    const named = (d) => (bare(d.meta.heading || "") === bare(term) ? 0 : 1);
    data.sort((a, b) => named(a) - named(b));
  }
  list.append(...data.map(result));
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
  found = answer;
  list.replaceChildren();
  more.hidden = true;
  status.textContent = found.length > 0
    ? `找到 ${found.length} 条与“${term}”相关的结果`
    : `没有找到与“${term}”相关的页面。可以换一个词，或使用下面的目录。`;
  await showMore(mine, term);
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
const asked = new URLSearchParams(window.location.search).get("q");
if (asked) {
  input.value = asked;
  await search(asked);
}
box.dataset.ready = "true";
