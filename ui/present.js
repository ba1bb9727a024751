// Presenter mode: − and + nudge the weight picked in the control bar (ui/present.py), by clicking its buttons.
if (!window.unrolledNudge) {
  window.unrolledNudge = true;
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (t && (t.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName))) return;
    const which = {"+": "plus", "=": "plus", "-": "minus", "−": "minus", "_": "minus"}[e.key];
    const button = which && document.querySelector(`.st-key-bar-${which} button`);
    if (!button) return;
    e.preventDefault();
    button.click();
  });
}
