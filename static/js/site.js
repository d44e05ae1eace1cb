// Recall: small progressive enhancements. Every page works without this file.
(function () {
  "use strict";

  // Dates on the site read in the learner's own time zone: tell the server which one it is.
  try {
    var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    // IANA names are letters, digits and / _ + -: safe in a cookie as they are.
    if (zone && /^[A-Za-z0-9\/_+-]{1,64}$/.test(zone) && document.cookie.indexOf("tz=" + zone) === -1) {
      document.cookie = "tz=" + zone + "; path=/; max-age=31536000; samesite=lax";
    }
  } catch (error) { /* no Intl: dates stay in UTC */ }

  // After htmx swaps in an answered question, move focus to it so keyboard and
  // screen-reader users land on the feedback instead of on <body>.
  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.elt;
    if (target && target.classList && target.classList.contains("answered")) {
      target.focus({ preventScroll: true });
    }
  });

  // ---- Glossary previews -------------------------------------------------
  // A linked term (a.term[data-preview]) shows a card with its short definition on
  // hover, keyboard focus or a first tap. The card is loaded through htmx and placed
  // right after the link, so Tab moves into it; Escape closes it.
  var card = null;
  var owner = null;
  var hideTimer = null;
  var lastPointer = "mouse";
  var returningFocus = false;

  function ensureCard() {
    if (card) return card;
    card = document.createElement("div");
    card.id = "term-card";
    card.className = "term-card-pop";
    card.setAttribute("role", "region");
    card.setAttribute("aria-label", "Term preview");
    card.setAttribute("aria-live", "polite");
    card.hidden = true;
    card.addEventListener("mouseenter", function () { clearTimeout(hideTimer); });
    card.addEventListener("mouseleave", scheduleHide);
    card.addEventListener("focusout", function (event) {
      if (!card.contains(event.relatedTarget) && event.relatedTarget !== owner) scheduleHide();
    });
    return card;
  }

  function place(link) {
    var rect = link.getBoundingClientRect();
    var parent = card.offsetParent || document.body;
    var base = parent.getBoundingClientRect();
    var width = Math.min(340, document.documentElement.clientWidth - 16);
    var left = Math.max(8, Math.min(rect.left, document.documentElement.clientWidth - width - 8));
    card.style.width = width + "px";
    card.style.left = (left - base.left + parent.scrollLeft) + "px";
    card.style.top = (rect.bottom - base.top + parent.scrollTop + 6) + "px";
  }

  function show(link) {
    clearTimeout(hideTimer);
    ensureCard();
    if (owner && owner !== link) owner.setAttribute("aria-expanded", "false");
    owner = link;
    link.setAttribute("aria-expanded", "true");
    link.setAttribute("aria-controls", "term-card");
    if (card.previousElementSibling !== link) link.after(card);
    var url = link.getAttribute("data-preview");
    var ready = card.getAttribute("data-url") === url
      ? Promise.resolve()
      : htmx.ajax("GET", url, { target: card, swap: "innerHTML" }).then(function () {
          card.setAttribute("data-url", url);
        });
    ready.then(function () {
      if (owner !== link) return;
      card.hidden = false;
      place(link);
    });
  }

  function hide() {
    if (!card) return;
    card.hidden = true;
    if (owner) owner.setAttribute("aria-expanded", "false");
  }

  function scheduleHide() {
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, 250);
  }

  function termFrom(event) {
    var el = event.target;
    return el && el.closest ? el.closest("a.term[data-preview]") : null;
  }

  if (window.htmx) {
    document.addEventListener("pointerdown", function (event) { lastPointer = event.pointerType || "mouse"; });
    document.addEventListener("mouseover", function (event) {
      var link = termFrom(event);
      if (link && lastPointer === "mouse") show(link);
    });
    document.addEventListener("mouseout", function (event) {
      var link = termFrom(event);
      if (link && !(card && card.contains(event.relatedTarget))) scheduleHide();
    });
    document.addEventListener("focusin", function (event) {
      var link = termFrom(event);
      if (link && !returningFocus) show(link);
      returningFocus = false;
    });
    document.addEventListener("focusout", function (event) {
      var link = termFrom(event);
      if (link && !(card && card.contains(event.relatedTarget))) scheduleHide();
    });
    document.addEventListener("click", function (event) {
      var link = termFrom(event);
      // On touch, the first tap opens the card; a second tap follows the link.
      if (link && lastPointer !== "mouse" && (card === null || card.hidden || owner !== link)) {
        event.preventDefault();
        show(link);
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && card && !card.hidden) {
        var link = owner;
        hide();
        if (link && card.contains(document.activeElement)) {
          returningFocus = true;
          link.focus();
        }
      }
    });
  }

  // ---- Copy buttons on code blocks ----------------------------------------
  function addCopyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll(".prose .highlight").forEach(function (block) {
      var pre = block.querySelector("pre");
      if (!pre || block.querySelector(".copy-code")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-code secondary";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy this code");
      var status = document.createElement("span");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(pre.innerText.replace(/\n$/, "")).then(function () {
          button.textContent = "Copied";
          status.textContent = "Code copied to the clipboard";
          setTimeout(function () { button.textContent = "Copy"; status.textContent = ""; }, 2000);
        });
      });
      block.appendChild(button);
      block.appendChild(status);
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", addCopyButtons);
  } else {
    addCopyButtons();
  }
})();
