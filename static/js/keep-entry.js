/* Nothing typed into the log form is lost when the sign-in has expired, in a browser that posts
 * the form the classic way.
 *
 * Where the page's script and IndexedDB work, a save does not come here: offline-queue.js puts
 * every save into the browser's queue first and sends it from there, and a save that an
 * expired sign-in holds up waits in that queue for the next sign-in. This file serves the
 * browsers without IndexedDB (private mode, storage refused), whose form is posted as it
 * always was.
 *
 * Before a form marked data-keep-entry is posted, what it holds (with its idempotency key) is
 * kept in this browser's localStorage, with the program and the user the page was shown to.
 * When the server has saved the session, the next page names its key (data-saved-entries on
 * <body>) and the kept copy is dropped. When the sign-in had expired, the server answered with
 * the login page instead: the copy stays, and once the same user is back on the program's log
 * form (the login page leads there), it is sent again with the new security token. Its
 * idempotency key makes the server save it exactly once. Adding a participant (htmx) after
 * the sign-in expired keeps the form the same way, to be filled in again rather than sent.
 *
 * A kept copy is dropped when another user signs in on this browser, on logout, once the page
 * shows it again (a form returned with errors), and after seven days. Without localStorage
 * (private mode, storage turned off) the form is sent as it always was.
 */
(function () {
  "use strict";

  var PREFIX = "lotse-entry:";
  var MAX_AGE = 7 * 24 * 60 * 60 * 1000;
  // Automatic sends of one copy before the form is filled in for the user to check and send.
  var AUTO_SENDS = 2;

  function localStore() {
    try {
      var storage = window.localStorage;
      storage.getItem(PREFIX);
      return storage;
    } catch (error) {
      return null;
    }
  }

  function keptEntries(storage) {
    var found = [];
    for (var i = 0; i < storage.length; i++) {
      var name = storage.key(i);
      if (!name || name.indexOf(PREFIX) !== 0) continue;
      var entry = null;
      try {
        entry = JSON.parse(storage.getItem(name));
      } catch (error) {
        // Unreadable: dropped by tidy().
      }
      found.push({ name: name, entry: entry });
    }
    return found;
  }

  function dropAll(storage) {
    keptEntries(storage).forEach(function (item) {
      storage.removeItem(item.name);
    });
  }

  // Drop what the server has saved, what belongs to someone else, and what is too old.
  function tidy(storage, user, saved) {
    var now = Date.now();
    keptEntries(storage).forEach(function (item) {
      var entry = item.entry;
      var unusable =
        !entry || typeof entry.keptAt !== "number" || !Array.isArray(entry.fields);
      if (
        unusable ||
        now - entry.keptAt > MAX_AGE ||
        (user !== "" && entry.user !== user) ||
        saved.indexOf(entry.key) !== -1
      ) {
        storage.removeItem(item.name);
      }
    });
  }

  function keyOf(form) {
    var input = form.querySelector("input[name='idempotency_key']");
    return input ? input.value.trim().toLowerCase() : "";
  }

  function fieldsOf(form) {
    var fields = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") {
        fields.push([name, value]);
      }
    });
    return fields;
  }

  // send: false keeps the copy to be filled in again rather than sent (it was not finished).
  function keep(storage, form, user, send) {
    var key = keyOf(form);
    if (!key) return false;
    try {
      storage.setItem(
        PREFIX + key,
        JSON.stringify({
          user: user,
          program: form.getAttribute("data-keep-entry"),
          key: key,
          keptAt: Date.now(),
          send: send,
          tries: 0,
          fields: fieldsOf(form),
        })
      );
      return true;
    } catch (error) {
      return false; // Storage full or refused: the form is sent as it always was.
    }
  }

  function say(form, text) {
    if (!text) return;
    var note = document.createElement("div");
    note.className = "alert alert-info";
    note.setAttribute("role", "status");
    note.textContent = text;
    form.parentNode.insertBefore(note, form);
  }

  // Post the kept fields as they were typed, with this page's (new) security token.
  function resend(storage, form, item) {
    var entry = item.entry;
    entry.tries = (entry.tries || 0) + 1;
    storage.setItem(item.name, JSON.stringify(entry));
    var post = document.createElement("form");
    post.method = "post";
    post.action = form.action;
    post.hidden = true;
    function add(name, value) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      post.appendChild(input);
    }
    var token = form.querySelector("input[name='csrfmiddlewaretoken']");
    if (token) add(token.name, token.value);
    entry.fields.forEach(function (pair) {
      add(pair[0], pair[1]);
    });
    add("_kept", "1");
    say(form, form.getAttribute("data-keep-sending"));
    form.querySelectorAll("button[type='submit']").forEach(function (button) {
      button.disabled = true;
    });
    document.body.appendChild(post);
    post.submit();
  }

  // Put the kept fields back into the form, for the user to check and send.
  function fill(form, fields) {
    var values = {};
    fields.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    Array.prototype.forEach.call(form.elements, function (element) {
      var name = element.name;
      if (!name || name === "csrfmiddlewaretoken") return;
      if (element.type === "submit" || element.type === "button") return;
      var given = values[name] || [];
      if (element.type === "checkbox" || element.type === "radio") {
        element.checked = given.indexOf(element.value) !== -1;
      } else if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.selected = given.indexOf(option.value) !== -1;
        });
      } else if (given.length) {
        element.value = given.shift();
      } else {
        return;
      }
      element.dispatchEvent(new Event("change", { bubbles: true }));
      // A folded part (adding a participant) that holds something typed is opened.
      var folded = element.closest("details");
      var typed = element.type === "checkbox" ? element.checked : element.value !== "";
      if (folded && typed && element.type !== "radio" && element.tagName !== "SELECT") {
        folded.open = true;
      }
    });
  }

  function setUp(storage, form, user) {
    var program = form.getAttribute("data-keep-entry");
    var bound = form.hasAttribute("data-bound");
    // The server answered this form's post and shows what was sent: the page holds it now.
    if (bound) storage.removeItem(PREFIX + keyOf(form));

    form.addEventListener("submit", function (event) {
      // Adding a participant is not sending the session.
      if (event.submitter && event.submitter.name === "_action") return;
      keep(storage, form, user, true);
    });

    // Adding a participant (htmx) after the sign-in expired answers with the login page: keep
    // the form to be filled in again and sign in, coming back to this page.
    var login = form.getAttribute("data-login-url");
    form.addEventListener("htmx:beforeSwap", function (event) {
      var xhr = event.detail.xhr;
      if (!login || !xhr || !xhr.responseURL) return;
      if (new URL(xhr.responseURL, window.location.href).pathname !== login) return;
      if (!keep(storage, form, user, false)) return;
      event.detail.shouldSwap = false;
      var back = window.location.pathname + window.location.search;
      window.location.assign(login + "?next=" + encodeURIComponent(back));
    });

    if (bound || !user) return;
    var waiting = keptEntries(storage)
      .filter(function (item) {
        return item.entry && item.entry.user === user && item.entry.program === program;
      })
      .sort(function (a, b) {
        return a.entry.keptAt - b.entry.keptAt;
      });
    if (!waiting.length) return;
    // After the page's other scripts have set the form up.
    document.addEventListener("DOMContentLoaded", function () {
      var item = waiting[0];
      if (item.entry.send !== false && (item.entry.tries || 0) < AUTO_SENDS) {
        resend(storage, form, item);
      } else {
        fill(form, item.entry.fields);
        storage.removeItem(item.name);
        say(form, form.getAttribute("data-keep-check"));
      }
    });
  }

  // The offline queue (offline-queue.js) puts an entry back into the form the same way.
  window.LotseEntry = { fill: fill, fieldsOf: fieldsOf };

  var body = document.body;
  var user = body.getAttribute("data-user") || "";
  var saved = (body.getAttribute("data-saved-entries") || "")
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean);
  var storage = localStore();
  if (!storage) return;

  document.querySelectorAll("form.js-logout").forEach(function (form) {
    form.addEventListener("submit", function () {
      dropAll(storage);
    });
  });
  tidy(storage, user, saved);
  var kept = keptEntries(storage).length > 0;
  document.querySelectorAll(".js-kept-entry-notice").forEach(function (note) {
    note.hidden = !kept;
  });
  document.querySelectorAll("form[data-keep-entry]").forEach(function (form) {
    setUp(storage, form, user);
  });
})();
