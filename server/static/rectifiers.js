// The queue's rectifier choosers share one list (<template id="rectifier-choices">): a chooser holds only
// its default until it is first focused or pressed, then gets every rectifier, its choice kept.
"use strict";

function fill(select) {
  const source = document.getElementById(select.dataset.choices);
  if (!source || select.dataset.filled) return;
  select.dataset.filled = "1";
  const have = new Set(Array.from(select.options, (option) => option.value));
  for (const option of source.content.querySelectorAll("option")) {
    if (!have.has(option.value)) select.append(option.cloneNode(true));
  }
}

for (const kind of ["focusin", "pointerdown"]) {
  document.addEventListener(kind, (event) => {
    const select = event.target.closest && event.target.closest("select[data-choices]");
    if (select) fill(select);
  });
}
