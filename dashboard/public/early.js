/* global window, URLSearchParams, fetch */
// Starts the slow reads a deep link needs while the dashboard's code is still arriving (a few
// hundred milliseconds on a small machine): a comparison of up to a hundred runs, and a run's
// record and graph (10,000 steps take the server a few hundred milliseconds too).
// src/api/early.ts hands each answer to the app once, when it asks for the same thing in the same
// project; anything else it ignores and asks again. index.html loads this async, before the app.
(function () {
  "use strict";
  var location = window.location;
  // The app's code can run first (from the browser's cache, while this file is revalidated): it then
  // reads for itself, and asking here as well would only make the server answer twice.
  if (typeof fetch !== "function" || window.__wpAppStarted) return;
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
  var early = {};
  var ask = function (kind, key, url) {
    var response = fetch(url, { credentials: "same-origin", headers: headers });
    response.catch(function () {}); // the app asks again itself
    early[kind + " " + key] = { project: project, response: response };
  };

  if (location.pathname === "/compare") {
    var seen = {};
    var runs = (value("runs") || "")
      .split(",")
      .map(function (r) { return r.trim(); })
      .filter(function (r) { return r && !seen[r] && (seen[r] = true); })
      .slice(0, 100);
    if (runs.length) ask("compare", runs.join(","), "/api/v1/runs/compare?" + new URLSearchParams({ runs: runs.join(",") }));
  } else {
    var match = /^\/runs\/([^/]+)\/?$/.exec(location.pathname);
    var run;
    try {
      run = match ? decodeURIComponent(match[1]) : undefined; // the router's param, decoded
    } catch {
      run = undefined;
    }
    if (run) {
      var path = "/api/v1/runs/" + encodeURIComponent(run);
      ask("run", run, path);
      ask("graph", run, path + "/graph");
    }
  }
  window.__wpEarly = early;
})();
