/* Saving a session from the log form: kept in this browser first, then sent; nothing is lost to a
 * dropped connection, and the volunteer stays on the form for the next session.
 *
 * Every save of the log form (form[data-sync-url]), online or not, goes through a queue in
 * IndexedDB, in a database of the signed-in user's own ("lotse-offline-<user id>"; offline.js
 * deletes it on logout): its fields and its idempotency key are put into the queue, then,
 * online, sent at once to the sync URL while the save button waits. The server answers in JSON:
 * - saved (or saved before: the idempotency key makes a second send harmless): the entry leaves
 *   the queue, the form is emptied for the next session (keeping the kind and site, see
 *   log-session.js) and the server's message, notes and links are shown above it, where the
 *   focus goes; then any other sessions waiting are sent;
 * - refused: the entry leaves the queue and the form, still filled in, is posted the classic way,
 *   so that the server shows the errors at their fields;
 * - no answer (no connection, or the server not reached) or an expired sign-in: the entry stays
 *   queued, the form is emptied, and the page says so (with a link to sign in again).
 * Offline the entry is only queued. The queue is shown above the form ("3 sessions waiting to
 * send") and sent, one entry at a time, when the page opens online (after signing in again,
 * too), when the connection comes back, every half minute while a send found no server (and
 * when the page is shown again), and with the "Send now" button. An entry refused then
 * stays in the queue with the server's message until it is corrected ("Correct" puts it back
 * into the form, with its key) or removed.
 *
 * Without this script, or where IndexedDB is refused (private mode, storage full), the form is
 * posted as it always was and lands on "My sessions" (keep-entry.js keeps it across an expired
 * sign-in). Adding a participant online is not a save and is left to the page as before.
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
  var saveButton = form.querySelector("button[type='submit']:not([name='_action'])");
  var sending = false; // a send to the server is under way: one at a time
  var running = null; // the sendAll() under way
  var saving = false; // a save of the form is under way: a second submit is ignored
  var leaving = false; // the form is being posted the classic way
  var storeWorks = null; // whether IndexedDB opened; until it is known, a save waits for it

  var database = idb.openDB("lotse-offline-" + user, 1, {
    upgrade: function (db) {
      db.createObjectStore("queue", { keyPath: "key" });
      db.createObjectStore("keys", { keyPath: "key" });
    },
  });
  database.then(
    function () {
      storeWorks = true;
    },
    function () {
      storeWorks = false;
    }
  );

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

  var answerBox = panel.querySelector(".js-queue-answer");
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
      panel.hidden = all.length === 0 && resultLine.hidden && answerBox.hidden;
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
      list.hidden = all.length === 0;
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
    return database
      .then(function (db) {
        return db.put("queue", entry).then(function () {
          return db.put("keys", { key: key, seenAt: Date.now() });
        });
      })
      .then(function () {
        return entry;
      });
  }

  // A form the server showed again (with errors) holds what was sent as its default values:
  // these are blanked and the errors go, so that the next session starts from an empty form.
  function forgetShownValues() {
    Array.prototype.forEach.call(form.elements, function (element) {
      if (!element.name || ["hidden", "submit", "button"].indexOf(element.type) !== -1) return;
      if (element.type === "checkbox" || element.type === "radio") {
        element.defaultChecked = false;
      } else if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.defaultSelected = false;
        });
      } else {
        element.defaultValue = "";
      }
    });
    form.querySelectorAll(".is-invalid").forEach(function (element) {
      element.classList.remove("is-invalid");
    });
    form.querySelectorAll("[aria-invalid]").forEach(function (element) {
      element.removeAttribute("aria-invalid");
    });
    form.querySelectorAll(".invalid-feedback, .alert-danger, #confirm-warnings").forEach(function (element) {
      element.remove();
    });
    form.parentNode.querySelectorAll(":scope > .alert-danger").forEach(function (element) {
      element.remove();
    });
    form.removeAttribute("data-bound");
  }

  // The people of one session are not those of the next (nor a participant just added).
  function forgetParticipants() {
    form.querySelectorAll("[name='participants']").forEach(function (element) {
      if (element.tagName === "SELECT") {
        Array.prototype.forEach.call(element.options, function (option) {
          option.defaultSelected = false;
        });
      } else {
        element.defaultChecked = false;
      }
    });
    form.querySelectorAll("#participants-block .alert-success").forEach(function (element) {
      element.remove();
    });
  }

  function emptyForm() {
    form.dispatchEvent(new CustomEvent("lotse:queued"));
    if (form.hasAttribute("data-bound")) forgetShownValues();
    forgetParticipants();
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

  function clearAnswer() {
    answerBox.replaceChildren();
    answerBox.hidden = true;
    say(resultLine, "");
  }

  // The server's answer to a saved session, in place of the page a classic post would show.
  function showAnswer(answer) {
    var parts = [];
    var message = document.createElement("p");
    message.className = "fw-semibold text-success mb-1";
    message.textContent = answer.message || "";
    parts.push(message);
    (Array.isArray(answer.notes) ? answer.notes : []).forEach(function (text) {
      var note = document.createElement("p");
      note.className = "mb-1";
      note.textContent = text;
      parts.push(note);
    });
    var links = (Array.isArray(answer.links) ? answer.links : []).filter(function (link) {
      return link && typeof link.url === "string" && /^\/(?![\/\\])/.test(link.url); // this site's pages
    });
    if (links.length) {
      var row = document.createElement("div");
      row.className = "d-flex flex-wrap gap-2 mt-2";
      links.forEach(function (link, index) {
        var a = document.createElement("a");
        a.href = link.url;
        a.className = "btn btn-sm " + (index === 0 && links.length > 1 ? "btn-primary" : "btn-outline-primary");
        a.textContent = link.text || link.url;
        row.appendChild(a);
      });
      parts.push(row);
    }
    answerBox.replaceChildren.apply(answerBox, parts);
    answerBox.hidden = false;
    panel.hidden = false;
  }

  function signInLink(line) {
    if (!loginUrl) return;
    var link = document.createElement("a");
    link.href = loginUrl + "?next=" + encodeURIComponent(window.location.pathname);
    link.className = "ms-1";
    link.textContent = gettext("Sign in");
    line.appendChild(link);
  }

  function busy(on) {
    saving = on;
    if (saveButton) saveButton.disabled = on;
  }

  // Saved: the next session can be logged at once; then whatever else waits is sent.
  function whenSaved(entry, answer) {
    return remove(entry.key)
      .then(emptyForm)
      .then(function () {
        showAnswer(answer);
        return render();
      })
      .then(function () {
        answerBox.focus();
        sendAll();
      });
  }

  // Refused: the form, still filled in, is posted the classic way; the server shows the errors
  // at their fields (and, for a key saved before, the session it saved).
  function whenRefused(entry) {
    return remove(entry.key).then(function () {
      leaving = true;
      form.submit();
    });
  }

  // Not sent (no connection, or the sign-in expired): it waits in the queue.
  function whenHeld(reason) {
    held = reason;
    return emptyForm()
      .then(function () {
        if (reason === SIGNED_OUT) {
          say(
            resultLine,
            gettext("Saved on this device. Your sign-in has expired: sign in again to send it."),
            "danger"
          );
          signInLink(resultLine);
        } else {
          say(resultLine, gettext("Saved on this device. It will be sent when you are back online."), "success");
        }
        return render();
      })
      .then(function () {
        resultLine.focus();
      });
  }

  function save(submitter) {
    busy(true);
    clearAnswer();
    return database
      .then(queue)
      .then(
        function (entry) {
          if (!navigator.onLine) return whenHeld(NO_CONNECTION);
          return sendOne(entry).then(
            function (answer) {
              return answer.status === "saved" ? whenSaved(entry, answer) : whenRefused(entry);
            },
            function (reason) {
              return whenHeld(reason === SIGNED_OUT ? SIGNED_OUT : NO_CONNECTION);
            }
          );
        },
        function () {
          // IndexedDB refused the entry (private mode, storage full): the form is posted as
          // it always was.
          storeWorks = false;
          busy(false);
          form.requestSubmit(submitter || undefined);
        }
      )
      .catch(function () {
        // The answer could not be shown; the queue still holds what was not saved.
        return render();
      })
      .finally(function () {
        if (!leaving) busy(false);
      });
  }

  document.addEventListener(
    "submit",
    function (event) {
      if (event.target !== form || storeWorks === false) return;
      var adding = event.submitter && event.submitter.name === "_action";
      // Adding a participant online is not a save: the page does it as before.
      if (adding && navigator.onLine) return;
      event.preventDefault();
      event.stopPropagation();
      if (adding) {
        say(resultLine, gettext("Adding someone new needs a connection. Please try again when you are back online."), "danger");
        panel.hidden = false;
        return;
      }
      if (!saving && !leaving) save(event.submitter);
    },
    true
  );

  // --- sending -----------------------------------------------------------------------------

  var SIGNED_OUT = "signed-out";
  var NO_CONNECTION = "no-connection";
  var RETRY_SECONDS = 30;
  var held = null; // why the last send stopped short: NO_CONNECTION, SIGNED_OUT or null

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

  // One entry, sent once whatever else is being sent has been.
  function sendOne(entry) {
    return (running || Promise.resolve())
      .then(
        function () {},
        function () {}
      )
      .then(function () {
        sending = true;
        sendButton.disabled = true;
        return send(entry).finally(function () {
          sending = false;
          sendButton.disabled = false;
        });
      });
  }

  function sendAll() {
    if (sending || !navigator.onLine) return running || Promise.resolve();
    sending = true;
    sendButton.disabled = true;
    var tried = 0;
    var saved = 0;
    var refused = 0;
    var stopped = null;
    running = entries()
      .then(function (all) {
        var waiting = all.filter(function (entry) {
          return entry.status !== "refused";
        });
        tried = waiting.length;
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
        held = stopped;
        if (!tried) return; // nothing waited: what the panel says stays
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
        if (stopped === SIGNED_OUT) signInLink(resultLine);
      })
      .then(render)
      .finally(function () {
        sending = false;
        sendButton.disabled = false;
        running = null;
      });
    return running;
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

  // A send that reached no server while the browser still counted as online (a shelter's
  // Wi-Fi that comes and goes) is tried again every half minute while the page is open, and
  // when the page is shown again; an expired sign-in waits for the user to sign in.
  function retry() {
    if (held === NO_CONNECTION && navigator.onLine && !saving && !document.hidden) sendAll();
  }
  window.setInterval(retry, RETRY_SECONDS * 1000);
  document.addEventListener("visibilitychange", retry);

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
