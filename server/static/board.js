// The public board refreshes its figures by itself (a hall TV has no one to press reload). It fetches the page
// and swaps in the new figures, so a failed fetch (the server restarting, the network down) leaves the last
// ones on screen instead of an error page, and tries again next time. A viewer can pause it (WCAG 2.2.1).
const button = document.getElementById('board-refresh');
const seconds = Number(button.dataset.seconds) || 300;
let timer = null;

async function refresh() {
  try {
    const response = await fetch(location.href, {cache: 'no-store', credentials: 'same-origin'});
    if (!response.ok) return;
    const page = new DOMParser().parseFromString(await response.text(), 'text/html');
    const fresh = page.getElementById('board-figures');
    // Paused while this answer was on its way: the figures stay as they were when the viewer paused.
    const paused = timer === null;
    if (fresh && !paused) document.getElementById('board-figures').replaceWith(document.adoptNode(fresh));
  } catch {
    // No answer: keep the figures shown; the next turn tries again.
  }
}

function run(on) {
  clearInterval(timer);
  timer = on ? setInterval(refresh, seconds * 1000) : null;
  button.textContent = on ? button.dataset.pause : button.dataset.resume;
}

button.addEventListener('click', () => run(timer === null));
button.hidden = false;
run(true);
