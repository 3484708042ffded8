// Progressive enhancement only: every page works without this file.
// When a form comes back with errors, move focus to the error summary so that
// keyboard and screen-reader users start from the list of problems.
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
