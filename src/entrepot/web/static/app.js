// Entrepôt pages: upload with progress, job following, charts, confirmations.
"use strict";

function csrf() { return document.body.dataset.csrf; }

function uploadForm(form) {
  const bar = document.getElementById("upload-progress");
  const status = document.getElementById("upload-status");
  const error = document.getElementById("upload-error");
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const request = new XMLHttpRequest();
    request.open("POST", form.action);
    request.setRequestHeader("X-CSRF-Token", csrf());
    request.setRequestHeader("Accept", "application/json");
    bar.hidden = false; bar.value = 0; error.hidden = true;
    status.textContent = form.dataset.uploading;
    form.querySelector("button").disabled = true;
    request.upload.addEventListener("progress", (e) => {
      if (e.lengthComputable) {
        bar.value = Math.round(100 * e.loaded / e.total);
        if (e.loaded === e.total) { status.textContent = form.dataset.analysing; }
      }
    });
    request.addEventListener("load", () => {
      let body = {};
      try { body = JSON.parse(request.responseText); } catch (e) { body = {message: request.statusText}; }
      if (request.status === 201) {
        window.location.href = "/datasets/" + body.dataset_id;
        return;
      }
      error.textContent = body.message || ("HTTP " + request.status);
      error.hidden = false; bar.hidden = true; status.textContent = "";
      form.querySelector("button").disabled = false;
    });
    request.addEventListener("error", () => {
      error.textContent = document.body.dataset.offline; error.hidden = false;
      form.querySelector("button").disabled = false;
    });
    request.send(data);
  });
}

function followJob(card) {
  const state = document.getElementById("job-state");
  const labels = JSON.parse(state.dataset.labels);
  const tick = () => {
    // The page's own view of the job: its progress message in the page's language.
    fetch("/jobs/" + card.dataset.job + "/status", {headers: {"Accept": "application/json"}})
      .then((r) => r.json())
      .then((job) => {
        // A finished job: the page again from the server, which shows its result (or its
        // error) as a reload would, never its last progress step.
        if (job.state === "succeeded" || job.state === "failed") { window.location.reload(); return; }
        state.textContent = labels[job.state] || job.state;
        state.className = "state " + job.state;
        document.getElementById("job-progress").value = Math.round(job.progress * 100);
        document.getElementById("job-message").textContent = job.message || "";
        document.getElementById("job-attempts").textContent = String(job.attempts);
        setTimeout(tick, 1000);
      })
      .catch(() => setTimeout(tick, 3000));
  };
  tick();
}

// On a narrow screen the mode bar would sit over the chart's title: no mode bar there.
function plotConfig() {
  // The page's language: its Plotly.js locale (plotly-locale-fr.js) names months and days
  // and writes numbers as the page does.
  return {displaylogo: false, responsive: true, displayModeBar: window.innerWidth > 600 ? "hover" : false,
          locale: document.documentElement.lang || "en"};
}

// A margin wider than 40 % of a narrow chart would leave no plot area: a horizontal bar
// chart's names (the importance's features) are cut to fit it, whole on hover.
function fitted(element, figure) {
  const margin = figure.layout.margin || {};
  const most = Math.round(element.clientWidth * 0.4);
  if (!margin.l || margin.l <= most) { return figure; }
  const layout = {...figure.layout, margin: {...margin, l: most}};
  const bars = figure.data.find((trace) => trace.orientation === "h");
  if (bars) {
    const room = Math.max(4, Math.floor(most / 7));
    const short = bars.y.map((name) => String(name).length > room ? String(name).slice(0, room - 1) + "\u2026" : String(name));
    layout.yaxis = {...(layout.yaxis || {}), tickmode: "array", tickvals: bars.y, ticktext: short};
  }
  return {data: figure.data, layout: layout};
}

// A table with a row of column headings reads, on a narrow screen, as stacked rows: each
// cell is labelled with its column's heading (data-column, shown before it by app.css).
function stackTables() {
  document.querySelectorAll("main table").forEach((table) => {
    const head = table.rows[0];
    if (!head || table.rows.length < 2 || [...head.cells].some((c) => c.tagName !== "TH")) { return; }
    const names = [];
    [...head.cells].forEach((c) => {
      for (let i = 0; i < (c.colSpan || 1); i++) { names.push(c.textContent.trim()); }
    });
    if (names.filter((n) => n).length < 2) { return; }
    table.classList.add("stack");
    head.classList.add("stack-head");
    [...table.rows].slice(1).forEach((row) => {
      let at = 0;
      [...row.cells].forEach((cell) => {
        const name = names[at] || "";
        if (name && !cell.hasAttribute("data-column")) { cell.setAttribute("data-column", name); }
        at += cell.colSpan || 1;
      });
    });
  });
}

// A table sorted by its column headings' buttons (the keyboard reaches them); the heading
// sorted on says so (aria-sort); each cell sorts by its data-sort-value, else its text.
function sortableTable(table) {
  const heads = [...table.rows[0].cells];
  heads.forEach((th, column) => {
    const button = th.querySelector("button.sort");
    if (!button) { return; }
    button.addEventListener("click", () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      const number = th.dataset.sortKind === "number";
      const value = (row) => {
        const cell = row.cells[column];
        const raw = cell.hasAttribute("data-sort-value") ? cell.dataset.sortValue : cell.textContent.trim();
        return number ? (raw === "" ? -Infinity : Number(raw)) : raw;
      };
      const rows = [...table.rows].slice(1);
      rows.sort((a, b) => {
        const x = value(a), y = value(b);
        const order = number ? x - y : String(x).localeCompare(String(y));
        return ascending ? order : -order;
      });
      const body = rows.length ? rows[0].parentElement : table;
      rows.forEach((row) => body.appendChild(row));
      heads.forEach((other) => { if (other.querySelector("button.sort")) { other.setAttribute("aria-sort", "none"); } });
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    });
  });
}

// A table wider than its card scrolls inside a region the keyboard reaches and a screen
// reader names (after its caption, its own label or its section's heading).
function scrollRegions() {
  document.querySelectorAll("main table").forEach((table) => {
    let box = table.parentElement;
    if (!box.classList.contains("scroll")) {
      box = document.createElement("div");
      box.className = "scroll";
      table.replaceWith(box);
      box.appendChild(table);
    }
    if (box.scrollWidth <= box.clientWidth || box.hasAttribute("tabindex")) { return; }
    const heading = box.closest("section, .card, main").querySelector("h2, h3, h1");
    const name = table.getAttribute("aria-label") || (table.caption && table.caption.textContent)
      || (heading && heading.textContent) || document.title;
    box.tabIndex = 0;
    box.setAttribute("role", "region");
    box.setAttribute("aria-label", name.trim());
  });
}

function drawCharts() {
  if (typeof Plotly === "undefined") { return; }
  document.querySelectorAll(".chart[data-figure]").forEach((element) => {
    const figure = fitted(element, JSON.parse(document.getElementById(element.dataset.figure).textContent));
    Plotly.newPlot(element, figure.data, figure.layout, plotConfig())
      .then(() => element.setAttribute("data-drawn", "yes"));
  });
}

// The first-start reference build: the banner follows its progress, and goes when it is done.
function followReferenceBuild(banner) {
  const tick = () => {
    fetch("/status/reference-build", {headers: {"Accept": "application/json"}})
      .then((r) => r.json())
      .then((status) => {
        if (!status.building) { banner.hidden = true; banner.textContent = ""; return; }
        if (banner.textContent !== status.text) { banner.textContent = status.text; }
        setTimeout(tick, 5000);
      })
      .catch(() => setTimeout(tick, 15000));
  };
  setTimeout(tick, 5000);
}

document.addEventListener("DOMContentLoaded", () => {
  const banner = document.getElementById("reference-build");
  if (banner && !banner.hidden) { followReferenceBuild(banner); }
  const form = document.getElementById("upload-form");
  if (form) { uploadForm(form); }
  const job = document.getElementById("job");
  if (job && job.dataset.final === "no") { followJob(job); }
  document.querySelectorAll("form.confirm").forEach((f) => {
    f.addEventListener("submit", (event) => {
      if (!window.confirm(f.dataset.confirm)) { event.preventDefault(); }
    });
  });
  document.querySelectorAll("button.copy[data-copy]").forEach((button) => {
    const source = document.getElementById(button.dataset.copy);
    if (!source || !navigator.clipboard) { return; }  // nothing to copy, or no clipboard
    button.hidden = false;
    button.addEventListener("click", () => {
      navigator.clipboard.writeText(source.textContent.trim())
        .then(() => { button.textContent = button.dataset.copied; });
    });
  });
  document.querySelectorAll("table.sortable").forEach(sortableTable);
  stackTables();
  scrollRegions();
  window.addEventListener("resize", scrollRegions);
  drawCharts();
});
