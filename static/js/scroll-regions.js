/* A table wider than the screen scrolls sideways inside its frame (.table-responsive,
 * .table-scroll). Such a frame is made a named region that takes the keyboard's focus, so it
 * can be scrolled with the arrow keys (WCAG 2.1.1): tabindex="0", role="region" and the name
 * of its table (its caption, else the heading above it, else the page's heading).
 */
(function () {
  "use strict";

  var FRAMES = ".table-responsive, .table-scroll";

  function nameOf(frame) {
    var caption = frame.querySelector("caption");
    if (caption && caption.textContent.trim()) {
      return caption.textContent.trim();
    }
    var node = frame;
    while (node && node !== document.body) {
      var before = node.previousElementSibling;
      while (before) {
        var heading = before.matches("h1, h2, h3, h4") ? before : before.querySelector("h1, h2, h3, h4");
        if (heading && heading.textContent.trim()) {
          return heading.textContent.trim();
        }
        before = before.previousElementSibling;
      }
      node = node.parentElement;
    }
    var title = document.querySelector("main h1");
    return title ? title.textContent.trim() : document.title;
  }

  function mark() {
    document.querySelectorAll(FRAMES).forEach(function (frame) {
      if (frame.scrollWidth > frame.clientWidth + 1) {
        if (!frame.hasAttribute("tabindex")) {
          frame.setAttribute("tabindex", "0");
          frame.setAttribute("role", "region");
          frame.setAttribute("aria-label", nameOf(frame));
          frame.dataset.scrollRegion = "";
        }
      } else if (frame.hasAttribute("data-scroll-region")) {
        frame.removeAttribute("tabindex");
        frame.removeAttribute("role");
        frame.removeAttribute("aria-label");
        delete frame.dataset.scrollRegion;
      }
    });
  }

  var pending = null;
  function later() {
    if (pending === null) {
      pending = window.requestAnimationFrame(function () {
        pending = null;
        mark();
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", mark);
  } else {
    mark();
  }
  window.addEventListener("resize", later);
  document.addEventListener("htmx:afterSettle", later);
})();
