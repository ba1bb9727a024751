// The unrolled diagram: draws the numbers simulator/diagram.py sends and steps through the days in the browser.
// Step, play, pause, speed, scrub and the ← → P keys need no server; the day the user stops on goes to the server
// (setTriggerValue "day") so the link keeps it. Ask first (data.ask, data.hidden): the tiles from the day asked about
// on show "?" (their numbers are not sent: null); R reveals (setTriggerValue "reveal": the page reruns and sends them)
// and Q turns the mode on or off ("ask").

const SPEEDS = [["slow", 1500], ["normal", 700], ["fast", 250]];
const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
const SETTLE_MS = 400;
const MAX_TERMS = 6;
const live = new Set();

// ---- numbers, as simulator/explain.fmt writes them -------------------------------------------------------------

const value = (v) => (v === "inf" ? Infinity : v === "-inf" ? -Infinity : v === "nan" ? NaN : v);
const minus = (s) => s.replace(/-/g, "−");

function evenTie(v, digits) {
  // JS rounds an exact tie (0.5625 to 3 digits) up, Python's format to the even digit (0.562): nudge such a v to it
  const [m, e] = Math.abs(v).toExponential(99).split("e");
  const all = m.replace(".", "");
  const kept = all.slice(0, digits);
  if (!/^50*$/.test(all.slice(digits)) || Number(kept[kept.length - 1]) % 2) return v;
  return Math.sign(v) * Number(`${kept[0]}.${kept.slice(1)}e${e}`);
}

export function fmt(raw, digits = 3) {
  const given = value(raw);
  if (Number.isNaN(given)) return "NaN";
  if (!Number.isFinite(given)) return given > 0 ? "∞" : "−∞";
  if (given === 0) return "0";
  const v = evenTie(given, digits);
  const [mantissa, exp] = v.toExponential(digits - 1).split("e");
  const exponent = Number(exp);
  let s;
  if (exponent >= -2 && exponent < 4) {
    s = v.toFixed(Math.max(0, digits - 1 - exponent));
    if (s.includes(".")) s = s.replace(/0+$/, "").replace(/\.$/, "");
  } else {
    const m = mantissa.includes(".") ? mantissa.replace(/0+$/, "").replace(/\.$/, "") : mantissa;
    s = `${m}e${exponent}`;
  }
  return minus(s);
}

const operand = (raw) => {
  const s = fmt(raw);
  return s.startsWith("−") ? `(${s})` : s;
};

const weight = (raw) => {
  const v = value(raw);
  let s = Number.isFinite(v) ? String(Number(v.toPrecision(4))) : fmt(v);
  if (/e/.test(s)) s = v.toPrecision(4);
  s = minus(s);
  return s.startsWith("−") ? `(${s})` : s;
};

const sub = (name, t) => `${name}<sub>${t}</sub>`;
const sup = (name, j, n) => (n > 1 ? `${name}<sup>${j}</sup>` : name);
const tag = (name, t, j, n) => (n > 1 ? `${name}<sup>${j}</sup><sub>${t}</sub>` : sub(name, t));
const escape = (s) => String(s).replace(/[&<>"]/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"})[c]);

let SCALE = ["#8c510a", "#f7f7f7", "#01665e"].map(rgb); // negative, zero, positive: simulator/diagram.NODE_SCALE

function colour(raw, scale) {
  const v = value(raw);
  if (!Number.isFinite(v)) return null;
  const k = Math.max(-1, Math.min(1, v / scale));
  const [a, b] = k < 0 ? [SCALE[1], SCALE[0]] : [SCALE[1], SCALE[2]];
  const t = Math.abs(k);
  const mixed = a.map((c, i) => Math.round(c + (b[i] - c) * t));
  return {rgb: `rgb(${mixed.join(",")})`, dark: luminance(mixed) < darkBelow};
}

// WCAG 2's relative luminance of [r, g, b] in 0..255
const luminance = (rgb) => {
  const [r, g, b] = rgb.map((c) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4));
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
};
// below it white text reads better on a tile than its dark text: #262730, or black in high contrast (then every
// tile reads at 4.58 : 1 at least)
const DARK_TEXT_BELOW = {light: 0.223, contrast: 0.179};
let darkBelow = DARK_TEXT_BELOW.light;

function scaleOf(arrays) {
  let m = 1;
  for (const a of arrays) {
    for (const day of a) {
      for (const v of Array.isArray(day) ? day : [day]) {
        const x = Math.abs(value(v));
        if (Number.isFinite(x) && x > m) m = x;
      }
    }
  }
  return m;
}

// ---- the model the drawing reads --------------------------------------------------------------------------------

class Diagram {
  constructor(root) {
    this.root = root;
    this.timer = null;
    this.settle = null;
    this.selected = null; // {row, key, unit, day}: the tile whose equation shows
    this.speed = 700;
    // tiles that grow after they are drawn (presenter mode's text, a late font) move the day out of view: follow it
    this.resized = new ResizeObserver(() => this.root.querySelectorAll(".ud-scroll").forEach((box) => {
      follow(box);
      hint(box);
    }));
    root.addEventListener("click", (e) => this.clicked(e));
    root.addEventListener("keydown", (e) => {
      if ((e.key === "Enter" || e.key === " ") && e.target.dataset && e.target.dataset.tile) {
        e.preventDefault();
        this.clicked(e);
      }
    });
    root.addEventListener("input", (e) => {
      if (e.target.classList.contains("ud-scrub")) this.go(Number(e.target.value), true);
    });
    root.addEventListener("change", (e) => {
      if (e.target.classList.contains("ud-speed")) {
        this.speed = Number(e.target.value);
        if (this.timer) this.play();
      }
    });
  }

  update(data, report) {
    this.report = report;
    if (data.colours) SCALE = data.colours.map(rgb);
    darkBelow = data.contrast ? DARK_TEXT_BELOW.contrast : DARK_TEXT_BELOW.light;
    const same = this.signature === signatureOf(data);
    this.data = data;
    this.back = data.view === "backward";
    this.signature = signatureOf(data);
    this.root.classList.toggle("ud-present", !!data.present);
    this.root.classList.toggle("ud-contrast", !!data.contrast);
    if (!same || this.day === undefined) {
      this.stop(false);
      this.reported = data.day;
      this.day = data.day;
      this.scales = this.back ? null : this.data.tiers.map((t) => scaleOf(data.rows.map((r) => r.values[t.key])));
    }
    this.draw();
  }

  get first() {
    return this.back ? this.data.longest : 1; // where playing starts
  }

  get last() {
    return this.back ? 1 : this.data.longest;
  }

  go(day, fromScrub = false) {
    const d = Math.max(1, Math.min(this.data.longest, day));
    if (d === this.day && !fromScrub) return false;
    this.day = d;
    if (this.selected) this.selected.day = null;
    this.draw();
    if (!this.timer) this.later(SETTLE_MS);
    return true;
  }

  step(k) {
    this.stop(false);
    return this.go(this.day + k);
  }

  toggle() {
    if (this.timer) this.stop();
    else this.play();
  }

  play() {
    clearInterval(this.timer);
    const dir = this.back ? -1 : 1;
    if (this.day === this.last) this.day = this.first - dir;
    this.timer = setInterval(() => {
      if (this.day === this.last || !this.loaded(this.day + dir)) return this.stop();
      this.go(this.day + dir);
    }, this.speed);
    this.go(this.day + dir) || this.draw();
  }

  stop(tell = true) {
    const was = this.timer;
    clearInterval(this.timer);
    this.timer = null;
    if (was && tell) {
      this.draw();
      this.later(100);
    }
  }

  later(ms) {
    clearTimeout(this.settle);
    this.settle = setTimeout(() => {
      if (this.timer || this.day === this.reported) return;
      this.reported = this.day;
      this.report("day", this.day);
    }, ms);
  }

  loaded(day) {
    return day - 1 >= this.data.start && day - 1 < this.data.stop;
  }

  clicked(e) {
    const t = e.target.closest("[data-tile]");
    const b = e.target.closest("[data-do]");
    if (b) {
      const act = b.dataset.do;
      if (act === "play") this.toggle();
      else this.step(act === "next" ? 1 : -1);
      return;
    }
    if (!t) return;
    const [row, key, unit, day] = t.dataset.tile.split(":");
    this.selected = {row: Number(row), key, unit: Number(unit), day: Number(day)};
    this.draw();
    const again = this.root.querySelector(`[data-tile="${t.dataset.tile}"]`);
    if (again) again.focus();
  }

  // ---- drawing ------------------------------------------------------------------------------------------------

  windowOf(day) {
    const w = this.data.window;
    const start = Math.floor((day - 1) / w) * w;
    return [start, Math.min(start + w, this.data.longest)]; // columns, 0-based
  }

  draw() {
    const d = this.data;
    const focused = document.activeElement && this.root.contains(document.activeElement)
      ? document.activeElement.dataset.tile || document.activeElement.dataset.do : null;
    const scrolls = [...this.root.querySelectorAll(".ud-scroll")]
      .map((s) => [s.scrollLeft, s.firstElementChild.style.paddingRight]);
    const [a, b] = this.windowOf(this.day);
    const rows = d.rows.map((row, r) => this.rowHtml(row, r, a, b)).join("");
    const loading = this.loaded(this.day) ? "" : "<p class='ud-note'>Loading these days…</p>";
    this.root.innerHTML = `${this.controlsHtml()}${loading}${rows}`;
    this.root.setAttribute("aria-label", d.alt || "");
    this.root.dataset.day = String(this.day);
    this.root.dataset.playing = this.timer ? "yes" : "no";
    const boxes = [...this.root.querySelectorAll(".ud-scroll")];
    boxes.forEach((box, i) => {
      const [left, room] = scrolls[i] || [0, ""];
      box.firstElementChild.style.paddingRight = room; // the room `dayStart` made at the end, kept with the scroll
      box.scrollLeft = left;
      follow(box);
      box.addEventListener("scroll", () => hint(box));
      hint(box);
    });
    requestAnimationFrame(() => boxes.forEach((box) => { follow(box); hint(box); })); // once laid out
    this.resized.disconnect();
    boxes.forEach((box) => { this.resized.observe(box); this.resized.observe(box.firstElementChild); });
    if (focused) {
      const el = this.root.querySelector(`[data-tile="${focused}"], [data-do="${focused}"]`);
      if (el) el.focus({preventScroll: true});
    }
    if (!this.loaded(this.day)) { // beyond the days sent: ask the server for them now
      clearTimeout(this.settle);
      if (this.day !== this.reported) {
        this.reported = this.day;
        this.report("day", this.day);
      }
    }
  }

  controlsHtml() {
    const d = this.data;
    const playing = !!this.timer;
    const speed = SPEEDS.map(([name, ms]) => `<option value="${ms}"${ms === this.speed ? " selected" : ""}>${name}</option>`);
    const shown = this.back
      ? `${d.longest - this.day} days back from the end`
      : `day ${this.day} of ${d.longest.toLocaleString("en")}`;
    const prev = this.back ? "back one day" : "previous day";
    const next = this.back ? "forward one day" : "next day";
    return `<div class="ud-controls" role="toolbar" aria-label="Play the days">
      <button type="button" data-do="prev" title="${prev} (← key)" aria-label="${prev}">◀</button>
      <button type="button" data-do="play" class="ud-play" title="Play or pause (P key)">${playing ? "❚❚ Pause" : "▶ Play"}</button>
      <button type="button" data-do="next" title="${next} (→ key)" aria-label="${next}">▶</button>
      <label class="ud-speed-label">speed <select class="ud-speed">${speed.join("")}</select></label>
      <input class="ud-scrub" type="range" min="1" max="${d.longest}" value="${this.day}" aria-label="Day shown">
      <span class="ud-shown" aria-live="polite">${shown}</span>
      ${d.hidden == null ? "" : `<span class="ud-ask">Ask first: ${this.back ? "the gradients wait" : `day ${d.hidden} on waits`} for the reveal (R)</span>`}
    </div>`;
  }

  hides(t) {
    // Ask first: day t (0-based) waits for the reveal
    return !this.back && this.data.hidden != null && t >= this.data.hidden - 1;
  }

  known(row, t) {
    // t: the row's own day, 0-based. Forward: computed up to the cursor. Backward: from the end back to the cursor.
    if (!this.back) return t <= this.day - 1 && !this.hides(t);
    return t + row.offset >= this.day - 1;
  }

  rowHtml(row, r, a, b) {
    const d = this.data;
    const cols = []; // [column, the row's day there (0-based) or null]: the rows line up column by column
    for (let c = a; c < b; c++) {
      const t = this.back ? c - row.offset : c;
      cols.push([c, t >= 0 && t < row.days ? t : null]);
    }
    while (cols.length && cols[cols.length - 1][1] === null) cols.pop();
    const lines = this.back ? this.backLines(row, r) : this.forwardLines(row, r);
    let grid = `<div class="ud-label ud-head"></div>`;
    cols.forEach(([c, t], i) => {
      if (i) grid += `<div class="ud-head"></div>`;
      const cur = c === this.day - 1 ? " ud-now" : "";
      grid += `<div class="ud-head${cur}">${t === null ? "" : `day ${t + 1}`}</div>`;
    });
    for (const line of lines) {
      grid += `<div class="ud-label" title="${escape(line.words || "")}"><span>${line.label}</span></div>`;
      cols.forEach(([c, t], i) => {
        if (i) grid += `<div class="ud-link">${line.link && t !== null && cols[i - 1][1] !== null ? line.link(t) : ""}</div>`;
        grid += t === null ? `<div class="ud-empty"></div>` : line.tile(t, c);
      });
    }
    const n = cols.length;
    const style = `grid-template-columns: max-content repeat(${Math.max(0, 2 * n - 1)}, max-content)`;
    return `<section class="ud-seq" role="group" aria-label="${escape(row.label)}">
      <div class="ud-title"><span class="ud-swatch" style="background:${row.color}"></span>${escape(row.label)}
        <span class="ud-sub">${escape(d.cell_name)}, ${d.n} unit${d.n > 1 ? "s" : ""}</span></div>
      <div class="ud-scroll" tabindex="-1"><div class="ud-grid" style="${style}">${grid}</div>
      <div class="ud-hint" aria-hidden="true">swipe or scroll sideways for more days ⇆</div></div>
      <div class="ud-eq" aria-live="polite">${this.equationHtml(row, r)}</div>
    </section>`;
  }

  localDay(row) {
    // the row's day (0-based) the cursor is on, or null when the row has none there
    const t = this.back ? this.day - 1 - row.offset : this.day - 1;
    return t >= 0 && t < row.days ? t : null;
  }

  // a tile: its symbol, its value (or ? before it is computed), coloured by the value
  tile(id, symbol, raw, scale, known, words, shown = raw) {
    const v = value(raw);
    const finite = Number.isFinite(v);
    const c = known ? colour(raw, scale) : null;
    const cls = !known ? "ud-unknown" : finite ? (c.dark ? "ud-dark" : "") : "ud-overflow";
    const style = c ? ` style="background:${c.rgb}"` : "";
    const sel = (this.isSelected(id) ? " ud-selected" : "") + (this.nowColumn(id) ? " ud-now" : "");
    const text = known ? fmt(shown) : "?";
    const label = `${symbol.replace(/<[^>]+>/g, "")} = ${text}${words ? `, ${words}` : ""}`;
    return `<button type="button" class="ud-tile ${cls}${sel}" data-tile="${id}"${style} aria-label="${escape(label)}"
      title="${escape(label)}"><span class="ud-sym">${symbol}</span><b>${text}</b></button>`;
  }

  strip(id, unitValues, scale, known, symbol, shownValues = unitValues) {
    const [r, key, , t] = id.split(":");
    const cells = unitValues.map((raw, j) => {
      const c = known ? colour(raw, scale) : null;
      const finite = Number.isFinite(value(raw));
      const cls = !known ? "ud-unknown" : finite ? "" : "ud-overflow";
      const style = c ? ` style="background:${c.rgb}"` : "";
      const text = known ? fmt(shownValues[j]) : "?";
      const tid = `${r}:${key}:${j + 1}:${t}`;
      const sel = this.isSelected(tid) ? " ud-selected" : "";
      return `<button type="button" class="ud-cell ${cls}${sel}" data-tile="${tid}"${style}
        title="${escape(`${symbol} unit ${j + 1} = ${text}`)}" aria-label="${escape(`${symbol} unit ${j + 1} = ${text}`)}"></button>`;
    });
    return `<div class="ud-strip">${cells.join("")}</div>`;
  }

  nowColumn(id) {
    const [r, , , t] = id.split(":");
    return Number(t) === this.focusDay(Number(r));
  }

  isSelected(id) {
    const s = this.selected;
    if (!s) return false;
    const [row, key, unit, day] = id.split(":");
    const onDay = s.day === null ? Number(day) === this.focusDay(Number(row)) : Number(day) === s.day;
    return Number(row) === s.row && key === s.key && Number(unit) === s.unit && onDay;
  }

  focusDay(r) {
    const t = this.localDay(this.data.rows[r]);
    return t === null ? -1 : t;
  }

  // ---- forward --------------------------------------------------------------------------------------------------

  at(row, name, t, j) {
    // a value of day t (0-based, the whole run) from the chunk sent
    const i = t - this.data.start;
    const a = name === "x" || name === "y" ? row[name] : row.values[name];
    if (i < 0 || i >= a.length) return undefined;
    return j === undefined ? a[i] : a[i][j];
  }

  forwardLines(row, r) {
    const d = this.data;
    const n = d.n;
    const lines = [];
    const one = n === 1 && d.cell === "rnn";
    const w = d.weights;
    lines.push({
      label: "price x",
      words: "the day's price",
      tile: (t) => this.tile(`${r}:x:1:${t}`, sub("x", t + 1), this.at(row, "x", t), 1, true, "the day's price"),
    });
    d.tiers.forEach((tier, k) => {
      const scale = this.scales[k];
      const recurrent = tier.key === "h" || tier.key === "c";
      const link = recurrent
        ? () => (one ? `<span class="ud-w">→<br>×${weight(w.h.W_h[0][0])}</span>` : `<span class="ud-w">→</span>`)
        : null;
      const label = one
        ? `${tier.label}<br><small>×${weight(w.h.w_x[0])} from x, ×${weight(w.h.W_h[0][0])} from h<sub>t−1</sub></small>`
        : `${tier.label}<br><small>${escape(tier.words)}</small>`;
      if (d.strip) {
        lines.push({
          label: `${tier.label} <small>(${n} units)</small>`, words: tier.words, link,
          tile: (t) => `<div class="ud-stripcell">${this.strip(`${r}:${tier.key}:0:${t}`, row.values[tier.key][t - d.start] || [],
            scale, this.known(row, t), `${tier.key}, day ${t + 1},`)}</div>`,
        });
        return;
      }
      for (let j = 0; j < n; j++) {
        lines.push({
          label: n > 1 ? `${tier.label}<sup>${j + 1}</sup> <small>unit ${j + 1}</small>` : label, words: tier.words, link,
          tile: (t) => this.tile(`${r}:${tier.key}:${j + 1}:${t}`, tag(tier.key, t + 1, j + 1, n),
            this.at(row, tier.key, t, j), scale, this.known(row, t), tier.words),
        });
      }
    });
    lines.push({
      label: `prediction y${one ? `<br><small>×${weight(w.w_y[0])} from h</small>` : ""}`,
      words: "the prediction for the next day",
      tile: (t) => this.tile(`${r}:y:1:${t}`, sub("y", t + 1), this.at(row, "y", t), scaleOf([row.y]), this.known(row, t),
        "the prediction for the next day"),
    });
    return lines;
  }

  prev(row, name, t) {
    // the memory before day t: the day before's, or what the chunk starts from
    if (t - 1 >= this.data.start) return row.values[name][t - 1 - this.data.start];
    return name === "c" ? row.c0 : row.h0;
  }

  equationHtml(row, r) {
    const d = this.data;
    if (this.back) return this.backEquation(row, r);
    const s = this.selected && this.selected.row === r ? this.selected : null;
    const t = s && s.day !== null ? s.day : this.localDay(row);
    if (t === null && this.hides(row.days - 1)) {
      return `<b>${escape(row.label)}</b>'s prediction for day ${row.days + 1} waits for the reveal (R)`;
    }
    if (t !== null && this.hides(t) && !(s && s.day !== null && s.key === "x")) {
      return `<b>${escape(row.label)}, day ${t + 1}</b> is the question: guess, then press R (or Reveal) to see it`;
    }
    if (t === null || t - d.start < 0 || t - d.start >= row.x.length) {
      return `<b>${escape(row.label)}</b> is done after ${row.days} days: its prediction for day ${row.days + 1} is <b>${fmt(row.y_last)}</b>`;
    }
    if (s && s.day !== null && !this.known(row, t) && s.key !== "x") {
      return `<b>${escape(row.label)}, day ${t + 1}</b> is not computed yet: press ▶ or → to get there`;
    }
    const key = s ? s.key : "h";
    const unit = s && s.unit ? s.unit : 1;
    const head = `<b>${escape(row.label)}, day ${t + 1}</b>${t === row.days - 1 ? ` · y is the prediction for day ${t + 2}` : ""}`;
    const lines = [head];
    if (key === "x") {
      lines.push(`${sub("x", t + 1)} = <b>${fmt(this.at(row, "x", t))}</b>, the day's price`);
    } else if (key !== "y") {
      lines.push(...this.unitEquation(row, key, unit - 1, t));
    }
    if (!this.hides(t)) lines.push(this.readout(row, t)); // a day asked about: its prediction is not sent yet
    return lines.map((l) => `<div>${l}</div>`).join("");
  }

  unitEquation(row, key, j, t) {
    const d = this.data;
    const n = d.n;
    const tier = d.tiers.find((x) => x.key === key);
    const T = t + 1;
    const me = tag(key, T, j + 1, n);
    const val = fmt(this.at(row, key, t, j));
    const hPrev = this.prev(row, "h", t);
    const x = this.at(row, "x", t);
    const words = `<span class="ud-words">${escape(tier.label)}: ${escape(tier.words)}</span>`;
    if (tier.kind === "affine" || tier.kind === "gru_n") {
      const w = d.weights[key];
      const act = tier.act || d.act;
      const wrap = (s) => (act ? `${act}(${s})` : s);
      const symTerms = n === 1
        ? `${sub("w", "h")}·${sub("h", T - 1)}`
        : `Σ<sub>k</sub> ${tag("W", "", `${j + 1}k`, 2).replace("<sub></sub>", "")}<sub>h</sub>·${tag("h", T - 1, "k", 2)}`;
      const shown = Math.min(n, MAX_TERMS);
      const numTerms = [];
      for (let k = 0; k < shown; k++) numTerms.push(`${weight(w.W_h[j][k])}×${operand(hPrev[k])}`);
      if (n > shown) numTerms.push(`… ${n - shown} more terms`);
      const pre = row.pre[key][t - d.start][j];
      if (tier.kind === "gru_n") {
        const r = this.at(row, "r", t, j);
        const q = row.q_n[t - d.start][j];
        return [
          words,
          `${me} = tanh(${sub("w", "x")}·${sub("x", T)} + b + ${tag("r", T, j + 1, n)}·(${symTerms} + ${sub("b", "hn")}))`,
          `${me} = tanh(${weight(w.w_x[j])}×${operand(x)} + ${weight(w.b[j])} + ${operand(r)}×${operand(q)}) = tanh(${fmt(pre)}) = <b>${val}</b>`,
          `<span class="ud-words">where ${symTerms} + ${sub("b", "hn")} = ${numTerms.join(" + ")} + ${weight(d.weights.b_hn[j])} = ${fmt(q)}</span>`,
        ];
      }
      const wx = sup("w", j + 1, n);
      const sym = wrap(`${wx}<sub>x</sub>·${sub("x", T)} + ${symTerms} + ${sup("b", j + 1, n)}`);
      const nums = wrap(`${weight(w.w_x[j])}×${operand(x)} + ${numTerms.join(" + ")} + ${weight(w.b[j])}`);
      const mid = act ? ` = ${wrap(fmt(pre))}` : "";
      return [words, `${me} = ${sym}`, `${me} = ${nums}${mid} = <b>${val}</b>`];
    }
    if (tier.kind === "lstm_c") {
      const f = this.at(row, "f", t, j), i = this.at(row, "i", t, j), g = this.at(row, "g", t, j);
      const cPrev = this.prev(row, "c", t)[j];
      return [
        words,
        `${me} = ${tag("f", T, j + 1, n)}·${tag("c", T - 1, j + 1, n)} + ${tag("i", T, j + 1, n)}·${tag("g", T, j + 1, n)}`,
        `${me} = ${operand(f)}×${operand(cPrev)} + ${operand(i)}×${operand(g)} = <b>${val}</b>`,
      ];
    }
    if (tier.kind === "lstm_h") {
      const o = this.at(row, "o", t, j), c = this.at(row, "c", t, j);
      return [
        words,
        `${me} = ${tag("o", T, j + 1, n)}·tanh(${tag("c", T, j + 1, n)})`,
        `${me} = ${operand(o)}×tanh(${operand(c)}) = <b>${val}</b>`,
      ];
    }
    const z = this.at(row, "z", t, j), cand = this.at(row, "n", t, j);
    return [
      words,
      `${me} = (1 − ${tag("z", T, j + 1, n)})·${tag("n", T, j + 1, n)} + ${tag("z", T, j + 1, n)}·${tag("h", T - 1, j + 1, n)}`,
      `${me} = (1 − ${operand(z)})×${operand(cand)} + ${operand(z)}×${operand(hPrev[j])} = <b>${val}</b>`,
    ];
  }

  readout(row, t) {
    const d = this.data;
    const n = d.n;
    const T = t + 1;
    const h = row.values.h[t - d.start];
    const terms = [];
    for (let k = 0; k < Math.min(n, MAX_TERMS); k++) terms.push(`${weight(d.weights.w_y[k])}×${operand(h[k])}`);
    if (n > MAX_TERMS) terms.push(`… ${n - MAX_TERMS} more terms`);
    const sym = n === 1 ? `${sub("w", "y")}·${sub("h", T)}` : `Σ<sub>j</sub> w<sup>j</sup><sub>y</sub>·${tag("h", T, "j", 2)}`;
    return `${sub("y", T)} = ${sym} + ${sub("b", "y")} = ${terms.join(" + ")} + ${weight(d.weights.b_y)} = <b>${fmt(this.at(row, "y", t))}</b>`;
  }

  // ---- backward -------------------------------------------------------------------------------------------------

  backAt(row, name, t, j) {
    const i = t - row.first;
    const a = row[name];
    if (i < 0 || i >= a.length) return undefined;
    return j === undefined ? a[i] : a[i][j];
  }

  backLines(row, r) {
    const d = this.data;
    const n = d.n;
    const logScale = (raw) => {
      const v = value(raw);
      if (!Number.isFinite(v)) return raw;
      return v ? Math.sign(v) * Math.max(0, Math.log10(Math.abs(v)) + 6) : 0;
    };
    const all = row.dc ? [...row.dh.flat(), ...row.dc.flat()] : row.dh.flat();
    const scale = Math.max(1, ...all.map((v) => Math.abs(logScale(v))).filter(Number.isFinite));
    const backTile = (id, symbol, raw, known, words) => this.tile(id, symbol, logScale(raw), scale, known, words, raw);
    const arrow = (t, f) => `<span class="ud-w">←<br>×${this.known(row, t - 1) && f !== undefined ? operand(f) : "?"}</span>`;
    // between day t - 1 and day t: the step back from day t multiplies by factor_t (the LSTM's cell path by f_t)
    const link = (t) => arrow(t, this.backAt(row, "factor", t));
    const forget = (j) => (t) => arrow(t, this.backAt(row, "forget", t, j));
    const widest = (t) => { // the cell path's largest f_t over the units: the norm of diag(f_t)
      const f = this.backAt(row, "forget", t);
      return arrow(t, f === undefined ? undefined : Math.max(...f.map(value)));
    };
    const lines = [{
      label: "∂L/∂y <small>the prediction's error</small>",
      tile: (t) => backTile(`${r}:dy:1:${t}`, sub("∂L/∂y", t + 1), this.backAt(row, "dy", t), this.known(row, t),
        "the prediction's error"),
    }];
    const memories = [["dh", "∂L/∂h", "the gradient reaching the memory", link]];
    if (row.dc) memories.push(["dc", "∂L/∂C", "the gradient reaching the long-term memory", null]);
    for (const [key, symbol, words, stepLink] of memories) {
      if (d.strip) {
        lines.push({
          label: `${symbol} <small>(${n} units)</small>`, link: key === "dc" ? widest : stepLink,
          tile: (t) => `<div class="ud-stripcell">${this.strip(`${r}:${key}:0:${t}`, (row[key][t - row.first] || []).map(logScale),
            scale, this.known(row, t) && !d.hidden, `${symbol}, day ${t + 1},`, row[key][t - row.first] || [])}</div>`,
        });
        continue;
      }
      for (let j = 0; j < n; j++) {
        // the unit's number as a superscript, as the forward rows have it: a phone hides the <small> words
        const own = n > 1 ? `<sup>${j + 1}</sup> <small>unit ${j + 1}</small>` : key === "dc" ? " <small>long-term memory</small>" : " <small>the memory's gradient</small>";
        lines.push({
          label: `${symbol}${own}`,
          link: key === "dc" ? forget(j) : j === n - 1 ? stepLink : null,
          tile: (t) => backTile(`${r}:${key}:${j + 1}:${t}`, tag(symbol, t + 1, j + 1, n), this.backAt(row, key, t, j),
            this.known(row, t) && !d.hidden, words),
        });
      }
    }
    return lines;
  }

  backEquation(row, r) {
    const d = this.data;
    const n = d.n;
    const s = this.selected && this.selected.row === r ? this.selected : null;
    const t = s && s.day !== null ? s.day : this.localDay(row);
    if (d.hidden) { // Ask first: the gradients are not sent until the reveal
      return `<b>${escape(row.label)}</b>: the gradients wait for the reveal. Each arrow back says what that step multiplies by: guess first, then press R (or Reveal)`;
    }
    if (t === null && this.day - 1 < row.offset) {
      if (n > 1) {
        const size = Math.hypot(...row.dh_first.map(value));
        return `<b>${escape(row.label)}</b> has reached day 1: the gradient there is ‖${sub("∂L/∂h", 1)}‖ = <b>${fmt(size)}</b>, over its ${n} units`;
      }
      return `<b>${escape(row.label)}</b> has reached day 1: the error signal there is ${sub("∂L/∂h", 1)} = <b>${fmt(row.dh_first[j0(this.selected, r)])}</b>`;
    }
    if (t === null) return "";
    if (this.backAt(row, "dh", t) === undefined) return "";
    const j = s && s.unit ? s.unit - 1 : 0;
    const T = t + 1;
    const back = row.days - t - 1;
    const lines = [`<b>${escape(row.label)}, day ${T}</b>, ${back} day${back === 1 ? "" : "s"} back from the end`];
    const dh = this.backAt(row, "dh", t, j);
    const dy = this.backAt(row, "dy", t);
    const me = tag("∂L/∂h", T, j + 1, n);
    const last = t === row.days - 1;
    if (n === 1 && d.weights.W_h) {
      const terms = [`${sub("∂L/∂y", T)}·${sub("w", "y")}`];
      const nums = [`${operand(dy)}×${weight(d.weights.w_y[0])}`];
      if (!last) {
        const next = t + 1 - row.first < row.dh.length ? row.dh[t + 1 - row.first][0] : row.dh_next[0][0];
        terms.push(`${sub("∂L/∂h", T + 1)}·act′(${sub("z", T + 1)})·${sub("w", "h")}`);
        nums.push(`${operand(next)}×${operand(row.slope[t + 1 - row.first])}×${weight(d.weights.W_h[0][0])}`);
      }
      lines.push(`${me} = ${terms.join(" + ")}`, `${me} = ${nums.join(" + ")} = <b>${fmt(dh)}</b>`);
      if (!last) {
        lines.push(`one step back multiplies by w<sub>h</sub>·act′(${sub("z", T + 1)}) = <b>${fmt(this.backAt(row, "factor", t + 1) ?? row.factor_next[0])}</b>`);
      }
    } else if (s && s.key === "dc") {
      const dc = this.backAt(row, "dc", t, j);
      const mc = tag("∂L/∂C", T, j + 1, n);
      const into = this.backAt(row, "into_c", t, j);
      if (last) {
        lines.push(`${mc} = ${me}·o(1 − tanh² C) = ${operand(dh)}×${operand(into)} = <b>${fmt(dc)}</b>`);
      } else {
        const next = t + 1 - row.first < row.dc.length ? row.dc[t + 1 - row.first][j] : row.dc_next[0][j];
        const f = this.backAt(row, "forget", t + 1, j);
        lines.push(`${mc} = ${tag("f", T + 1, j + 1, n)}·${tag("∂L/∂C", T + 1, j + 1, n)} + ${me}·o(1 − tanh² C)`,
          `${mc} = ${operand(f)}×${operand(next)} + ${operand(dh)}×${operand(into)} = <b>${fmt(dc)}</b>`,
          `along the cell path one step back multiplies by the forget gate ${tag("f", T + 1, j + 1, n)} = <b>${fmt(f)}</b>`);
      }
    } else {
      const J = {
        rnn: `diag(act′(${sub("z", T + 1)}))·W<sub>h</sub>`,
        gru: `∂${sub("h", T + 1)}/∂${sub("h", T)}`,
        lstm: `∂(${sub("h", T + 1)}, ${sub("C", T + 1)})/∂(${sub("h", T)}, ${sub("C", T)})`,
      }[d.cell];
      const through = d.cell === "lstm"
        ? `(W<sub>h</sub><sup>T</sup>·∂L/∂${sub("z", T + 1)})<sup>${j + 1}</sup>, through the four gates`
        : `Σ<sub>k</sub> (J<sub>${T + 1}</sub>)<sup>k${j + 1}</sup>·${tag("∂L/∂h", T + 1, "k", 2)}`;
      lines.push(`${me} = ${sup("w", j + 1, n)}<sub>y</sub>·${sub("∂L/∂y", T)}${last ? "" : ` + ${through}`} = <b>${fmt(dh)}</b>`);
      if (!last) {
        const f = this.backAt(row, "factor", t + 1) ?? row.factor_next[0];
        lines.push(`one step back multiplies the whole gradient by the step Jacobian J<sub>${T + 1}</sub> = ${J}, of norm ‖J<sub>${T + 1}</sub>‖ = <b>${fmt(f)}</b>`);
      }
    }
    return lines.map((l) => `<div>${l}</div>`).join("");
  }
}

const j0 = (selected, r) => (selected && selected.row === r && selected.unit ? selected.unit - 1 : 0);

function signatureOf(data) {
  const {day, ...rest} = data;
  void day;
  return JSON.stringify(rest);
}

function follow(box) {
  // a grid wider than its box (a phone) keeps in view the tile the user tapped, or else the day shown
  const tapped = box.querySelector(".ud-selected");
  const now = tapped ? tapped.closest(".ud-grid > *") : box.querySelector(".ud-head.ud-now");
  if (!now || box.scrollWidth <= box.clientWidth) return;
  const left = now.offsetLeft - box.clientWidth / 2 + now.offsetWidth / 2;
  if (now.offsetLeft < box.scrollLeft + 60 || now.offsetLeft + now.offsetWidth > box.scrollLeft + box.clientWidth) {
    box.scrollLeft = dayStart(box, Math.max(0, left));
  }
}

function dayStart(box, left) {
  // the scroll from `left` on at which a whole day starts right beside the sticky row labels: nothing cut under them
  // (a link's "×(−0.5)" showed as a stray "5)"); the grid gets the room at its end that scroll needs
  const grid = box.firstElementChild;
  const edge = grid.querySelector(".ud-label").offsetWidth;
  const days = [...grid.querySelectorAll(":scope > .ud-head:not(.ud-label)")].filter((_, i) => i % 2 === 0);
  const room = parseFloat(grid.style.paddingRight) || 0;
  const end = box.scrollWidth - room - box.clientWidth; // the farthest scroll without room
  const start = days.map((day) => day.offsetLeft - edge).find((s) => s >= Math.min(left, end) - 1);
  if (start === undefined) return left;
  grid.style.paddingRight = `${Math.max(0, start - end)}px`;
  return start;
}

function hint(box) {
  const more = box.scrollWidth > box.clientWidth + 2;
  box.classList.toggle("ud-more", more);
  box.classList.toggle("ud-more-right", more && box.scrollLeft + box.clientWidth < box.scrollWidth - 2);
}

function typing(e, keys) {
  const t = e.target;
  if (!t || !(t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return false;
  return !(t.classList && t.classList.contains("ud-scrub") && keys.includes(e.key));
}

function onAskKey(e) {
  // before Streamlit's own R (rerun): in the capture phase on window, so it never hears an R that reveals
  if (e.ctrlKey || e.metaKey || e.altKey || !["r", "R", "q", "Q"].includes(e.key)) return;
  const diagram = [...live].find((x) => x.root.isConnected && x.data && x.data.ask);
  if (!diagram || typing(e, ["r", "R", "q", "Q"])) return;
  const ask = diagram.data.ask;
  const reveal = e.key === "r" || e.key === "R";
  if (reveal && !(ask.on && !ask.revealed)) return; // nothing to reveal: R stays Streamlit's
  e.preventDefault();
  e.stopImmediatePropagation();
  if (e.type !== "keydown" || e.repeat) return;
  if (reveal) diagram.report("reveal", ask.id);
  else diagram.report("ask", !ask.on);
}

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  if (typing(e, ["p", "P", "k", "K"])) return;
  const diagram = [...live].find((x) => x.root.isConnected);
  if (!diagram) return;
  if (e.key === "ArrowRight") diagram.step(1);
  else if (e.key === "ArrowLeft") diagram.step(-1);
  else if (["p", "P", "k", "K"].includes(e.key)) diagram.toggle();
  else return;
  e.preventDefault();
}

export default function ({data, parentElement, setTriggerValue}) {
  let root = parentElement.querySelector(".ud-root");
  if (!root) {
    root = document.createElement("div");
    root.className = "ud-root";
    root.setAttribute("role", "group");
    parentElement.appendChild(root);
  }
  root.diagram ??= new Diagram(root);
  const diagram = root.diagram;
  for (const other of live) if (!other.root.isConnected) live.delete(other);
  live.add(diagram);
  if (!window.unrolledDiagramKeys) {
    window.unrolledDiagramKeys = true;
    document.addEventListener("keydown", onKey);
    for (const type of ["keydown", "keypress", "keyup"]) window.addEventListener(type, onAskKey, true);
  }
  diagram.update(data, setTriggerValue);
  return () => {
    setTimeout(() => {
      if (!root.isConnected) diagram.stop(false);
    }, 0);
  };
}
