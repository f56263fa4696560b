// Live games: the host's projector screen (#live-host) and a player's phone (#live-play), both
// talking to the server's Socket.IO namespace /live (quizapp/live/events.py) through the vendored
// client (static/vendor/socket.io). The server holds the clock and the truth: a countdown here
// only shows the time the server gave, and a phone learns whether it was right from the server
// once the question has closed. The pages hold no inline script: what this needs is in data-
// attributes.
//
// A player's token (to come back as the same player after a phone sleeps or the page reloads)
// lives in localStorage under "quizapp:live:<pin>", and an open game's nickname under
// "quizapp:live:nickname".
(function () {
  "use strict";

  var SHAPES = ["\u25B2", "\u25C6", "\u25CF", "\u25A0"];
  var SHAPE_NAMES = ["triangle", "diamond", "circle", "square"];

  function byId(id) {
    return document.getElementById(id);
  }

  function show(element, visible) {
    if (element) element.hidden = !visible;
  }

  function say(text) {
    var status = byId("live-status");
    if (status) status.textContent = text;
  }

  // For screen readers only: what the screen already shows in large type (a new question).
  function announce(text) {
    var region = byId("live-announce");
    if (region) region.textContent = text;
  }

  // Storage can be switched off: a player then rejoins by joining again.
  function remember(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, value);
    } catch (e) { /* see above */ }
  }

  function recall(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function make(tag, className, text) {
    var element = document.createElement(tag);
    if (className) element.className = className;
    if (text !== undefined && text !== null) element.textContent = String(text);
    return element;
  }

  // Seconds left until closesAt (ISO), by the server's clock: `offset` is how far the server's
  // clock is ahead of this device's, measured when the question arrived.
  function secondsLeft(closesAt, offset) {
    var left = (Date.parse(closesAt) - (Date.now() + offset)) / 1000;
    return Math.max(0, Math.ceil(left));
  }

  function clockOffset(serverNow) {
    var server = Date.parse(serverNow || "");
    return isNaN(server) ? 0 : server - Date.now();
  }

  function ordinal(n) {
    var tens = n % 100;
    var suffix = tens >= 11 && tens <= 13 ? "th" : ({1: "st", 2: "nd", 3: "rd"}[n % 10] || "th");
    return n + suffix;
  }

  function connect(root) {
    // A WebSocket first, long polling when it fails (a network that blocks WebSockets still plays).
    // A WebSocket stays on the process that accepted it, so several workers behind one port serve
    // it; polling needs every request on one process (docs/deploy.md, "Live games").
    // Where another port of this host serves the connections (`make serve`), to that port, with
    // this host's cookies (the host's login) on polling's requests too.
    var port = root.dataset.socketPort;
    var url = port ? location.protocol + "//" + location.hostname + ":" + port + "/live" : "/live";
    return window.io(url, {
      withCredentials: Boolean(port),
      reconnectionDelayMax: 5000,
      transports: ["websocket", "polling"],
      tryAllTransports: true
    });
  }

  // --- the host's screen --------------------------------------------------------------------------

  function host(root) {
    var gameId = Number(root.dataset.game);
    var stageUrl = root.dataset.stageUrl;
    var socket = connect(root);
    var ticking = null;
    var loading = null;

    function stage() {
      return byId("stage");
    }

    function fail(message) {
      var error = byId("live-error");
      if (error) {
        error.textContent = message;
        error.hidden = false;
      } else {
        say(message);
      }
    }

    function countdown() {
      clearInterval(ticking);
      var current = stage();
      var shown = byId("live-countdown");
      if (!current || !current.dataset.closesAt || !shown) return;
      var offset = clockOffset(current.dataset.now);
      var tick = function () {
        shown.textContent = secondsLeft(current.dataset.closesAt, offset);
      };
      tick();
      ticking = setInterval(tick, 250);
    }

    function settle() {
      var current = stage();
      root.dataset.state = current ? current.dataset.state : "";
      countdown();
      var next = root.querySelector("[data-next]");
      if (next) next.focus({preventScroll: true});
    }

    // The stage is drawn on the server (the chart, the key, the top five): fetched again at each
    // change of state; a second change while one is loading fetches once more after it.
    function refresh() {
      if (loading) {
        loading.again = true;
        return;
      }
      loading = {again: false};
      fetch(stageUrl, {credentials: "same-origin", headers: {Accept: "text/html"}})
        .then(function (response) {
          // Redirected: to the login page, the session having ended; its page is not the stage.
          if (!response.ok || response.redirected) throw new Error("status " + response.status);
          return response.text();
        })
        .then(function (html) {
          byId("live-stage").innerHTML = html;
          settle();
        })
        .catch(function () {
          say("The screen could not be brought up to date (logged out?). Reload the page to go on.");
        })
        .then(function () {
          var again = loading.again;
          loading = null;
          if (again) refresh();
        });
    }

    function addPlayer(player) {
      var list = byId("player-list");
      if (list.querySelector('[data-player="' + player.id + '"]')) return;
      var item = make("li");
      item.dataset.player = player.id;
      item.appendChild(make("span", "live-name", player.nickname));
      item.appendChild(document.createTextNode(" "));
      var kick = make("button", "link live-kick", "Remove");
      kick.type = "button";
      kick.dataset.kick = player.id;
      kick.setAttribute("aria-label", "Remove " + player.nickname + " from the game");
      item.appendChild(kick);
      list.appendChild(item);
    }

    function countPlayers(count) {
      var shown = byId("player-list").children.length;
      byId("player-count").textContent = typeof count === "number" ? count : shown;
      show(byId("no-players"), shown === 0);
    }

    socket.on("connect", function () {
      say("Connected.");
      socket.emit("host_join", {game: gameId}, function (reply) {
        if (!reply || !reply.ok) {
          say((reply && reply.error) || "This game could not be opened.");
          return;
        }
        var current = stage();
        var view = reply.view || {};
        if (!current || String(view.version) !== current.dataset.version) refresh();
      });
    });
    socket.on("disconnect", function () {
      say("Connection lost: reconnecting…");
    });
    socket.on("players", function (data) {
      (data.players || []).forEach(addPlayer);
      (data.kicked || []).forEach(function (id) {
        var item = byId("player-list").querySelector('[data-player="' + id + '"]');
        if (item) item.remove();
      });
      countPlayers(data.count);
    });
    socket.on("answers", function (data) {
      var current = stage();
      if (!current || Number(current.dataset.position) !== data.position) return;
      var answered = byId("live-answered");
      var total = byId("live-total");
      if (answered) answered.textContent = data.answered;
      if (total) total.textContent = data.total;
    });
    ["question", "closed", "reveal", "podium", "finished", "state"].forEach(function (name) {
      socket.on(name, refresh);
    });

    root.addEventListener("click", function (event) {
      var next = event.target.closest("[data-next]");
      if (next) {
        next.disabled = true;
        var current = stage();
        socket.emit("host_next", {game: gameId, version: Number(current.dataset.version)}, function (reply) {
          next.disabled = false;
          if (!reply || !reply.ok) fail((reply && reply.error) || "The game could not move on. Reload the page.");
          refresh();
        });
        return;
      }
      var end = event.target.closest("[data-end]");
      if (end) {
        if (!window.confirm(end.dataset.confirm)) return;
        end.disabled = true;
        socket.emit("host_end", {game: gameId, version: Number(stage().dataset.version)}, function (reply) {
          end.disabled = false;
          if (!reply || !reply.ok) fail((reply && reply.error) || "The game could not be ended. Reload the page.");
          refresh();
        });
        return;
      }
      var kick = event.target.closest("[data-kick]");
      if (kick) {
        var name = kick.closest("li").querySelector(".live-name").textContent;
        if (!window.confirm("Remove " + name + " from the game? Their phone leaves the game and cannot join it again.")) return;
        socket.emit("host_kick", {game: gameId, player: Number(kick.dataset.kick)}, function (reply) {
          if (!reply || !reply.ok) {
            fail((reply && reply.error) || "The player could not be removed.");
            return;
          }
          kick.closest("li").remove();
          countPlayers();
        });
      }
    });
    settle();
  }

  // --- a player's phone ---------------------------------------------------------------------------

  function player(root) {
    var pin = root.dataset.pin;
    var classGame = root.dataset.classGame === "yes";
    var tokenKey = "quizapp:live:" + pin;
    var nicknameKey = "quizapp:live:nickname";
    var socket = connect(root);
    var token = recall(tokenKey);
    var position = null;
    var last = null;
    var ticking = null;
    var over = false;
    var form = byId("live-nickname");
    var sections = ["live-nickname", "live-wait", "live-question", "live-result", "live-over"];

    function only(id) {
      sections.forEach(function (name) {
        show(byId(name), name === id);
      });
    }

    function welcome(nickname) {
      if (nickname) byId("wait-name").textContent = ", " + nickname;
    }

    function finish(text) {
      over = true;
      clearInterval(ticking);
      byId("over-text").textContent = text;
      only("live-over");
      say("The game is over.");
    }

    // What the server says this phone shows now: on joining, on rejoining after a drop.
    function showView(view) {
      view = view || {};
      welcome(view.nickname);
      var state = view.state;
      if (state === "question" && view.question && !view.answered) {
        renderQuestion(view.question);
      } else if (state === "question") {
        position = view.question ? view.question.position : position;
        waitForOthers();
      } else if ((state === "reveal" || state === "podium") && view.result) {
        renderResult(view.result);
      } else if (state === "podium" || state === "finished") {
        finish(standing(view));
      } else {
        only("live-wait");
        say("You're in. Wait for the host to start.");
      }
    }

    function standing(view) {
      if (typeof view.rank === "number" && view.rank > 0) {
        return "You finished " + ordinal(view.rank) + " with " + (view.score || 0) + " points.";
      }
      return "Thanks for playing.";
    }

    function joined(reply) {
      if (reply.token) {
        token = reply.token;
        remember(tokenKey, token);
      }
      say("You're in.");
      showView(reply.view);
    }

    function join(nickname) {
      var data = {pin: pin};
      if (nickname !== undefined) data.nickname = nickname;
      socket.emit("join", data, function (reply) {
        if (reply && reply.ok) {
          if (nickname !== undefined) remember(nicknameKey, nickname);
          joined(reply);
          return;
        }
        var message = (reply && reply.error) || "You could not join. Try again.";
        if (form) {
          nicknameError(message);
        } else {
          say(message);
        }
      });
    }

    function nicknameError(message) {
      var input = byId("nickname");
      var error = byId("nickname-error");
      error.textContent = message;
      error.hidden = !message;
      if (message) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", "nickname-help nickname-error");
        input.focus();
      } else {
        input.removeAttribute("aria-invalid");
        input.setAttribute("aria-describedby", "nickname-help");
      }
    }

    function askToJoin() {
      if (classGame) {
        join();
        return;
      }
      only("live-nickname");
      var input = byId("nickname");
      if (!input.value) input.value = recall(nicknameKey) || "";
      say("Choose a nickname to join.");
      input.focus();
    }

    if (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var nickname = byId("nickname").value.trim();
        if (!nickname) {
          nicknameError("Type a nickname: it is how the big screen shows you.");
          return;
        }
        nicknameError("");
        join(nickname);
      });
    }

    function countdown(question) {
      clearInterval(ticking);
      var shown = byId("live-timer");
      if (!question.closes_at) {
        shown.textContent = "";
        return;
      }
      var offset = clockOffset(question.server_time);
      var tick = function () {
        var left = secondsLeft(question.closes_at, offset);
        shown.textContent = left + " s";
        if (left === 0) clearInterval(ticking);
      };
      tick();
      ticking = setInterval(tick, 250);
    }

    function answerButton(index, label) {
      var button = make("button", "live-answer live-shape-" + (index % 4));
      button.type = "button";
      var shape = make("span", "live-shape", SHAPES[index % 4]);
      shape.setAttribute("aria-hidden", "true");
      button.appendChild(shape);
      button.appendChild(make("span", "live-answer-text", label));
      button.setAttribute("aria-label", label + " (" + SHAPE_NAMES[index % 4] + ")");
      return button;
    }

    function typedAnswer(place, numeric, unit) {
      var box = make("form", "live-typed");
      box.noValidate = true;
      var label = make("label", "", numeric ? "Your answer (a number" + (unit ? ", in " + unit : "") + ")" : "Your answer");
      label.htmlFor = "live-typed";
      var input = make("input");
      input.type = "text";
      input.id = "live-typed";
      input.autocomplete = "off";
      input.maxLength = 500;
      if (numeric) input.inputMode = "decimal";
      var send = make("button", "primary", "Send answer");
      send.type = "submit";
      var error = make("p", "error");
      error.id = "live-typed-error";
      error.hidden = true;
      box.appendChild(label);
      box.appendChild(input);
      box.appendChild(send);
      box.appendChild(error);
      box.addEventListener("submit", function (event) {
        event.preventDefault();
        var value = input.value.trim();
        if (!value) {
          error.textContent = "Type an answer first.";
          error.hidden = false;
          input.setAttribute("aria-invalid", "true");
          input.setAttribute("aria-describedby", "live-typed-error");
          input.focus();
          return;
        }
        sendAnswer(value);
      });
      place.appendChild(box);
      return input;
    }

    function renderQuestion(question) {
      if (over) return;
      position = question.position;
      byId("question-heading").textContent = "Question " + (question.position + 1) + " of " + question.total;
      byId("live-prompt").textContent = question.prompt;
      var place = byId("live-answers");
      place.textContent = "";
      var first = null;
      if (question.type === "single" || question.type === "true_false") {
        var labels = question.choices || ["True", "False"];
        var grid = make("div", "live-grid");
        labels.forEach(function (label, i) {
          var button = answerButton(i, label);
          button.addEventListener("click", function () {
            sendAnswer(question.type === "true_false" ? i === 0 : i);
          });
          grid.appendChild(button);
          first = first || button;
        });
        place.appendChild(grid);
      } else if (question.type === "multi") {
        var picks = make("div", "live-grid");
        question.choices.forEach(function (label, i) {
          var button = answerButton(i, label);
          button.setAttribute("aria-pressed", "false");
          button.addEventListener("click", function () {
            button.setAttribute("aria-pressed", button.getAttribute("aria-pressed") === "true" ? "false" : "true");
          });
          picks.appendChild(button);
          first = first || button;
        });
        var hint = make("p", "meta", "Pick every right answer, then send.");
        var send = make("button", "primary live-send", "Send answer");
        send.type = "button";
        var error = make("p", "error");
        error.hidden = true;
        error.setAttribute("role", "alert");
        send.addEventListener("click", function () {
          var chosen = [];
          picks.querySelectorAll("button").forEach(function (button, i) {
            if (button.getAttribute("aria-pressed") === "true") chosen.push(i);
          });
          if (!chosen.length) {
            error.textContent = "Pick at least one answer first.";
            error.hidden = false;
            return;
          }
          sendAnswer(chosen);
        });
        place.appendChild(hint);
        place.appendChild(picks);
        place.appendChild(send);
        place.appendChild(error);
      } else {
        first = typedAnswer(place, question.type === "numeric", question.unit);
      }
      only("live-question");
      say("Answer before the time runs out.");
      announce("Question " + (question.position + 1) + ": " + question.prompt);
      countdown(question);
      if (first) first.focus({preventScroll: true});
    }

    function waitForOthers() {
      clearInterval(ticking);
      only("live-result");
      byId("live-outcome").textContent = "Answer sent";
      byId("live-points").textContent = "Wait for the others: the right answer comes when time is up.";
      byId("live-rank").textContent = "";
      say("Answer sent.");
    }

    function sendAnswer(answer) {
      var buttons = byId("live-answers").querySelectorAll("button, input");
      buttons.forEach(function (element) {
        element.disabled = true;
      });
      socket.emit("answer", {token: token, position: position, answer: answer}, function (reply) {
        if (reply && reply.ok) {
          waitForOthers();
          return;
        }
        if (reply && reply.error === "late") {
          clearInterval(ticking);
          only("live-result");
          byId("live-outcome").textContent = "Too late";
          byId("live-points").textContent = reply.message || "Time was up for this question.";
          byId("live-rank").textContent = "";
          return;
        }
        buttons.forEach(function (element) {
          element.disabled = false;
        });
        say((reply && (reply.message || reply.error)) || "Your answer did not arrive. Try again.");
      });
    }

    var OUTCOMES = {
      correct: "\u2713 Correct",
      partial: "\u25D0 Partly right",
      wrong: "\u2717 Wrong",
      late: "\u23F1 Too late",
    };

    function renderResult(result) {
      if (over) return;
      last = result;
      clearInterval(ticking);
      var outcome = result.outcome;
      byId("live-result").dataset.outcome = outcome || "none";
      byId("live-outcome").textContent = OUTCOMES[outcome] || "No answer";
      var points = result.points || 0;
      byId("live-points").textContent =
        "+" + points + " point" + (points === 1 ? "" : "s") + " · " + (result.score || 0) + " in all" +
        (result.streak > 1 ? " · " + result.streak + " right in a row" : "");
      byId("live-rank").textContent = result.rank ? "You are " + ordinal(result.rank) : "";
      only("live-result");
      // A region that was hidden is not always read out as it appears: the same words, said once.
      announce([byId("live-outcome").textContent, byId("live-points").textContent, byId("live-rank").textContent].join(". "));
    }

    socket.on("connect", function () {
      if (over) return;
      if (!token) {
        askToJoin();
        return;
      }
      socket.emit("rejoin", {token: token}, function (reply) {
        if (reply && reply.ok) {
          say("You're back in the game.");
          showView(reply.view);
          return;
        }
        token = null;
        remember(tokenKey, null);
        askToJoin();
      });
    });
    socket.on("disconnect", function () {
      if (!over) say("Connection lost: reconnecting…");
    });
    socket.on("question", renderQuestion);
    socket.on("closed", function (data) {
      if (data.position === position && !byId("live-question").hidden) {
        clearInterval(ticking);
        byId("live-answers").querySelectorAll("button, input").forEach(function (element) {
          element.disabled = true;
        });
        say("Time's up.");
      }
    });
    socket.on("result", renderResult);
    socket.on("podium", function () {
      finish((last ? standing(last) + " " : "") + "The podium is on the big screen.");
    });
    socket.on("finished", function () {
      if (!over) finish("Thanks for playing.");
    });
    socket.on("kicked", function () {
      remember(tokenKey, null);
      token = null;
      socket.disconnect();
      finish("The host removed you from this game.");
    });
  }

  var hostRoot = byId("live-host");
  var playRoot = byId("live-play");
  if (!window.io) {
    say("The live game's script could not load. Reload the page.");
    return;
  }
  say("Connecting…");
  if (hostRoot) host(hostRoot);
  if (playRoot) player(playRoot);
})();
