// The completion record's "Print or save as PDF" button: shown only when JavaScript runs
// (without it, the page tells people to use the browser's print command).
for (const button of document.querySelectorAll("[data-app-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
