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

  // ---- The phone menu ------------------------------------------------------
  // Without JavaScript the header's links sit in a <details>; here it becomes a real button
  // with aria-expanded that shows and hides the same panel (wide screens show it always).
  function enhanceMenu() {
    var details = document.querySelector("details[data-menu]");
    var summary = details && details.querySelector("summary");
    var panel = details && details.querySelector(".menu-panel");
    if (!summary || !panel) return;
    var menu = document.createElement("div");
    menu.className = details.className;
    var button = document.createElement("button");
    button.type = "button";
    button.className = summary.className;
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", panel.id);
    while (summary.firstChild) button.appendChild(summary.firstChild);
    menu.appendChild(button);
    menu.appendChild(panel);
    details.replaceWith(menu);

    function setOpen(open) {
      button.setAttribute("aria-expanded", String(open));
      menu.classList.toggle("open", open);
    }
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.classList.contains("open")) {
        setOpen(false);
        button.focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.classList.contains("open") && !menu.contains(event.target)) setOpen(false);
    });
    menu.addEventListener("focusout", function (event) {
      if (event.relatedTarget && !menu.contains(event.relatedTarget)) setOpen(false);
    });
  }

  // ---- Glossary previews -------------------------------------------------
  // A linked term (a.term[data-preview]) shows a card with its short definition after a short
  // hover (as on Wikipedia), on keyboard focus or on a first tap; leaving closes it. The card is
  // loaded through htmx and placed right after the link, so screen readers meet it in reading
  // order, but nothing in it is a Tab stop: Tab goes on to the article's next link (the term
  // link itself leads to the full entry). Escape closes it. One click turns previews off for
  // good in this browser (localStorage); the switch in the footer turns them back on.
  var OPEN_DELAY = 300;
  var CLOSE_DELAY = 200; // time to move the pointer from the link into the card
  var card = null;
  var owner = null;
  var showTimer = null;
  var hideTimer = null;
  var lastPointer = "mouse";
  var PREF = "recall.previews";

  function previewsOn() {
    try { return window.localStorage.getItem(PREF) !== "off"; } catch (error) { return true; }
  }

  function setPreviews(on) {
    try {
      if (on) window.localStorage.removeItem(PREF);
      else window.localStorage.setItem(PREF, "off");
    } catch (error) { /* storage refused: the choice lasts for this page */ }
    previewsOff = !on;
    if (!on) hide();
    updateSwitches();
  }

  var previewsOff = !previewsOn();

  function updateSwitches() {
    document.querySelectorAll("[data-previews-switch]").forEach(function (button) {
      button.textContent = previewsOff ? "Turn term previews on" : "Turn term previews off";
      button.setAttribute("aria-pressed", String(!previewsOff));
      var holder = button.closest("[hidden]");
      if (holder) holder.hidden = false;
    });
  }

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
    card.addEventListener("click", function (event) {
      if (event.target.closest("[data-previews-off]")) setPreviews(false);
    });
    return card;
  }

  function finishCard() {
    // Nothing in the card takes a Tab stop; the pointer and touch still reach all of it.
    card.querySelectorAll("a, button").forEach(function (el) { el.tabIndex = -1; });
    if (!card.querySelector("[data-previews-off]")) {
      var off = document.createElement("p");
      off.className = "term-card-off";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "link-button";
      button.tabIndex = -1;
      button.setAttribute("data-previews-off", "");
      button.textContent = "Turn previews off";
      off.appendChild(button);
      card.appendChild(off);
    }
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
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (previewsOff) return;
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
          finishCard();
        });
    ready.then(function () {
      if (owner !== link || previewsOff) return;
      card.hidden = false;
      place(link);
    });
  }

  function showSoon(link) {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    if (previewsOff) return;
    if (card && !card.hidden && owner === link) return;
    showTimer = setTimeout(function () { show(link); }, OPEN_DELAY);
  }

  function hide() {
    clearTimeout(showTimer);
    if (!card) return;
    card.hidden = true;
    if (owner) owner.setAttribute("aria-expanded", "false");
  }

  function scheduleHide() {
    clearTimeout(showTimer);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hide, CLOSE_DELAY);
  }

  function termFrom(event) {
    var el = event.target;
    return el && el.closest ? el.closest("a.term[data-preview]") : null;
  }

  function enhancePreviews() {
    document.querySelectorAll("[data-previews-switch]").forEach(function (button) {
      button.addEventListener("click", function () { setPreviews(previewsOff); });
    });
    updateSwitches();
    document.addEventListener("pointerdown", function (event) { lastPointer = event.pointerType || "mouse"; });
    document.addEventListener("mouseover", function (event) {
      var link = termFrom(event);
      if (link && lastPointer === "mouse") showSoon(link);
    });
    document.addEventListener("mouseout", function (event) {
      var link = termFrom(event);
      if (link && !link.contains(event.relatedTarget) && !(card && card.contains(event.relatedTarget))) scheduleHide();
    });
    document.addEventListener("focusin", function (event) {
      var link = termFrom(event);
      if (link && link.matches(":focus-visible")) showSoon(link);
    });
    document.addEventListener("focusout", function (event) {
      if (termFrom(event)) scheduleHide();
    });
    document.addEventListener("click", function (event) {
      var link = termFrom(event);
      // On touch, the first tap opens the card; a second tap follows the link.
      if (link && lastPointer !== "mouse" && !previewsOff && (card === null || card.hidden || owner !== link)) {
        event.preventDefault();
        show(link);
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && card && !card.hidden) hide();
    });
  }

  // ---- Articles: where the reader is, and read once the end is reached ----
  // The table of contents marks the section being read. When the reader scrolls to the end,
  // the article's own "Mark as read" form is sent (through htmx, so its status is announced);
  // the button stays for those who want it, and an article someone marked unread stays unread.
  function trackContents() {
    var links = Array.prototype.slice.call(document.querySelectorAll('.toc a[href^="#"]'));
    var headings = links.map(function (a) { return document.getElementById(decodeURIComponent(a.hash.slice(1))); });
    if (!links.length) return;
    var pending = false;
    function update() {
      pending = false;
      var line = window.innerHeight * 0.3;
      var current = -1;
      headings.forEach(function (h, i) { if (h && h.getBoundingClientRect().top <= line) current = i; });
      links.forEach(function (a, i) {
        if (i === current) a.setAttribute("aria-current", "location");
        else a.removeAttribute("aria-current");
      });
    }
    window.addEventListener("scroll", function () {
      if (!pending) { pending = true; window.requestAnimationFrame(update); }
    }, { passive: true });
    update();
  }

  function markReadAtEnd() {
    var end = document.getElementById("read");
    var flag = end && end.querySelector('input[name="read"]');
    if (!flag || flag.value !== "1" || !("IntersectionObserver" in window) || !window.htmx) return;
    if (window.location.hash === "#read") return; // back from pressing the button: leave it be
    var scrolled = false;
    var observer = null;
    function onScroll() { scrolled = true; }
    window.addEventListener("scroll", onScroll, { passive: true });
    function stop() {
      if (observer) observer.disconnect();
      window.removeEventListener("scroll", onScroll);
    }
    end.addEventListener("submit", stop); // the learner pressed the button themselves
    observer = new IntersectionObserver(function (entries) {
      if (!scrolled || !entries.some(function (e) { return e.isIntersecting; })) return;
      stop();
      var form = document.querySelector("#read form");
      var read = form && form.querySelector('input[name="read"]');
      if (read && read.value === "1") htmx.trigger(form, "submit");
    }, { threshold: 0.5 });
    observer.observe(end);
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
  function start() {
    enhanceMenu();
    if (window.htmx) enhancePreviews();
    trackContents();
    markReadAtEnd();
    addCopyButtons();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
