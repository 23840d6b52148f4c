// Copy buttons on a shared scenario's page (the link just shared, the embed code): each names the
// element whose text it copies (data-copy) and says how it went in that element's "-copied"
// status. Shown only where the page may write the clipboard; without it the text is there to
// select and copy.
(function () {
  "use strict";
  if (!navigator.clipboard) return;
  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.dataset.copy);
    var status = document.getElementById(button.dataset.copy + "-copied");
    if (!source || !status) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () {
        status.textContent = "✓ Copied: paste it where you want it.";
      }, function () {
        status.textContent = "Not copied: this browser did not allow it. Select the text above and copy it.";
      });
    });
  });
})();
