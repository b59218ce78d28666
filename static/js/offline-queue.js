/* Sessions logged without a connection: kept in this browser, sent when the connection is back.
 *
 * When the log form (form[data-sync-url]) is saved while the browser is offline, it is not
 * sent: its fields and its idempotency key go into a queue in IndexedDB, in a database of the
 * signed-in user's own ("lotse-offline-<user id>"; offline.js deletes it on logout), and the
 * form is emptied for the next session. The queue is shown above the form ("3 sessions
 * waiting to send"). It is sent, one entry at a time, to the sync URL when the page opens
 * online, when the connection comes back, and with the "Send now" button. For each entry the
 * server answers whether it saved it (or had saved it before: the idempotency key makes a
 * second send harmless) or refused it; a refused entry stays in the queue with the server's
 * message until it is corrected ("Correct" puts it back into the form, with its key) or
 * removed. An expired sign-in holds the queue until the user signs in again.
 *
 * A copy of the page kept by the service worker carries the idempotency key it was shown with;
 * every key a page was shown with is remembered ("keys"), and a page whose key was seen before
 * gets a new one, so that two sessions logged offline never share a key.
 */
/* global idb, gettext, ngettext, interpolate */
(function () {
  "use strict";

  var form = document.querySelector("form[data-sync-url]");
  var user = document.body.getAttribute("data-user") || "";
  var panel = document.getElementById("offline-queue");
  if (!form || !panel || !user || !window.indexedDB || !window.idb) return;

  var program = form.getAttribute("data-keep-entry");
  var syncUrl = form.getAttribute("data-sync-url");
  var loginUrl = form.getAttribute("data-login-url");
  var keyInput = form.querySelector("input[name='idempotency_key']");
  var sending = false;

  var database = idb.openDB("lotse-offline-" + user, 1, {
    upgrade: function (db) {
      db.createObjectStore("queue", { keyPath: "key" });
      db.createObjectStore("keys", { keyPath: "key" });
    },
  });

  function newKey() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map
      .call(bytes, function (b) {
        return (b + 0x100).toString(16).slice(1);
      })
      .join("");
    return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join("-");
  }

  function today() {
    var now = new Date();
    var pad = function (n) {
      return (n < 10 ? "0" : "") + n;
    };
    return now.getFullYear() + "-" + pad(now.getMonth() + 1) + "-" + pad(now.getDate());
  }

  function csrfToken() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) return decodeURIComponent(match[1]);
    var input = form.querySelector("input[name='csrfmiddlewaretoken']");
    return input ? input.value : "";
  }

  // offline.js asks before logging out while sessions wait; it reads this count.
  function publishCount(count) {
    try {
      if (count) window.localStorage.setItem("lotse-queued:" + user, String(count));
      else window.localStorage.removeItem("lotse-queued:" + user);
    } catch (error) {
      // Without storage the logout does not ask.
    }
  }

  function summary() {
    var kind = form.querySelector("input[name='kind']:checked");
    var kindLabel = kind && kind.labels && kind.labels[0] ? kind.labels[0].textContent.trim() : "";
    var site = form.querySelector("select[name='site']");
    var siteLabel = site && site.value ? site.options[site.selectedIndex].text : "";
    var date = form.querySelector("input[name='date']");
    return [date ? date.value : "", kindLabel, siteLabel].filter(Boolean).join(" · ");
  }

  // --- the page's idempotency key ----------------------------------------------------------

  function freshKeyForCopies() {
    if (!keyInput || form.hasAttribute("data-bound")) return Promise.resolve();
    var navigation = performance.getEntriesByType ? performance.getEntriesByType("navigation")[0] : null;
    if (navigation && navigation.type === "back_forward") return Promise.resolve();
    var key = keyInput.value.trim().toLowerCase();
    return database.then(function (db) {
      return db.get("keys", key).then(function (seen) {
        if (seen) {
          // A kept copy of the page: a key of its own, and today's date.
          keyInput.value = newKey();
          var date = form.querySelector("input[name='date']");
          if (date && date.defaultValue === date.value) date.value = today();
        }
        return db.put("keys", { key: keyInput.value.toLowerCase(), seenAt: Date.now() });
      }).then(function () {
        return db.count("keys");
      }).then(function (count) {
        if (count < 500) return;
        return db.getAll("keys").then(function (all) {
          all.sort(function (a, b) {
            return a.seenAt - b.seenAt;
          });
          var tx = db.transaction("keys", "readwrite");
          all.slice(0, count - 400).forEach(function (old) {
            tx.store.delete(old.key);
          });
          return tx.done;
        });
      });
    });
  }

  // --- showing the queue -------------------------------------------------------------------

  var countLine = panel.querySelector(".js-queue-count");
  var resultLine = panel.querySelector(".js-queue-result");
  var list = panel.querySelector(".js-queue-list");
  var sendButton = panel.querySelector(".js-queue-send");

  function say(line, text, tone) {
    line.textContent = text || "";
    line.hidden = !text;
    line.className = line.className.replace(/\btext-\w+\b/g, "").trim() + (tone ? " text-" + tone : "");
  }

  function button(text, css, onClick) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "btn btn-sm " + css;
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  function entryItem(entry) {
    var item = document.createElement("li");
    item.className = "list-group-item";
    item.setAttribute("data-key", entry.key);
    var title = document.createElement("div");
    title.className = "fw-semibold";
    title.textContent = entry.summary || gettext("Session");
    item.appendChild(title);
    var state = document.createElement("div");
    state.className = "small";
    if (entry.status === "refused") {
      state.className += " text-danger";
      state.setAttribute("role", "alert");
      state.textContent = entry.message || "";
      item.appendChild(state);
      if (entry.errors && entry.errors.length) {
        var reasons = document.createElement("ul");
        reasons.className = "small text-danger mb-1";
        entry.errors.forEach(function (text) {
          var reason = document.createElement("li");
          reason.textContent = text;
          reasons.appendChild(reason);
        });
        item.appendChild(reasons);
      }
      var actions = document.createElement("div");
      actions.className = "d-flex gap-2 mt-1";
      actions.appendChild(
        button(gettext("Correct"), "btn-outline-primary", function () {
          correct(entry);
        })
      );
      actions.appendChild(
        button(gettext("Remove"), "btn-outline-danger", function () {
          if (window.confirm(gettext("Remove this session? It will not be saved."))) {
            remove(entry.key).then(render);
          }
        })
      );
      item.appendChild(actions);
    } else {
      state.className += " text-body-secondary";
      state.textContent = gettext("Waiting to send");
      item.appendChild(state);
    }
    return item;
  }

  function entries() {
    return database.then(function (db) {
      return db.getAll("queue");
    }).then(function (all) {
      return all.sort(function (a, b) {
        return a.queuedAt - b.queuedAt;
      });
    });
  }

  function render() {
    return entries().then(function (all) {
      publishCount(all.length);
      panel.hidden = all.length === 0 && resultLine.hidden;
      say(
        countLine,
        all.length
          ? interpolate(
              ngettext(
                "%(count)s session waiting to send",
                "%(count)s sessions waiting to send",
                all.length
              ),
              { count: all.length },
              true
            )
          : ""
      );
      sendButton.hidden = all.length === 0;
      list.replaceChildren.apply(list, all.map(entryItem));
      return all;
    });
  }

  function remove(key) {
    return database.then(function (db) {
      return db.delete("queue", key);
    });
  }

  // A refused entry goes back into the form with its key; it stays queued until it is saved.
  function correct(entry) {
    if (window.LotseEntry) window.LotseEntry.fill(form, entry.fields);
    if (keyInput) keyInput.value = entry.key;
    form.scrollIntoView();
    say(resultLine, gettext("The session is back in the form. Correct it and save it again."), "body");
    panel.hidden = false;
  }

  // --- saving while offline ----------------------------------------------------------------

  function queue() {
    var fields = window.LotseEntry
      ? window.LotseEntry.fieldsOf(form)
      : Array.from(new FormData(form)).filter(function (pair) {
          return pair[0] !== "csrfmiddlewaretoken";
        });
    var key = keyInput ? keyInput.value.trim().toLowerCase() : "";
    if (!key) key = newKey();
    fields = fields.filter(function (pair) {
      return pair[0] !== "idempotency_key";
    });
    fields.push(["idempotency_key", key]);
    var entry = {
      key: key,
      program: program,
      url: syncUrl,
      fields: fields,
      summary: summary(),
      queuedAt: Date.now(),
      status: "waiting",
    };
    return database.then(function (db) {
      return db.put("queue", entry).then(function () {
        return db.put("keys", { key: key, seenAt: Date.now() });
      });
    });
  }

  function emptyForm() {
    form.dispatchEvent(new CustomEvent("lotse:queued"));
    form.reset();
    if (keyInput) keyInput.value = newKey();
    var date = form.querySelector("input[name='date']");
    if (date) date.value = today();
    form.querySelectorAll(".js-participant-search").forEach(function (input) {
      input.value = "";
      input.dispatchEvent(new Event("input"));
    });
    form.dispatchEvent(new CustomEvent("lotse:reset"));
    form.querySelectorAll("input, select, textarea").forEach(function (element) {
      if (element.name === "kind" || element.name === "worried") {
        element.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
    return database.then(function (db) {
      return db.put("keys", { key: keyInput.value, seenAt: Date.now() });
    });
  }

  document.addEventListener(
    "submit",
    function (event) {
      if (event.target !== form || navigator.onLine) return;
      event.preventDefault();
      event.stopPropagation();
      if (event.submitter && event.submitter.name === "_action") {
        say(resultLine, gettext("Adding someone new needs a connection. Please try again when you are back online."), "danger");
        panel.hidden = false;
        return;
      }
      queue()
        .then(emptyForm)
        .then(function () {
          // Back online meanwhile: send it now, and do not cover what that send says.
          if (navigator.onLine) return sendAll();
          say(resultLine, gettext("Saved on this device. It will be sent when you are back online."), "success");
          return render();
        })
        .then(function () {
          panel.scrollIntoView();
        });
    },
    true
  );

  // --- sending -----------------------------------------------------------------------------

  var SIGNED_OUT = "signed-out";
  var NO_CONNECTION = "no-connection";

  function send(entry) {
    var body = new URLSearchParams();
    entry.fields.forEach(function (pair) {
      body.append(pair[0], pair[1]);
    });
    return fetch(entry.url, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "manual",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    }).then(
      function (response) {
        if (response.type === "opaqueredirect" || response.status === 0) throw SIGNED_OUT;
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (!json) throw response.status === 403 ? SIGNED_OUT : NO_CONNECTION;
        return response.json();
      },
      function () {
        throw NO_CONNECTION;
      }
    );
  }

  function sendAll() {
    if (sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    sendButton.disabled = true;
    var saved = 0;
    var refused = 0;
    var stopped = null;
    return entries()
      .then(function (all) {
        var waiting = all.filter(function (entry) {
          return entry.status !== "refused";
        });
        return waiting.reduce(function (previous, entry) {
          return previous.then(function () {
            if (stopped) return;
            return send(entry).then(
              function (answer) {
                if (answer.status === "saved") {
                  saved += 1;
                  return remove(entry.key);
                }
                refused += 1;
                entry.status = "refused";
                entry.message = answer.message;
                entry.errors = answer.errors || [];
                return database.then(function (db) {
                  return db.put("queue", entry);
                });
              },
              function (reason) {
                stopped = reason;
              }
            );
          });
        }, Promise.resolve());
      })
      .then(function () {
        var parts = [];
        if (saved) {
          parts.push(
            interpolate(
              ngettext("%(count)s session was sent and saved.", "%(count)s sessions were sent and saved.", saved),
              { count: saved },
              true
            )
          );
        }
        if (refused) {
          parts.push(
            interpolate(
              ngettext(
                "%(count)s session was not saved: please correct it.",
                "%(count)s sessions were not saved: please correct them.",
                refused
              ),
              { count: refused },
              true
            )
          );
        }
        if (stopped === SIGNED_OUT) {
          parts.push(gettext("Your sign-in has expired: sign in again to send the sessions waiting."));
        } else if (stopped === NO_CONNECTION) {
          parts.push(gettext("No connection to the server. The sessions will be sent later."));
        }
        say(resultLine, parts.join(" "), refused || stopped ? "danger" : "success");
        if (stopped === SIGNED_OUT && loginUrl) {
          var link = document.createElement("a");
          link.href = loginUrl + "?next=" + encodeURIComponent(window.location.pathname);
          link.className = "ms-1";
          link.textContent = gettext("Sign in");
          resultLine.appendChild(link);
        }
      })
      .then(render)
      .finally(function () {
        sending = false;
        sendButton.disabled = false;
      });
  }

  // Keys the server has saved through the form itself (base.html, data-saved-entries).
  function dropSaved() {
    var saved = (document.body.getAttribute("data-saved-entries") || "")
      .toLowerCase()
      .split(/\s+/)
      .filter(Boolean);
    if (!saved.length) return Promise.resolve();
    return database.then(function (db) {
      return Promise.all(
        saved.map(function (key) {
          return db.delete("queue", key);
        })
      );
    });
  }

  sendButton.addEventListener("click", function () {
    sendAll();
  });
  window.addEventListener("online", function () {
    sendAll();
  });

  freshKeyForCopies()
    .then(dropSaved)
    .then(render)
    .then(function (all) {
      if (all.length && navigator.onLine) return sendAll();
    })
    .catch(function () {
      // IndexedDB refused (private mode, storage full): the form is sent as it always was.
    });
})();
