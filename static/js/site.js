// Recall: small progressive enhancements. The site works without this file.
(function () {
  "use strict";

  // After htmx swaps in an answered question, move focus to it so keyboard and
  // screen-reader users land on the feedback instead of on <body>.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.elt;
    if (target && target.classList && target.classList.contains("answered")) {
      target.focus({ preventScroll: true });
    }
  });
})();
