// Booth console: live status (polls /api/status once a second) and delete confirmations.
"use strict";
(function () {
  function text(el, v) { if (el) { el.textContent = (v === null || v === undefined) ? "-" : String(v); } }
  function dur(s) {
    if (s === null || s === undefined) { return "-"; }
    s = Math.floor(s);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return s >= 3600 ? Math.floor(s / 3600) + "h " + pad(Math.floor(s % 3600 / 60)) + "m"
                     : Math.floor(s / 60) + "m " + pad(s % 60) + "s";
  }
  function render(s) {
    var set = function (key, v) { text(document.querySelector('[data-key="' + key + '"]'), v); };
    set("state", s.state ? s.state.replace("_", " ") : s.state); set("camera_fps", s.camera_fps); set("analysis_fps", s.analysis_fps);
    set("latency_ms_p50", s.latency_ms_p50); set("disk_free_mb", s.disk_free_mb);
    set("outbox", s.outbox ? s.outbox.pending : "off");
    set("sessions", s.counters ? s.counters.sessions : null);
    set("captures", s.counters ? s.counters.captures : null);
    set("uptime", dur(s.uptime_s)); set("printer", s.printer ? s.printer.summary : "off");
    text(document.getElementById("ctl-state"), s.state);
    var pause = document.getElementById("pause"), resume = document.getElementById("resume");
    if (pause && resume) { pause.disabled = !!s.paused; resume.disabled = !s.paused; }
    var lights = document.getElementById("lights");
    if (lights && s.lights) {
      lights.replaceChildren();
      Object.keys(s.lights).sort().forEach(function (k) {
        var row = document.createElement("div"); row.className = "bar";
        var name = document.createElement("span"); name.textContent = k;
        var m = document.createElement("meter"); m.min = 0; m.max = 1; m.value = s.lights[k];
        var v = document.createElement("span"); v.textContent = Number(s.lights[k]).toFixed(2);
        row.append(name, m, v); lights.append(row);
      });
    }
    var errors = document.getElementById("errors");
    if (errors && s.errors) {
      errors.replaceChildren();
      if (!s.errors.length) { var li0 = document.createElement("li"); li0.className = "small"; li0.textContent = "none"; errors.append(li0); }
      s.errors.forEach(function (x) {
        var li = document.createElement("li"); li.className = x.level;
        var t = document.createElement("time"); t.textContent = x.t;
        li.append(t, " " + x.message); errors.append(li);
      });
    }
    text(document.getElementById("updated"), new Date().toLocaleTimeString());
  }
  function poll() {
    fetch("/api/status", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { if (r.status === 401) { window.location = "/login"; return null; } return r.json(); })
      .then(function (s) { if (s) { render(s); } })
      .catch(function () { text(document.getElementById("updated"), "booth not answering"); });
  }
  document.addEventListener("DOMContentLoaded", function () {
    if (document.querySelector("[data-live]") || document.getElementById("ctl-state")) {
      poll(); window.setInterval(poll, 1000);
    }
    document.querySelectorAll("form[data-confirm]").forEach(function (f) {
      f.addEventListener("submit", function (ev) { if (!window.confirm(f.dataset.confirm)) { ev.preventDefault(); } });
    });
  });
})();
