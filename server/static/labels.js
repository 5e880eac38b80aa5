// The label sheet's print button (the CSP forbids inline handlers).
document.getElementById("print-labels")?.addEventListener("click", () => window.print());
