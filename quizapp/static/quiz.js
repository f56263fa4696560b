// The attempt page: saves answers as the learner works, keeps a copy of them in this browser for
// when the server cannot take them, keeps the navigator and progress bar up to date, and counts
// down a time limit. Without JavaScript the page works the same, saving on every change of page.
//
// The browser copy lives in localStorage under "quizapp:attempt:<id>":
//   {base: the server's draft version it builds on, dirty: holds answers the server may lack,
//    posted: a page form carrying them was sent, savedAt: when it was written (ISO),
//    positions: {"<pos>": [[name, value], ...]}, flags: {"<pos>": bool}}
(function () {
  "use strict";

  var DEBOUNCE_MS = 700;
  var MAX_RETRY_S = 30;
  var FLUSH_LIMIT_MS = 3000;

  function storageKey(attemptId) {
    return "quizapp:attempt:" + attemptId;
  }

  // Storage can be full or switched off; the server's copy then is all there is.
  function readCopy(attemptId) {
    try {
      return JSON.parse(window.localStorage.getItem(storageKey(attemptId)));
    } catch (e) {
      return null;
    }
  }

  function writeCopy(attemptId, copy) {
    try {
      window.localStorage.setItem(storageKey(attemptId), JSON.stringify(copy));
    } catch (e) { /* see readCopy */ }
  }

  function dropCopy(attemptId) {
    try {
      window.localStorage.removeItem(storageKey(attemptId));
    } catch (e) { /* see readCopy */ }
  }

  function pad(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function clockTime(date, seconds) {
    return pad(date.getHours()) + ":" + pad(date.getMinutes()) + (seconds ? ":" + pad(date.getSeconds()) : "");
  }

  // A result page: the attempt is graded, so nothing this browser kept for it can count now.
  var graded = document.getElementById("graded");
  if (graded) {
    dropCopy(graded.dataset.attempt);
    return;
  }

  // The summary page: once the page form that led here reached the server, the copy is spent.
  var finish = document.getElementById("finish");
  if (finish) {
    var spent = readCopy(finish.dataset.attempt);
    if (spent && (!spent.dirty || (spent.posted && Number(finish.dataset.draftVersion) > spent.base))) {
      dropCopy(finish.dataset.attempt);
    }
    return;
  }

  var form = document.getElementById("quiz");
  if (!form) return;
  var attemptId = form.dataset.attempt;
  var draftUrl = form.dataset.draftUrl;
  var attemptUrl = draftUrl.replace(/\/draft$/, "");
  var status = document.getElementById("save-status");
  var questions = Array.prototype.slice.call(form.querySelectorAll("[data-question]"));
  var onPage = questions.map(function (q) { return q.dataset.position; });
  var navButtons = form.querySelectorAll("[data-nav]");
  var bar = document.getElementById("progress");
  var barText = document.getElementById("progress-text");

  var pagePositions = form.elements.namedItem("positions").value;
  var version = Number(form.dataset.draftVersion);
  var NOTHING = { positions: {}, flags: {} };
  // Answers from a restored copy to questions on other pages, sent with every save until one lands.
  var carried = NOTHING;
  // A copy older than the server's answers, waiting for the learner's choice; left untouched meanwhile.
  var waiting = null;
  var changes = 0;
  var posting = false;
  var debounce = null;
  var retryTimer = null;
  var retryDelay = 0;
  var inFlight = null;
  var again = false;
  var stopped = false;

  function flagName(position) {
    return "flag-q" + position;
  }

  function fieldsOf(question) {
    return Array.prototype.filter.call(question.querySelectorAll("input, select, textarea"), function (el) {
      return el.name && el.name.indexOf("flag-") !== 0;
    });
  }

  function flagBox(question) {
    return question.querySelector('input[name="' + flagName(question.dataset.position) + '"]');
  }

  function isChoice(el) {
    return el.type === "radio" || el.type === "checkbox";
  }

  function pairsOf(question) {
    var pairs = [];
    fieldsOf(question).forEach(function (el) {
      if (isChoice(el) ? el.checked : el.value !== "") pairs.push([el.name, el.value]);
    });
    return pairs;
  }

  function fill(question, pairs) {
    fieldsOf(question).forEach(function (el) {
      var match = pairs.filter(function (p) { return p[0] === el.name && (!isChoice(el) || p[1] === el.value); });
      if (isChoice(el)) el.checked = match.length > 0;
      else el.value = match.length ? match[0][1] : "";
    });
  }

  function answered(question) {
    return fieldsOf(question).some(function (el) {
      return isChoice(el) ? el.checked : el.value.trim() !== "";
    });
  }

  function markNav(position, isAnswered, isFlagged) {
    var button = form.querySelector('[data-nav="' + position + '"]');
    if (!button) return;
    button.classList.toggle("answered", isAnswered);
    button.classList.toggle("flagged", isFlagged);
    var state = button.querySelector(".nav-state");
    var flag = button.querySelector(".nav-flag");
    if (state) state.textContent = isAnswered ? "answered" : "not answered";
    if (flag) flag.textContent = isFlagged ? " · flagged" : "";
  }

  function updateProgress() {
    Object.keys(carried.positions).forEach(function (p) {
      markNav(p, carried.positions[p].some(function (pair) { return pair[1].trim() !== ""; }), !!carried.flags[p]);
    });
    questions.forEach(function (q) {
      var box = flagBox(q);
      markNav(q.dataset.position, answered(q), !!(box && box.checked));
    });
    if (!bar || !barText) return;
    var done = form.querySelectorAll("[data-nav].answered").length;
    bar.value = done;
    barText.textContent = done + " of " + navButtons.length + " answered";
  }

  // Answers to other pages' questions ride in the form as hidden fields, their positions added to
  // the form's list, so that the autosave and the page buttons both send them.
  function carry(away) {
    carried = away;
    var old = form.querySelector("[data-carried]");
    if (old) old.parentNode.removeChild(old);
    var positions = pagePositions ? pagePositions.split(",") : [];
    var holder = document.createElement("div");
    holder.hidden = true;
    holder.setAttribute("data-carried", "");
    function add(name, value) {
      var input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      holder.appendChild(input);
    }
    Object.keys(away.positions).concat(Object.keys(away.flags)).forEach(function (p) {
      if (positions.indexOf(p) >= 0) return;
      positions.push(p);
      (away.positions[p] || []).forEach(function (pair) { add(pair[0], pair[1]); });
      if (away.flags[p]) add(flagName(p), "1");
    });
    form.appendChild(holder);
    form.elements.namedItem("positions").value = positions.join(",");
  }

  // What the copy and the saves carry: this page's fields over the answers carried from other pages.
  function snapshot() {
    var positions = {}, flags = {};
    Object.keys(carried.positions).forEach(function (p) { positions[p] = carried.positions[p]; });
    Object.keys(carried.flags).forEach(function (p) { flags[p] = carried.flags[p]; });
    questions.forEach(function (q) {
      var box = flagBox(q);
      positions[q.dataset.position] = pairsOf(q);
      flags[q.dataset.position] = !!(box && box.checked);
    });
    return { positions: positions, flags: flags };
  }

  function remember(dirty) {
    if (waiting) return;
    var now = snapshot();
    writeCopy(attemptId, {
      base: version, dirty: dirty, posted: dirty && posting, savedAt: new Date().toISOString(),
      positions: now.positions, flags: now.flags
    });
  }

  function setStatus(text, problem, link) {
    status.textContent = text;
    status.classList.toggle("problem", !!problem);
    if (link) {
      var a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      status.appendChild(a);
      status.appendChild(document.createTextNode(link.after));
    }
  }

  function schedule() {
    if (stopped) return;
    window.clearTimeout(debounce);
    debounce = window.setTimeout(save, DEBOUNCE_MS);
  }

  function save() {
    window.clearTimeout(debounce);
    debounce = null;
    if (stopped) return Promise.resolve();
    if (inFlight) {
      again = true;
      return inFlight;
    }
    window.clearTimeout(retryTimer);
    retryTimer = null;
    var body = new FormData(form);
    var sentCarried = carried;
    var sentAt = changes;
    setStatus("Saving…");
    inFlight = fetch(draftUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        answer(response.status, data, sentAt, sentCarried);
      });
    }, retry).then(function () {
      inFlight = null;
      if (again && !stopped) {
        again = false;
        return save();
      }
    });
    return inFlight;
  }

  function answer(code, data, sentAt, sentCarried) {
    if (code === 200 && data.saved) {
      version = data.version;
      form.dataset.draftVersion = String(version);
      retryDelay = 0;
      if (carried !== NOTHING && carried === sentCarried) carry(NOTHING);
      remember(changes !== sentAt);
      if (changes === sentAt) setStatus("All answers saved at " + clockTime(new Date(), true));
    } else if (code === 409) {
      stopped = true;
      dropCopy(attemptId);
      setStatus((data.message || "This attempt takes no more answers.") + " ", true, { href: attemptUrl, text: "Show the attempt", after: "." });
    } else if (code === 401) {
      // The page's CSRF token died with the session: only a fresh page can save again, and it
      // finds the copy this page keeps writing.
      stopped = true;
      setStatus("Not saved — your session ended. ", true, {
        href: data.login_url || form.dataset.loginUrl, text: "Log in", after: " to save them; they are kept in this browser."
      });
    } else if (code >= 500) {
      retry();
    } else {
      stopped = true;
      setStatus("Not saved — reload the page to go on; your answers are kept in this browser.", true);
    }
  }

  function retry() {
    retryDelay = retryDelay ? Math.min(retryDelay * 2, MAX_RETRY_S) : 2;
    setStatus("Not saved — retrying", true);
    window.clearTimeout(retryTimer);
    retryTimer = window.setTimeout(save, retryDelay * 1000);
  }

  // Sends what is waiting, if anything; resolves once the server has answered.
  function flush() {
    if (debounce || retryTimer) return save();
    return inFlight || Promise.resolve();
  }

  function changed() {
    changes++;
    posting = false;
    updateProgress();
    remember(true);
    schedule();
  }

  // Puts a copy's answers into this page's fields, carries the rest, and sends them all.
  function apply(copy) {
    var away = { positions: {}, flags: {} };
    Object.keys(copy.positions || {}).forEach(function (p) {
      var q = questions[onPage.indexOf(p)];
      if (q) fill(q, copy.positions[p]);
      else away.positions[p] = copy.positions[p];
    });
    Object.keys(copy.flags || {}).forEach(function (p) {
      var q = questions[onPage.indexOf(p)];
      var box = q && flagBox(q);
      if (box) box.checked = !!copy.flags[p];
      else if (!q) away.flags[p] = !!copy.flags[p];
    });
    carry(away);
    changes++;
    updateProgress();
    remember(true);
    save();
  }

  function sameAsPage(copy) {
    var now = snapshot();
    var positions = copy.positions || {}, flags = copy.flags || {};
    return Object.keys(positions).concat(Object.keys(flags)).every(function (p) {
      return onPage.indexOf(p) >= 0 &&
        (!(p in positions) || JSON.stringify(positions[p]) === JSON.stringify(now.positions[p])) &&
        (!(p in flags) || !!flags[p] === now.flags[p]);
    });
  }

  function offer(copy) {
    var box = document.getElementById("restore");
    if (!box) return;
    waiting = copy;
    document.getElementById("restore-text").textContent = "This browser holds answers typed at " +
      clockTime(new Date(copy.savedAt), false) + " that differ from the saved ones.";
    box.hidden = false;
    function close(use) {
      box.hidden = true;
      waiting = null;
      if (use) apply(copy);
      else dropCopy(attemptId);
      var first = questions.length && fieldsOf(questions[0])[0];
      if (first) first.focus();
    }
    document.getElementById("restore-use").addEventListener("click", function () { close(true); });
    document.getElementById("restore-drop").addEventListener("click", function () { close(false); });
  }

  function restore() {
    var copy = readCopy(attemptId);
    if (!copy) return;
    if (!copy.dirty || (copy.posted && version > copy.base)) dropCopy(attemptId);
    else if (copy.base === version) apply(copy);
    else if (sameAsPage(copy)) dropCopy(attemptId);
    else offer(copy);
  }

  function countdown(box) {
    var left = document.getElementById("timer-left");
    var announce = document.getElementById("timer-announce");
    var deadline = Date.parse(box.dataset.deadline);
    // The browser's clock may be off; what counts is the time left by the server's.
    var skew = Date.now() - Date.parse(box.dataset.now);
    function remaining() {
      return deadline + skew - Date.now();
    }
    var last = remaining();
    function tick() {
      var ms = remaining();
      var secs = Math.max(0, Math.ceil(ms / 1000));
      var mins = Math.floor(secs / 60);
      left.textContent = secs >= 3600
        ? Math.floor(secs / 3600) + " h " + pad(mins % 60) + " min"
        : mins + ":" + pad(secs % 60);
      // Announced twice only: a live region rewritten every second drowns a screen reader.
      if (last > 60000 && ms <= 60000) announce.textContent = "1 minute left";
      else if (last > 300000 && ms <= 300000) announce.textContent = "5 minutes left";
      last = ms;
      if (ms <= 0) {
        timeUp();
        return;
      }
      window.setTimeout(tick, ms % 1000 || 1000);
    }
    tick();
  }

  // The server grades what it holds once the deadline has passed: hand it the last answers first.
  function timeUp() {
    setStatus("Time is up: submitting your saved answers…");
    Promise.race([
      flush(),
      new Promise(function (resolve) { window.setTimeout(resolve, FLUSH_LIMIT_MS); })
    ]).then(function () {
      stopped = true;
      window.location.assign(attemptUrl);
    });
  }

  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  // Enter in an answer would post the page and reload it (the form's hidden first button); the
  // autosave does the same without losing the learner's place.
  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.tagName === "INPUT") {
      event.preventDefault();
      flush();
    }
  });
  // A page button posts every field itself, the carried ones too; once it reaches the server the copy
  // is spent, which the next page can tell by the version having moved on.
  form.addEventListener("submit", function () {
    window.clearTimeout(debounce);
    debounce = null;
    posting = true;
    var copy = readCopy(attemptId);
    if (copy && copy.dirty && !waiting) {
      copy.posted = true;
      writeCopy(attemptId, copy);
    }
  });
  window.addEventListener("online", function () {
    if (retryTimer) save();
  });

  setStatus("Answers are saved as you go.");
  updateProgress();
  restore();
  var timer = document.getElementById("timer");
  if (timer) countdown(timer);
})();
