/* The service worker of Lotse's installable app, loaded by /sw.js (sessions_log/views/offline.py),
 * which sets self.LOTSE_SW first: the Workbox files, the app shell, the catalogue of the
 * translated strings and the pages it may keep.
 *
 * - The app shell (styles, scripts, icons) is kept when the worker is installed, so that the
 *   log form works without a connection; other static files are kept when first used.
 * - The volunteer's pages (log a session, my sessions) come from the network while there is
 *   one; a copy is kept of each page whose response names its user (the X-Lotse-Offline header,
 *   set only on pages without aliases or personal details), in a cache of that user's own
 *   ("lotse-pages-<user id>"), which the page empties on logout and when another user signs in
 *   (static/js/offline.js).
 *   Without a connection the kept copy is shown.
 * - Nothing else is kept: every other page goes to the network as if there were no worker.
 */
/* global importScripts, workbox */
"use strict";

var config = self.LOTSE_SW;
importScripts(config.workbox);
workbox.setConfig({ modulePathPrefix: config.workboxModules, debug: false });

var PAGES_PREFIX = "lotse-pages-";
var pagePattern = new RegExp(config.pages);

workbox.core.setCacheNameDetails({ prefix: "lotse", suffix: "v1" });
workbox.core.clientsClaim();
self.skipWaiting();

workbox.precaching.cleanupOutdatedCaches();
workbox.precaching.precacheAndRoute(config.shell, { ignoreURLParametersMatching: [/.*/] });

// Other static files (a stylesheet of another language direction, fonts): kept once used.
workbox.routing.registerRoute(
  function (options) {
    return options.url.origin === self.location.origin &&
      options.url.pathname.indexOf(config.static) === 0;
  },
  new workbox.strategies.StaleWhileRevalidate({
    cacheName: "lotse-static",
    plugins: [new workbox.expiration.ExpirationPlugin({ maxEntries: 80 })],
  })
);

// The translated strings of the scripts, in the language of the last page shown.
workbox.routing.registerRoute(
  function (options) {
    return options.url.origin === self.location.origin &&
      options.url.pathname === config.catalog;
  },
  new workbox.strategies.NetworkFirst({ cacheName: "lotse-catalog", networkTimeoutSeconds: 5 })
);

function keptPage(pathname) {
  return caches.keys().then(function (names) {
    var mine = names.filter(function (name) {
      return name.indexOf(PAGES_PREFIX) === 0;
    });
    return mine.reduce(function (found, name) {
      return found.then(function (response) {
        if (response) return response;
        return caches.open(name).then(function (cache) {
          return cache.match(pathname);
        });
      });
    }, Promise.resolve(undefined));
  });
}

workbox.routing.registerRoute(
  function (options) {
    var url = options.url;
    return options.request.mode === "navigate" &&
      url.origin === self.location.origin &&
      pagePattern.test(url.pathname);
  },
  function (options) {
    var request = options.request;
    var pathname = options.url.pathname;
    return fetch(request).then(
      function (response) {
        var user = response.headers.get(config.header);
        if (user && response.ok && response.type === "basic" && !response.redirected) {
          var copy = response.clone();
          options.event.waitUntil(
            caches.open(PAGES_PREFIX + user).then(function (cache) {
              return cache.put(pathname, copy);
            })
          );
        }
        return response;
      },
      function (error) {
        return keptPage(pathname).then(function (response) {
          if (response) return response;
          throw error;
        });
      }
    );
  }
);
