/* The session form: show the fields the chosen kind needs, open the concern fields when the
 * volunteer is worried, let long lists (languages, participants) be filtered by typing, find a
 * participant by code, and choose again the kind and site this user logged last in this
 * program (kept in this browser under "lotse-last:<user>:<program>", deleted on logout).
 * Without JavaScript every field is shown and the server validates. */
(function () {
  "use strict";

  function setUpKinds(form) {
    var box = form.querySelector(".js-kind");
    if (!box) return function () {};
    var individual = (box.getAttribute("data-individual-kinds") || "").split(" ");
    return function update() {
      var checked = form.querySelector("input[name='kind']:checked");
      var kind = checked ? checked.value : "";
      var isIndividual = individual.indexOf(kind) !== -1;
      form.querySelectorAll(".js-group-only").forEach(function (el) {
        el.hidden = kind !== "" && isIndividual;
      });
      form.querySelectorAll(".js-individual-only").forEach(function (el) {
        el.hidden = kind !== "" && !isIndividual;
      });
    };
  }

  function setUpConcern(form) {
    var worried = form.querySelector("input[name='worried']");
    var fields = form.querySelector(".js-concern-fields");
    if (!worried || !fields) return function () {};
    return function update() {
      fields.hidden = !worried.checked;
    };
  }

  function makeFilterable(form, select) {
    if (select.getAttribute("data-filter-ready")) return;
    select.setAttribute("data-filter-ready", "true");
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control form-control-sm mb-1";
    input.placeholder = form.getAttribute("data-filter-placeholder") || "";
    input.setAttribute("aria-label", input.placeholder);
    input.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(input, select);
    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      select.querySelectorAll("option").forEach(function (option) {
        option.hidden = query !== "" && option.text.toLowerCase().indexOf(query) === -1;
      });
      select.querySelectorAll("optgroup").forEach(function (group) {
        group.hidden = !group.querySelector("option:not([hidden])");
      });
    });
    // Enter in the search box filters; it must not submit the form.
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  }

  // A list of participants to tick gets a search box: type a few letters of the code.
  function makeCheckboxesSearchable(form) {
    var block = form.querySelector("#participants-block");
    if (!block || block.querySelector(".js-participant-search")) return;
    var boxes = block.querySelectorAll("input[name='participants'][type='checkbox']");
    if (boxes.length < 2) return;
    var first = boxes[0].closest(".form-check");
    if (!first) return;
    var input = document.createElement("input");
    input.type = "search";
    input.className = "form-control mb-2 js-participant-search";
    input.placeholder = form.getAttribute("data-code-placeholder") || "";
    input.setAttribute("aria-label", input.placeholder);
    input.setAttribute("autocapitalize", "characters");
    input.setAttribute("autocomplete", "off");
    first.parentNode.insertBefore(input, first);
    input.addEventListener("input", function () {
      var query = input.value.trim().toLowerCase();
      boxes.forEach(function (box) {
        var item = box.closest(".form-check");
        var label = item ? item.textContent.toLowerCase() : "";
        if (item) item.hidden = query !== "" && !box.checked && label.indexOf(query) === -1;
      });
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
  }

  // The kind and site logged last are chosen again on a new, empty form.
  function rememberChoices(form, updateKinds) {
    var user = document.body.getAttribute("data-user") || "";
    var program = form.getAttribute("data-keep-entry");
    var store = null;
    try {
      store = window.localStorage;
    } catch (error) {
      return;
    }
    if (!user || !program || !store) return;
    var name = "lotse-last:" + user + ":" + program;

    function keep() {
      var kind = form.querySelector("input[name='kind']:checked");
      var site = form.querySelector("select[name='site']");
      try {
        store.setItem(
          name,
          JSON.stringify({ kind: kind ? kind.value : "", site: site ? site.value : "" })
        );
      } catch (error) {
        // Storage full or refused: the form is simply not filled in next time.
      }
    }

    function apply() {
      var last = null;
      try {
        last = JSON.parse(store.getItem(name) || "null");
      } catch (error) {
        last = null;
      }
      if (!last) return;
      if (last.kind && !form.querySelector("input[name='kind']:checked")) {
        form.querySelectorAll("input[name='kind']").forEach(function (radio) {
          if (radio.value === last.kind) radio.checked = true;
        });
      }
      var site = form.querySelector("select[name='site']");
      if (site && !site.value && last.site) {
        Array.prototype.forEach.call(site.options, function (option) {
          if (option.value === last.site) site.value = last.site;
        });
      }
      updateKinds();
    }

    form.addEventListener("submit", function (event) {
      if (event.submitter && event.submitter.name === "_action") return;
      keep();
    });
    // Saved through the browser's queue (offline-queue.js), then emptied for the next session.
    form.addEventListener("lotse:queued", keep);
    form.addEventListener("lotse:reset", apply);
    if (!form.hasAttribute("data-bound")) apply();
  }

  // The back button may bring the filled form back from the server with a fresh key while the
  // browser restores what was typed. Put back the key that was sent, so that sending the form
  // again lands on the session already saved instead of creating a second one.
  function keepIdempotencyKey(form) {
    var input = form.querySelector("input[name='idempotency_key']");
    if (!input || !window.sessionStorage) return;
    var storageKey = "lotse-idempotency:" + window.location.pathname;
    var navigation = window.performance && performance.getEntriesByType
      ? performance.getEntriesByType("navigation")[0]
      : null;
    try {
      var sent = sessionStorage.getItem(storageKey);
      if (sent && navigation && navigation.type === "back_forward") input.value = sent;
      form.addEventListener("submit", function () {
        sessionStorage.setItem(storageKey, input.value);
      });
    } catch (error) {
      // Storage may be unavailable (private mode); the server still refuses a repeated key.
    }
  }

  // A double tap sends the form once; the server refuses a repeated key all the same.
  function sendOnce(form) {
    var sending = false;
    form.addEventListener("submit", function (event) {
      if (sending) {
        event.preventDefault();
        return;
      }
      sending = true;
    });
    // Coming back with the back button (page cache) the form may be sent again.
    window.addEventListener("pageshow", function () {
      sending = false;
    });
  }

  function setUp(form) {
    keepIdempotencyKey(form);
    sendOnce(form);
    var updateKinds = setUpKinds(form);
    var updateConcern = setUpConcern(form);
    var filterables = function () {
      form.querySelectorAll("select[data-filterable]").forEach(function (select) {
        makeFilterable(form, select);
      });
      makeCheckboxesSearchable(form);
    };
    form.addEventListener("change", function (event) {
      if (event.target.name === "kind") updateKinds();
      if (event.target.name === "worried") updateConcern();
    });
    // The participant block is replaced by htmx after a quick-create.
    document.body.addEventListener("htmx:afterSettle", function () {
      updateKinds();
      filterables();
    });
    rememberChoices(form, updateKinds);
    updateKinds();
    updateConcern();
    filterables();
  }

  document.querySelectorAll("form.js-log-form").forEach(setUp);
})();
