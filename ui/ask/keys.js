// Ask first's keys on a page with no diagram to hear them (the Train page): R reveals the question on screen and Q
// turns Ask first on and off. In the capture phase on window, before Streamlit's own R (rerun), so an R that
// reveals never reruns the page as well; with nothing to reveal, R stays Streamlit's.

const live = new Set();

function typing(e) {
  const t = e.target;
  return Boolean(t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)));
}

function onKey(e) {
  if (e.ctrlKey || e.metaKey || e.altKey || !["r", "R", "q", "Q"].includes(e.key)) return;
  const keys = [...live].find((k) => k.root.isConnected);
  if (!keys || typing(e)) return;
  const reveal = e.key === "r" || e.key === "R";
  if (reveal && !(keys.ask.on && !keys.ask.revealed)) return;
  e.preventDefault();
  e.stopImmediatePropagation();
  if (e.type !== "keydown" || e.repeat) return;
  if (reveal) keys.report("reveal", keys.ask.id);
  else keys.report("ask", !keys.ask.on);
}

export default function ({data, parentElement, setTriggerValue}) {
  parentElement.askKeys ??= {root: parentElement};
  const keys = parentElement.askKeys;
  keys.ask = data;
  keys.report = setTriggerValue;
  for (const other of live) if (!other.root.isConnected) live.delete(other);
  live.add(keys);
  if (!window.unrolledAskKeys) {
    window.unrolledAskKeys = true;
    for (const type of ["keydown", "keypress", "keyup"]) window.addEventListener(type, onKey, true);
  }
}
