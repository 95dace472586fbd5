// Print and share controls of a public page (templates/programs/public/share.html). The buttons
// are shown only here, so a browser without JavaScript shows none that do nothing.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });

  var address = document.querySelector("[data-share-address]");
  var copy = document.querySelector("[data-copy]");
  var status = document.querySelector("[data-copy-status]");
  if (address && copy && status) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      status.textContent = "";  // a second click is announced again
      function selectAddress() {
        // No clipboard (an http:// page, or refused): select the address for the visitor to copy.
        address.focus();
        address.select();
        status.textContent = status.dataset.select;
      }
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(address.value).then(function () {
          status.textContent = status.dataset.copied;
        }, selectAddress);
      } else {
        selectAddress();
      }
    });
  }

  // The tables of the charts are in <details>: printed open, closed again afterwards.
  var opened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open]):not(.share)").forEach(function (details) {
      details.open = true;
      opened.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });
})();
