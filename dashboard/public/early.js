/* global window, URLSearchParams, fetch */
// Starts the request a deep-linked comparison needs while the dashboard's code is still arriving:
// a hundred runs take the server a few hundred milliseconds, and the code as long to load and start.
// src/api/early.ts hands the answer to the app when it asks for the same runs in the same project
// (anything else it ignores and asks again). index.html runs this deferred, before the app's module.
(function () {
  "use strict";
  var location = window.location;
  if (location.pathname !== "/compare" || typeof fetch !== "function") return;
  var search = new URLSearchParams(location.search);
  // The router reads each search value as JSON when it parses ("a,b" stays text; "123" was written "\"123\"").
  var value = function (name) {
    var raw = search.get(name);
    if (raw === null) return undefined;
    try {
      var parsed = JSON.parse(raw);
      return typeof parsed === "string" || typeof parsed === "number" ? String(parsed) : undefined;
    } catch {
      return raw;
    }
  };
  var seen = {};
  var runs = (value("runs") || "")
    .split(",")
    .map(function (r) { return r.trim(); })
    .filter(function (r) { return r && !seen[r] && (seen[r] = true); })
    .slice(0, 100);
  if (!runs.length) return;
  var slug = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}\/[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$/;
  var project = value("project");
  if (!project || !slug.test(project)) {
    try {
      project = window.localStorage.getItem("waypost.project");
    } catch {
      project = null;
    }
    if (!project || !slug.test(project)) project = null;
  }
  var headers = project ? { "X-Waypost-Project": project } : {};
  var url = "/api/v1/runs/compare?" + new URLSearchParams({ runs: runs.join(",") }).toString();
  var response = fetch(url, { credentials: "same-origin", headers: headers });
  response.catch(function () {}); // the app asks again itself
  window.__wpEarly = { kind: "compare", key: runs.join(","), project: project, response: response };
})();
