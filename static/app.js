// LayerLab's terminal behaviour: history (Up/Down), Tab completion, the article's buttons that fill
// the prompt, focus and scrolling. Forms and htmx do the rest; the page works without this file.
(function () {
  "use strict";

  var history = [];
  var position = 0;     // index into history; history.length means "the line being typed"
  var draft = "";       // what was typed before browsing history
  var historyFrom = null; // the #transcript element whose data-history was read
  var counted = typeof WeakSet === "function" ? new WeakSet() : null;   // entries already in `history`
  var SHOWN = 200;      // entries kept on screen (the server draws at most this many)

  function $(id) { return document.getElementById(id); }

  function entries() { return document.querySelectorAll("#transcript .entry"); }

  function addToHistory(command) {
    // as the server's list: no blank lines, no immediate repeats (bash's ignoredups)
    if (command.trim() && history[history.length - 1] !== command) { history.push(command); }
  }

  // The whole transcript (page load, clear, reset…) carries the history in data-history, an undo's
  // answer in #history-update (it only takes entries away); after an ordinary command only the new
  // entry arrives, and its data-command joins the history here.
  function loadHistory() {
    var transcript = $("transcript");
    var list = entries();
    var update = $("history-update");
    if (transcript !== historyFrom || !counted || update) {
      var source = update || transcript;
      try { history = JSON.parse(source.dataset.history || "[]"); } catch (e) { history = []; }
      if (update) { update.remove(); }
      historyFrom = transcript;
      if (counted) { list.forEach(function (entry) { counted.add(entry); }); }
    } else {
      list.forEach(function (entry) {
        if (!counted.has(entry)) { counted.add(entry); addToHistory(entry.dataset.command || ""); }
      });
      for (var i = 0; i < list.length - SHOWN; i++) { list[i].remove(); }
    }
    position = history.length;
    draft = "";
    // inside a container's shell (docker run -it …) the prompt is that shell's: the last entry says which
    var last = list[list.length - 1], sign = document.querySelector("#prompt .prompt-sign");
    var next = last && last.querySelector(".prompt-sign[data-next]");
    if (next && sign) { sign.textContent = next.dataset.next || "$"; }
  }

  function scrollToBottom() {
    var screen = $("terminal-screen");
    if (screen) { screen.scrollTop = screen.scrollHeight; }
  }

  function setInput(value) {
    var input = $("command-input");
    input.value = value;
    input.focus();
    input.setSelectionRange(value.length, value.length);
  }

  function showCompletions(words) {
    var box = $("completions");
    box.textContent = "";
    words.forEach(function (word) {
      var span = document.createElement("span");
      span.className = "completion";
      span.textContent = word;
      box.appendChild(span);
    });
    scrollToBottom();
  }

  function commonPrefix(words) {
    return words.reduce(function (prefix, word) {
      var i = 0;
      while (i < prefix.length && i < word.length && prefix[i] === word[i]) { i++; }
      return prefix.slice(0, i);
    });
  }

  // The engine returns candidates for the last word before the cursor; complete that word as
  // far as all candidates agree, like bash, and list them when there is more than one.
  function complete(input) {
    var cursor = input.selectionStart;
    var before = input.value.slice(0, cursor);
    var after = input.value.slice(cursor);
    var url = input.dataset.completeUrl + "?line=" + encodeURIComponent(before);
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { candidates: [] }; })
      .then(function (answer) {
        var words = answer.candidates || [];
        if (!words.length || input.value.slice(0, cursor) !== before) { return; }
        var partial = before.match(/\S*$/)[0];
        var start = before.slice(0, before.length - partial.length);
        var completed = words.length === 1 ? words[0] + " " : commonPrefix(words);
        if (completed.length < partial.length) { completed = partial; }
        input.value = start + completed + after;
        var caret = (start + completed).length;
        input.setSelectionRange(caret, caret);
        showCompletions(words.length > 1 ? words : []);
      })
      .catch(function () { /* completion is a convenience: ignore network errors */ });
  }

  // Candidates are looked up while typing, so that Tab knows at once whether it completes.
  var escaped = false;
  var looked = { line: null, count: -1 };   // count -1: not known yet
  var lookupTimer = null;

  function known(input) {
    var before = input.value.slice(0, input.selectionStart);
    return looked.line === before ? looked.count : -1;
  }

  function lookUp(input) {
    var before = input.value.slice(0, input.selectionStart);
    if (!before.trim() || looked.line === before) { return; }
    fetch(input.dataset.completeUrl + "?line=" + encodeURIComponent(before),
          { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { candidates: [] }; })
      .then(function (answer) { looked = { line: before, count: (answer.candidates || []).length }; })
      .catch(function () { /* unknown: Tab still tries */ });
  }

  function errorMessage(status) {
    if (status === 400 || status === 403) { return "This page is out of date (" + status + "). Reload it and try again."; }
    if (status === 413) { return "That is too large for LayerLab (413)."; }
    if (status === 429) { return "Too many new sandboxes from your address (429). Wait a minute and try again."; }
    return "LayerLab could not do that (" + status + "). Nothing was changed.";
  }

  function onKeydown(event) {
    var input = event.target;
    if (event.key === "ArrowUp" && position > 0) {
      if (position === history.length) { draft = input.value; }
      position -= 1;
      setInput(history[position]);
      event.preventDefault();
    } else if (event.key === "ArrowDown" && position < history.length) {
      position += 1;
      setInput(position === history.length ? draft : history[position]);
      event.preventDefault();
    } else if (event.key === "Tab" && !event.shiftKey && !event.altKey && !event.ctrlKey) {
      // Tab completes only while the prompt holds text that has candidates; on an empty prompt,
      // after Esc, or with nothing to complete, Tab moves the focus on (no keyboard trap).
      if (escaped || !input.value.trim() || known(input) === 0) { escaped = false; showCompletions([]); return; }
      event.preventDefault();
      complete(input);
    } else if (event.key === "Escape") {
      escaped = true;
      showCompletions([]);
    } else if (event.key !== "Shift") {
      escaped = false;
      showCompletions([]);
    }
  }

  function onClick(event) {
    var chip = event.target.closest("[data-fill]");
    if (!chip) { return; }
    event.preventDefault();
    setInput(chip.dataset.fill);
  }

  document.addEventListener("DOMContentLoaded", function () {
    var input = $("command-input");
    if (!input) { return; }
    loadHistory();
    scrollToBottom();
    input.addEventListener("keydown", onKeydown);
    input.addEventListener("input", function () {
      clearTimeout(lookupTimer);
      lookupTimer = setTimeout(function () { lookUp(input); }, 150);
    });
    document.addEventListener("click", onClick);
    $("terminal-screen").addEventListener("click", function () {
      if (!window.getSelection().toString()) { input.focus(); }
    });

    // Commands typed while an earlier one is still running are queued by htmx (hx-sync), which
    // reads the form only when it sends. So take the line at Enter, clear the prompt for the next
    // one, and hand each request its own line in order.
    var pending = [];
    document.addEventListener("submit", function (event) {
      if (event.target !== $("prompt") || !window.htmx) { return; }
      pending.push(input.value);
      input.value = "";
      showCompletions([]);
    }, true);
    document.body.addEventListener("htmx:configRequest", function (event) {
      if (event.detail.elt === $("prompt") && pending.length) {
        event.detail.parameters.command = pending.shift();
      }
    });
    // htmx swaps nothing on an error answer; say what happened instead of staying silent.
    document.body.addEventListener("htmx:responseError", function (event) {
      showCompletions([errorMessage(event.detail.xhr.status)]);
    });
    document.body.addEventListener("htmx:sendError", function () {
      showCompletions(["LayerLab did not answer. Check the connection and try again."]);
    });
    // The swap is done when htmx reports the request finished: pick up the new history and scroll.
    document.body.addEventListener("htmx:afterRequest", function () {
      loadHistory();
      scrollToBottom();
      input.focus();
    });
  });
})();
