/* Stall tablet: poll the queue, chime until the owner taps, keep forms usable without JS.
   State is exposed as window.stallTablet (and body[data-chiming]) so it can be checked. */
(function () {
  "use strict";
  var root = document.getElementById("stall-queue");
  if (!root) { return; }
  var POLL_MS = 5000, CHIME_EVERY_MS = 4000, REDRAW_EVERY_MS = 60000;
  var banner = document.getElementById("new-order-banner");
  var newCount = document.getElementById("new-count");
  var ackForm = document.getElementById("ack-form");
  var soundButton = document.getElementById("sound-button");
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var audio = new Audio(root.dataset.chimeUrl);
  var state = window.stallTablet = {
    version: root.dataset.version, unacknowledged: parseInt(root.dataset.unacknowledged, 10) || 0,
    chiming: false, chimesPlayed: 0, audioBlocked: false, polls: 0, lastDraw: Date.now()
  };
  var chimeTimer = null;

  function playChime() {
    state.chimesPlayed += 1;
    try {
      audio.currentTime = 0;
      var played = audio.play();
      if (played && played.catch) {
        played.then(function () { state.audioBlocked = false; soundButton.hidden = true; })
              .catch(function () { state.audioBlocked = true; soundButton.hidden = false; });
      }
    } catch (e) { state.audioBlocked = true; soundButton.hidden = false; }
  }

  function setChiming(on) {
    state.chiming = on;
    document.body.dataset.chiming = on ? "true" : "false";
    banner.hidden = !on;
    if (on && !chimeTimer) { playChime(); chimeTimer = setInterval(playChime, CHIME_EVERY_MS); }
    if (!on && chimeTimer) { clearInterval(chimeTimer); chimeTimer = null; }
  }

  function interacting() {
    // Never redraw under the owner's fingers: an open panel or a focused input keeps the screen.
    var active = document.activeElement;
    return !!root.querySelector("details[open]") ||
      (active && root.contains(active) && (active.tagName === "INPUT" || active.tagName === "SELECT"));
  }

  function apply(data) {
    state.unacknowledged = data.unacknowledged;
    newCount.textContent = data.unacknowledged;
    var stale = data.version !== state.version || Date.now() - state.lastDraw > REDRAW_EVERY_MS;
    if (stale && !interacting()) {
      root.innerHTML = data.html;
      state.version = data.version;
      state.lastDraw = Date.now();
    }
    setChiming(data.unacknowledged > 0);
  }

  function poll() {
    fetch(root.dataset.feedUrl, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (response.redirected || response.status === 401 || response.status === 403) {
          window.location.href = root.dataset.loginUrl;  // signed out: back to the PIN screen
          return null;
        }
        return response.ok ? response.json() : null;
      })
      .then(function (data) { state.polls += 1; if (data) { apply(data); } })
      .catch(function () { /* network hiccup: the next poll tries again */ });
  }

  ackForm.addEventListener("submit", function (event) {
    event.preventDefault();
    setChiming(false);  // the tap itself stops the sound at once
    audio.pause();
    fetch(root.dataset.ackUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrf }
    }).then(poll, poll);
  });

  soundButton.addEventListener("click", function () {
    // A tap is the user gesture the browser wants before it plays sound.
    audio.play().then(function () { audio.pause(); state.audioBlocked = false; soundButton.hidden = true; },
                      function () {});
  });

  root.addEventListener("click", function (event) {
    var button = event.target.closest(".soldout-button");
    if (button) {
      var input = document.getElementById(button.dataset.target);
      if (input) { input.value = 0; }
    }
  });

  setChiming(state.unacknowledged > 0);
  setInterval(poll, POLL_MS);
}());
