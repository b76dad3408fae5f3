// The analyst's pages: the threshold slider of a model, the review of flagged rows.
"use strict";

function analystCsrf() { return document.body.dataset.csrf; }

// Numbers as the page's language writes them (CLDR through Intl, as the server's Formats):
// "71,4 %", "3 945", "0,528" in French; "71.4%", "3,945", "0.528" in English.
const pageLang = document.documentElement.lang || "en";
const numberFormats = {};
function formatted(v, style, digits) {
  const key = style + digits;
  if (!numberFormats[key]) {
    numberFormats[key] = new Intl.NumberFormat(pageLang, {style: style, minimumFractionDigits: digits, maximumFractionDigits: digits});
  }
  return numberFormats[key].format(v);
}
function pct(v) { return formatted(v, "percent", 1); }
function num(v, digits) { return formatted(v, "decimal", digits || 0); }

function thresholdSlider(card) {
  const data = JSON.parse(document.getElementById("threshold-data").textContent);
  const slider = document.getElementById("threshold-slider");
  const curve = data.curve;
  const frauds = Math.round(data.base_rate * data.rows);
  // The threshold in force is a point of the curve (the server's index): the slider, the
  // table and the matrix start on the same threshold and the same counts.
  const best = Math.min(Math.max(Number(data.current) || 0, 0), curve.length - 1);
  const show = () => {
    const p = curve[Number(slider.value)];
    document.getElementById("th-value").textContent = num(p.threshold, 4);
    slider.setAttribute("aria-valuetext", num(p.threshold, 4));  // the threshold, not the index
    document.getElementById("th-precision").textContent = pct(p.precision);
    document.getElementById("th-recall").textContent = pct(p.recall);
    document.getElementById("th-flagged").textContent = pct(p.flagged_share);
    document.getElementById("th-cost").textContent = num(p.expected_cost, 4);
    if (data.rows) {
      let cells = {tp: p.tp, fp: p.fp, fn: p.fn, tn: p.tn};
      if (p.tp === undefined) {  // a model that kept no test scores: counts from the shares
        const flagged = Math.round(p.flagged_share * data.rows);
        const tp = Math.round(p.recall * frauds);
        cells = {tp: tp, fp: flagged - tp, fn: frauds - tp, tn: data.rows - flagged - (frauds - tp)};
      }
      Object.entries(cells).forEach(([k, v]) => {
        const cell = document.getElementById("cm-" + k);
        if (cell) { cell.textContent = num(v); }
      });
      const shown = document.getElementById("cm-threshold");
      if (shown) { shown.textContent = num(p.threshold, 4); }
    }
  };
  slider.value = best;
  slider.addEventListener("input", show);
  show();
  document.getElementById("threshold-save").addEventListener("click", () => {
    const status = document.getElementById("threshold-status");
    const threshold = curve[Number(slider.value)].threshold;
    fetch("/api/models/" + card.dataset.model + "/threshold", {
      method: "PUT",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": analystCsrf(), "Accept": "application/json"},
      body: JSON.stringify({threshold: threshold}),
    }).then((r) => r.json().then((body) => ({ok: r.ok, body: body})))
      .then(({ok, body}) => {
        status.textContent = ok ? card.dataset.saved + " " + num(body.threshold.value, 4) : body.message;
        status.className = ok ? "saved" : "error-text";
      })
      .catch(() => { status.textContent = document.body.dataset.offline; status.className = "error-text"; });
  });
}

// Keyboard shortcuts can be turned off (WCAG 2.1.4): a checkbox the script shows, its
// choice kept in this browser (localStorage) for every review.
const SHORTCUTS_KEY = "entrepot.review.shortcuts";
function shortcutsOn() {
  try { return window.localStorage.getItem(SHORTCUTS_KEY) !== "off"; } catch (e) { return true; }
}
function shortcutsSetting(card) {
  const box = document.getElementById("review-shortcuts");
  const apply = (on) => {
    document.getElementById("review-keys").hidden = !on;
    card.querySelectorAll("[data-keyshortcut], [aria-keyshortcuts]").forEach((b) => {
      if (!b.dataset.keyshortcut) { b.dataset.keyshortcut = b.getAttribute("aria-keyshortcuts"); }
      if (on) { b.setAttribute("aria-keyshortcuts", b.dataset.keyshortcut); } else { b.removeAttribute("aria-keyshortcuts"); }
    });
  };
  box.checked = shortcutsOn();
  apply(box.checked);
  document.getElementById("review-shortcuts-label").hidden = false;
  box.addEventListener("change", () => {
    try { window.localStorage.setItem(SHORTCUTS_KEY, box.checked ? "on" : "off"); } catch (e) { /* kept for this page only */ }
    apply(box.checked);
  });
}

function review(card) {
  // The server stands on the first undecided row (or the row an undo brought back): a
  // reload keeps the place. Decided rows carry data-label; "N left" counts the others.
  const rows = Array.from(card.querySelectorAll(".review-row"));
  const status = document.getElementById("review-status");
  const decided = document.getElementById("review-decided");
  const left = document.getElementById("review-left");
  let index = Math.min(Number(card.dataset.start) || 0, rows.length);
  const open = (i) => i < rows.length && rows[i].dataset.label === undefined;
  const remaining = () => rows.filter((r) => r.dataset.label === undefined).length;
  const next = (from) => {
    for (let i = from; i < rows.length; i += 1) { if (open(i)) { return i; } }
    for (let i = 0; i < from && i < rows.length; i += 1) { if (open(i)) { return i; } }
    return rows.length;
  };
  const show = () => {
    rows.forEach((r, i) => { r.hidden = i !== index; });
    document.getElementById("review-done").hidden = index < rows.length;
    document.getElementById("review-position").textContent = Math.min(index + 1, rows.length) + " / " + rows.length;
    left.textContent = card.dataset.left.replace("{count}", num(remaining()));
  };
  const decide = (label) => {
    if (index >= rows.length) { return; }
    const row = Number(rows[index].dataset.row);
    if (label === null) { index = next(index + 1); show(); return; }
    fetch("/api/predictions/" + card.dataset.prediction + "/feedback", {
      method: "POST",
      headers: {"Content-Type": "application/json", "X-CSRF-Token": analystCsrf(), "Accept": "application/json"},
      body: JSON.stringify({labels: [{row: row, label: label}]}),
    }).then((r) => r.json().then((body) => ({ok: r.ok, body: body})))
      .then(({ok, body}) => {
        if (!ok) { status.textContent = body.message; status.className = "error-text"; return; }
        rows[index].dataset.label = String(label);
        decided.textContent = String(body.labels.length);
        status.textContent = ""; index = next(index + 1);
        // The end of the queue: the page again, from the server, with the retraining it
        // offers now (its count of decisions, the plan's answer).
        if (index >= rows.length) { window.location.assign(window.location.pathname + "?risk=" + card.dataset.risk); return; }
        show();
      })
      .catch(() => { status.textContent = document.body.dataset.offline; status.className = "error-text"; });
  };
  shortcutsSetting(card);
  document.addEventListener("keydown", (event) => {
    if (!shortcutsOn()) { return; }
    if (event.target.closest && event.target.closest("input, textarea, select")) { return; }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    const key = event.key.toLowerCase();
    if (key === "f") { decide(1); } else if (key === "l") { decide(0); } else if (key === "s") { decide(null); }
    else if (key === "u") { document.getElementById("review-undo-form").submit(); }
  });
  card.querySelectorAll("button[data-label]").forEach((b) => {
    b.addEventListener("click", () => decide(b.dataset.label === "skip" ? null : Number(b.dataset.label)));
  });
  show();
}

document.addEventListener("DOMContentLoaded", () => {
  const card = document.getElementById("threshold-card");
  if (card) { thresholdSlider(card); }
  const reviewCard = document.getElementById("review");
  if (reviewCard) { review(reviewCard); }
});
