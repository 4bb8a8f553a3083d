// The editor's desk: POSTs the article with Accept: text/event-stream and shows each event as it comes
// (found → grounded per question → summary | problem). No library, no outside resource.
"use strict";
const $ = (id) => document.getElementById(id);
const KEY = "summarise.apiKey"; // sessionStorage: this tab only
window.editorLog = []; // each event as it came, and what the page showed then
const state = { text: "", found: null, response: null, final: null, article: null, items: new Map() };

function headers(extra) {
  const h = { "content-type": "application/json", ...extra };
  const key = sessionStorage.getItem(KEY);
  if (key) h.authorization = "Bearer " + key;
  return h;
}

function say(text) { $("status").textContent = text; }

function showProblem(problem) {
  $("problem-title").textContent = problem.title || "Error";
  $("problem-detail").textContent = problem.detail || "";
  $("problem").hidden = false;
  say("");
}

function askForKey(retry) {
  $("key-form").hidden = false;
  $("api-key").focus();
  say("The API answered 401: give an API key.");
  $("key-form").onsubmit = (event) => {
    event.preventDefault();
    sessionStorage.setItem(KEY, $("api-key").value.trim());
    $("key-form").hidden = true;
    retry();
  };
}

async function problemOf(response) {
  try { return await response.json(); } catch { return { title: response.status + " " + response.statusText, detail: "" }; }
}

function articleFromForm() {
  const article = { text: $("text").value };
  if ($("title").value.trim()) article.title = $("title").value.trim();
  if ($("published").value) article.published = $("published").value;
  if ($("language").value.trim()) article.language = $("language").value.trim();
  return article;
}

function start() {
  window.editorLog = [];
  state.found = state.response = state.final = null;
  $("problem").hidden = true;
  $("copied").hidden = true;
  $("copy-json").disabled = $("copy-ninjs").disabled = true;
}

async function summarise() {
  const article = articleFromForm();
  if (!article.text.trim()) { showProblem({ title: "No text", detail: "Paste the article's text first." }); return; }
  start();
  state.article = article;
  state.text = article.text;
  renderAll();
  $("result").hidden = false;
  say("Sent; waiting for the first event…");
  let response;
  try {
    response = await fetch("/v1/summaries", { method: "POST", headers: headers({ accept: "text/event-stream" }), body: JSON.stringify(article) });
  } catch (error) { showProblem({ title: "The API did not answer", detail: String(error) }); return; }
  if (response.status === 401) { askForKey(summarise); return; }
  if (!response.ok) { showProblem(await problemOf(response)); return; }
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let cut;
    while ((cut = buffer.search(/\r?\n\r?\n/)) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut).replace(/^\r?\n\r?\n/, "");
      handle(block);
    }
  }
  if (!state.final && $("problem").hidden) showProblem({ title: "The stream ended early", detail: "No summary came." });
}

function handle(block) {
  let event = "message"; const data = [];
  for (const line of block.split(/\r?\n/)) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (!data.length) return;
  const payload = JSON.parse(data.join("\n"));
  if (event === "found") { state.found = payload; say("Code found the names and dates; asking the model…"); }
  else if (event === "grounded") { state.response = payload.partial; say("Grounded: " + payload.question.replace("_", " ") + "…"); }
  else if (event === "summary") { state.response = state.final = payload; say("Done" + (payload.meta.cached ? " (from the cache)." : ".")); finished(); }
  else if (event === "problem") { showProblem(payload); }
  renderAll();
  const r = state.response;
  window.editorLog.push({ event, participants: r?.participants.length ?? 0, dates: r?.dates.length ?? 0, issues: r?.open_issues.length ?? 0, subjects: r?.subjects?.length ?? 0, summary: Boolean(r?.summary) });
}

function finished() { $("copy-json").disabled = $("copy-ninjs").disabled = false; }

async function openJob() {
  const id = $("job-id").value.trim();
  if (!id) return;
  start();
  const response = await fetch("/v1/jobs/" + encodeURIComponent(id), { headers: headers({}) });
  if (response.status === 401) { askForKey(openJob); return; }
  if (!response.ok) { showProblem(await problemOf(response)); return; }
  const job = await response.json();
  if (job.status === "failed") { showProblem(job.error || { title: "Job failed" }); return; }
  if (job.status !== "succeeded") { say("Job " + job.status + "; try again in a moment."); return; }
  // The job holds the summary, not the article: evidence is shown from its quotes.
  state.text = $("text").value || evidenceText(job.result);
  state.article = articleFromForm();
  state.response = state.final = job.result;
  $("result").hidden = false;
  say("Job " + id + " succeeded.");
  finished();
  renderAll();
}

function evidenceText(response) {
  let end = 0; const quotes = [];
  for (const item of allItems(response)) for (const ev of item.evidence) { quotes.push(ev); end = Math.max(end, ev.end); }
  const chars = Array(end).fill(" ");
  for (const ev of quotes) for (let i = 0; i < ev.quote.length; i++) chars[ev.start + i] = ev.quote[i];
  return chars.join("");
}

function allItems(response) {
  return [...(response.subjects || []), ...(response.participants || []), ...(response.dates || []), ...(response.open_issues || [])];
}

// --- rendering -------------------------------------------------------------------------------
function renderAll() {
  const r = state.response;
  state.items = new Map();
  (r?.subjects || []).forEach((s, n) => state.items.set("s" + n, { label: s.name, evidence: s.evidence }));
  (r?.participants || []).forEach((p, n) => state.items.set("p" + n, { label: p.name, evidence: p.evidence }));
  (r?.dates || []).forEach((d, n) => state.items.set("d" + n, { label: d.text, evidence: d.evidence }));
  (r?.open_issues || []).forEach((o, n) => state.items.set("i" + n, { label: o.issue, evidence: o.evidence }));
  renderArticle();
  renderList("subjects", r?.subjects, "s", (s) => [path(s), "relevance " + percent(s.relevance) + " · confidence " + percent(s.confidence), [], s.qcode]);
  renderList("participants", r?.participants, "p", (p) => [p.name, [p.role, p.affiliation].filter(Boolean).join(", "), p.about ? ["about"] : [], "salience " + percent(p.salience) + (p.confidence == null ? "" : " · confidence " + percent(p.confidence))]);
  renderList("dates", r?.dates, "d", (d) => [d.text, [range(d), d.approximate ? "approximate" : "", d.event].filter(Boolean).join(" · ")]);
  renderList("issues", r?.open_issues, "i", (o) => [o.issue, o.parties.join(", ")]);
  renderTimeline(r?.dates);
  const summary = $("summary");
  summary.textContent = r?.summary || "Waiting for the model…";
  summary.className = r?.summary ? "" : "pending";
  const warnings = $("warnings");
  warnings.replaceChildren(...(r?.meta.warnings || []).map((w) => li(w)));
  if (!warnings.children.length) warnings.append(li(state.final ? "None." : "None yet.", "pending"));
}

function li(text, cls) { const el = document.createElement("li"); el.textContent = text; if (cls) el.className = cls; return el; }

// A subject with its broader concepts, the top one first: "politics › election › regional elections".
function path(subject) { return [...(subject.broader || [])].reverse().map((c) => c.name).concat(subject.name).join(" › "); }
function percent(x) { return Math.round((x ?? 0) * 100) + "%"; }

function range(d) {
  if (!d.start) return "unresolved";
  return d.start === d.end ? d.start : d.start + " – " + d.end;
}

function renderList(id, list, prefix, describe) {
  const ul = $(id);
  if (!list) { ul.replaceChildren(li(state.final || state.response ? "None." : "Waiting…", "pending")); return; }
  if (!list.length) { ul.replaceChildren(li("None.", "pending")); return; }
  ul.replaceChildren(...list.map((item, n) => {
    const el = document.createElement("li");
    el.tabIndex = 0;
    el.dataset.key = prefix + n;
    const [title, detail, badges, note] = describe(item);
    const b = document.createElement("strong"); b.textContent = title; el.append(b);
    for (const badge of badges || []) { const t = document.createElement("span"); t.className = "badge " + badge; t.textContent = badge; el.append(" ", t); }
    if (detail) { const s = document.createElement("span"); s.className = "role"; s.textContent = " — " + detail; el.append(s); }
    if (note) { const s = document.createElement("small"); s.className = "note"; s.textContent = note; el.append(" ", s); }
    for (const kind of [...new Set(item.evidence.map((e) => e.match))]) {
      const m = document.createElement("span"); m.className = "match " + kind; m.textContent = kind; el.append(m);
    }
    const on = () => light(el.dataset.key, true);
    const off = () => light(null);
    el.addEventListener("mouseenter", on); el.addEventListener("focus", on);
    el.addEventListener("mouseleave", off); el.addEventListener("blur", off);
    return el;
  }));
}

// The article as runs of text cut at every boundary of a found name, a found date or a piece of evidence.
function renderArticle() {
  const text = state.text;
  const marks = [];
  for (const name of state.found?.names || []) for (const m of name.mentions) marks.push({ start: m.start, end: m.end, cls: "name" });
  for (const d of state.found?.dates || []) marks.push({ start: d.start, end: d.end, cls: "date" });
  for (const [key, item] of state.items) for (const ev of item.evidence) marks.push({ start: ev.start, end: ev.end, key });
  const cuts = new Set([0, text.length]);
  for (const m of marks) { cuts.add(Math.max(0, Math.min(m.start, text.length))); cuts.add(Math.max(0, Math.min(m.end, text.length))); }
  const points = [...cuts].sort((a, b) => a - b);
  const pane = $("article");
  const runs = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const [s, e] = [points[i], points[i + 1]];
    const span = document.createElement("span");
    span.textContent = text.slice(s, e);
    span.dataset.start = s; span.dataset.end = e;
    const keys = [];
    for (const m of marks) if (m.start <= s && e <= m.end) { if (m.key) keys.push(m.key); else span.classList.add(m.cls); }
    if (keys.length) {
      span.classList.add("ev");
      span.dataset.keys = [...new Set(keys)].join(" ");
      span.tabIndex = 0;
      span.setAttribute("role", "button");
      span.addEventListener("click", () => supports(span));
      span.addEventListener("keydown", (event) => { if (event.key === "Enter" || event.key === " ") { event.preventDefault(); supports(span); } });
    }
    runs.push(span);
  }
  pane.replaceChildren(...runs);
}

function light(key, scroll) {
  let first = null;
  for (const span of $("article").querySelectorAll(".ev")) {
    const on = key !== null && span.dataset.keys.split(" ").includes(key);
    span.classList.toggle("lit", on);
    if (on && !first) first = span;
  }
  if (first && scroll) first.scrollIntoView({ block: "nearest", behavior: "smooth" });
}

function supports(span) {
  const box = $("supports");
  const names = span.dataset.keys.split(" ").map((key) => state.items.get(key)?.label).filter(Boolean);
  box.replaceChildren(document.createTextNode("This passage supports: "), ...names.map((name, n) => {
    const b = document.createElement("strong"); b.textContent = (n ? "; " : "") + name; return b;
  }));
  box.hidden = false;
  for (const el of document.querySelectorAll(".items li[data-key]")) el.classList.toggle("active", span.dataset.keys.split(" ").includes(el.dataset.key));
}

const DAY = 86400000;
function renderTimeline(dates) {
  const box = $("timeline");
  const published = state.article?.published ? Date.parse(state.article.published) : null;
  const resolved = (dates || []).filter((d) => d.start);
  if (!resolved.length) { box.replaceChildren(); box.hidden = true; return; }
  box.hidden = false;
  const days = resolved.flatMap((d) => [Date.parse(d.start), Date.parse(d.end || d.start) + DAY]);
  if (published !== null) days.push(published, published + DAY);
  const [low, high] = [Math.min(...days) - DAY, Math.max(...days) + DAY];
  const at = (t) => ((t - low) / (high - low)) * 100;
  const rows = resolved.map((d) => {
    const row = document.createElement("div");
    row.className = "bar" + (d.approximate ? " approximate" : "");
    row.title = d.text + ": " + range(d) + (d.approximate ? " (approximate)" : "");
    row.setAttribute("role", "img"); row.setAttribute("aria-label", row.title);
    const label = document.createElement("em");
    label.textContent = (d.approximate ? "≈ " : "") + d.text;
    const track = document.createElement("div");
    const bar = document.createElement("span");
    const s = Date.parse(d.start), e = Date.parse(d.end || d.start) + DAY;
    bar.style.left = at(s) + "%"; bar.style.width = (at(e) - at(s)) + "%";
    row.dataset.start = d.start; row.dataset.end = d.end || d.start;
    track.append(bar);
    row.append(label, track);
    return row;
  });
  const axis = document.createElement("div");
  axis.className = "axis";
  axis.append(li(new Date(low).toISOString().slice(0, 10)), li(new Date(high - DAY).toISOString().slice(0, 10)));
  [...axis.children].forEach((c) => { const s = document.createElement("span"); s.textContent = c.textContent; c.replaceWith(s); });
  const parts = [...rows, axis];
  if (published !== null) {
    const line = document.createElement("div");
    line.className = "published"; line.style.left = at(published) + "%";
    const label = document.createElement("b"); label.textContent = "published " + state.article.published;
    line.append(label);
    const track = document.createElement("div"); // the line over the bars' track, not their labels
    track.className = "track";
    track.append(line);
    parts.unshift(track);
  }
  box.replaceChildren(...parts);
}

// --- copying ---------------------------------------------------------------------------------
async function copy(text) {
  const out = $("copied");
  out.value = text; out.hidden = false;
  try { await navigator.clipboard.writeText(text); say("Copied."); } catch { out.select(); say("Select and copy the text below."); }
}

async function copyNinjs() {
  const a = state.article;
  const item = { uri: "urn:summarise:editor:" + (state.final.id || Date.now()), body_text: a.text };
  if (a.title) item.headline = a.title;
  if (a.language) item.language = a.language;
  if (a.published) item.versioncreated = a.published + "T00:00:00Z";
  const response = await fetch("/v1/ninjs/enrichments", { method: "POST", headers: headers({}), body: JSON.stringify(item) });
  if (response.status === 401) { askForKey(copyNinjs); return; }
  if (!response.ok) { showProblem(await problemOf(response)); return; }
  await copy(JSON.stringify(await response.json(), null, 2));
}

document.addEventListener("DOMContentLoaded", () => {
  $("article-form").addEventListener("submit", (event) => { event.preventDefault(); summarise(); });
  $("open-job").addEventListener("click", openJob);
  $("reset").addEventListener("click", () => { $("article-form").reset(); start(); state.text = ""; $("result").hidden = true; say(""); });
  $("copy-json").addEventListener("click", () => copy(JSON.stringify(state.final, null, 2)));
  $("copy-ninjs").addEventListener("click", copyNinjs);
});
