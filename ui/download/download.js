// Figures for slides: a PNG and an SVG button under a chart or the diagram, made in the browser (no server, no
// network). A plotly chart through plotly.js's own Plotly.downloadImage; the unrolled diagram (HTML) as an SVG that
// holds its HTML and styles in a foreignObject, and as a PNG drawn from that SVG onto a canvas.

const NS = "http://www.w3.org/2000/svg";

function save(url, filename) {
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  document.body.appendChild(a);
  a.click();
  a.remove();
}

function diagramStyles(root) {
  // the diagram's own rules, with the theme's custom properties they read set to their values here
  const rules = [];
  for (const sheet of document.styleSheets) {
    let list;
    try { list = sheet.cssRules; } catch { continue; }
    for (const rule of list) if (rule.cssText.includes(".ud-")) rules.push(rule.cssText);
  }
  const css = rules.join("\n");
  const computed = getComputedStyle(root);
  const names = [...new Set(css.match(/--[\w-]+/g) || [])];
  const vars = names.map((n) => `${n}: ${computed.getPropertyValue(n)};`).join(" ");
  return `.ud-root { ${vars} }
    .ud-scroll { overflow: visible !important; } .ud-hint, .ud-controls { display: none !important; }\n${css}`;
}

export function diagramSvg(root) {
  // an SVG of the diagram as drawn: every day of the window, not only the part scrolled into view
  const clone = root.cloneNode(true);
  clone.setAttribute("xmlns", "http://www.w3.org/1999/xhtml");
  const wide = Math.max(root.clientWidth, ...[...root.querySelectorAll(".ud-scroll")].map((box) => box.scrollWidth));
  clone.style.width = `${wide}px`;
  const probe = document.createElement("div");
  probe.style.cssText = "position:absolute; left:-99999px; top:0;";
  probe.appendChild(clone);
  root.parentElement.appendChild(probe);
  clone.querySelectorAll(".ud-scroll").forEach((s) => { s.style.overflow = "visible"; });
  clone.querySelectorAll(".ud-controls, .ud-hint").forEach((e) => e.remove());
  const left = clone.getBoundingClientRect().left;
  const rights = [...clone.querySelectorAll(".ud-tile, .ud-head, .ud-strip")].map((e) => e.getBoundingClientRect().right);
  clone.style.width = `${Math.ceil(Math.max(wide, ...rights.map((r) => r - left + 64)))}px`;
  const width = Math.ceil(clone.scrollWidth + 32), height = Math.ceil(clone.scrollHeight + 32);
  probe.remove();
  const html = new XMLSerializer().serializeToString(clone);
  const style = diagramStyles(root).replace(/&/g, "&amp;").replace(/</g, "&lt;");
  return {width, height, text: `<svg xmlns="${NS}" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}">` +
    `<foreignObject width="100%" height="100%"><div xmlns="http://www.w3.org/1999/xhtml" style="padding: 16px; ` +
    `background: ${getComputedStyle(document.body).backgroundColor}"><style>${style}</style>` +
    `${html}</div></foreignObject></svg>`};
}

async function diagramPng(root, scale = 2) {
  const {width, height, text} = diagramSvg(root);
  const image = new Image();
  image.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(text)}`;
  await image.decode();
  const canvas = document.createElement("canvas");
  canvas.width = width * scale;
  canvas.height = height * scale;
  const context = canvas.getContext("2d");
  context.scale(scale, scale);
  context.drawImage(image, 0, 0);
  return canvas.toDataURL("image/png");
}

async function download(target, format, filename) {
  const holder = document.querySelector(target);
  const root = holder && holder.querySelector(".ud-root");
  if (root) {
    if (format === "svg") {
      const {text} = diagramSvg(root);
      const url = URL.createObjectURL(new Blob([text], {type: "image/svg+xml"}));
      save(url, `${filename}.svg`);
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } else {
      save(await diagramPng(root), `${filename}.png`);
    }
    return;
  }
  const gd = holder && holder.querySelector(".js-plotly-plot");
  if (!gd || !window.Plotly) return;
  const {width, height} = gd._fullLayout;
  await window.Plotly.downloadImage(gd, {format, filename, width, height, scale: format === "png" ? 2 : 1});
}

export default function ({data, parentElement}) {
  let bar = parentElement.querySelector(".dl-bar");
  if (!bar) {
    bar = document.createElement("div");
    bar.className = "dl-bar";
    bar.setAttribute("role", "group");
    for (const format of ["png", "svg"]) {
      const button = document.createElement("button");
      button.type = "button";
      button.dataset.format = format;
      button.textContent = `⤓ ${format.toUpperCase()}`;
      button.addEventListener("click", () => download(bar.dataset.target, format, bar.dataset.filename));
      bar.appendChild(button);
    }
    parentElement.appendChild(bar);
  }
  bar.dataset.target = data.target;
  bar.dataset.filename = data.filename;
  bar.setAttribute("aria-label", `Download ${data.what} as an image`);
  bar.querySelectorAll("button").forEach((b) => {
    b.title = `Download ${data.what} as ${b.dataset.format.toUpperCase()} (for slides)`;
  });
}
