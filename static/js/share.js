// "Copy the link" on a scenario's page just after Share: shown only where the page may write the
// clipboard; without it the link is text to select and copy.
(function () {
  "use strict";
  var button = document.getElementById("b-copy-link");
  var link = document.getElementById("share-link");
  var status = document.getElementById("copy-status");
  if (!button || !link || !status || !navigator.clipboard) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    navigator.clipboard.writeText(link.href).then(function () {
      status.textContent = "✓ Copied: paste it where you want to share it.";
    }, function () {
      status.textContent = "Not copied: this browser did not allow it. Select the link above and copy it.";
    });
  });
})();
