/* The installable app, on every page (base.html): registers the service worker for a signed-in
 * user, says when the connection is gone, and forgets this user's offline data on logout.
 *
 * What is kept offline belongs to one user: the pages the service worker keeps are in a cache
 * named after the user ("lotse-pages-<id>"), the sessions waiting to send in an IndexedDB
 * database of the user's own ("lotse-offline-<id>", static/js/offline-queue.js), the last kind
 * and site of the log form under "lotse-last:<id>:" in localStorage. When another user signs in
 * on this browser, the kept pages of the previous one are deleted (their waiting sessions stay,
 * unseen, until they sign in again); on logout everything of the user is deleted, after asking
 * if sessions are still waiting to send.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var body = document.body;
  var user = body.getAttribute("data-user") || "";
  var PAGES = "lotse-pages-";

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null;
    }
  }

  function deleteCaches(keepUser) {
    if (!window.caches) return Promise.resolve();
    return caches.keys().then(function (names) {
      return Promise.all(
        names
          .filter(function (name) {
            return name.indexOf(PAGES) === 0 && (!keepUser || name !== PAGES + keepUser);
          })
          .map(function (name) {
            return caches.delete(name);
          })
      );
    });
  }

  function forgetUser(id) {
    var store = storage();
    if (store) {
      for (var i = store.length - 1; i >= 0; i--) {
        var name = store.key(i);
        if (name && (name.indexOf("lotse-last:" + id + ":") === 0 || name === "lotse-queued:" + id)) {
          store.removeItem(name);
        }
      }
    }
    var steps = [
      window.caches ? caches.delete(PAGES + id) : Promise.resolve(),
      new Promise(function (resolve) {
        if (!window.indexedDB) return resolve();
        var request = indexedDB.deleteDatabase("lotse-offline-" + id);
        request.onsuccess = request.onerror = request.onblocked = function () {
          resolve();
        };
      }),
    ];
    // Logging out must not wait for long: two seconds at most.
    return Promise.race([
      Promise.all(steps),
      new Promise(function (resolve) {
        setTimeout(resolve, 2000);
      }),
    ]);
  }

  // Logout: ask when sessions are still waiting to send, then forget this user's data.
  document.addEventListener(
    "submit",
    function (event) {
      var form = event.target;
      if (!user || !form.classList || !form.classList.contains("js-logout")) return;
      if (form.getAttribute("data-forgotten")) return;
      var store = storage();
      var waiting = store ? parseInt(store.getItem("lotse-queued:" + user) || "0", 10) : 0;
      if (waiting > 0 && !window.confirm(script.getAttribute("data-unsent-question") || "")) {
        event.preventDefault();
        event.stopPropagation();
        return;
      }
      event.preventDefault();
      form.setAttribute("data-forgotten", "true");
      forgetUser(user).then(function () {
        form.submit();
      });
    },
    true
  );

  function showConnection() {
    var note = document.getElementById("lotse-offline-note");
    if (navigator.onLine) {
      if (note) note.hidden = true;
      return;
    }
    if (!note) {
      var main = document.getElementById("main");
      if (!main) return;
      note = document.createElement("div");
      note.id = "lotse-offline-note";
      note.className = "alert alert-warning";
      note.setAttribute("role", "status");
      note.textContent = script.getAttribute("data-offline") || "";
      main.insertBefore(note, main.firstChild);
    }
    note.hidden = false;
  }

  window.addEventListener("online", showConnection);
  window.addEventListener("offline", showConnection);
  document.addEventListener("DOMContentLoaded", showConnection);

  if (!user) return;
  deleteCaches(user).catch(function () {});
  if ("serviceWorker" in navigator) {
    var url = script.getAttribute("data-service-worker");
    navigator.serviceWorker.register(url, { scope: "/" }).catch(function () {
      // Without the worker the pages work online as before.
    });
  }
})();
