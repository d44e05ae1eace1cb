/* The admin's Markdown preview: htmx puts the site's rendering into a hidden holder; this moves it
   into a shadow root that loads the site's own stylesheets, so the admin's styles never touch it. */
(function () {
  "use strict";

  function shadowFor(host) {
    if (host.shadowRoot) return host.shadowRoot;
    var root = host.attachShadow({ mode: "open" });
    (host.dataset.stylesheets || "").split(" ").filter(Boolean).forEach(function (href) {
      var link = document.createElement("link");
      link.rel = "stylesheet";
      link.href = href;
      root.appendChild(link);
    });
    var page = document.createElement("div");
    page.className = "preview-page";
    var frame = host.parentElement.querySelector("template.md-preview-frame");
    if (frame) page.appendChild(frame.content.cloneNode(true));
    root.appendChild(page);
    return root;
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var holder = event.detail.target;
    if (!holder || !holder.classList || !holder.classList.contains("md-preview-source")) return;
    var host = document.getElementById(holder.id.replace(/-source$/, ""));
    if (!host) return;
    var root = shadowFor(host);
    var slot = root.querySelector("[data-preview-slot]") || root.querySelector(".preview-page");
    slot.replaceChildren.apply(slot, Array.prototype.slice.call(holder.childNodes));
  });
})();
