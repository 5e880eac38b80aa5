// The documents' "Print" button: the browser's print dialog, where "Save as PDF" is one of the printers.
// A file of its own, as the Content-Security-Policy allows scripts from this site only.
for (const button of document.querySelectorAll('[data-print]')) {
  button.hidden = false;
  button.addEventListener('click', () => window.print());
}
