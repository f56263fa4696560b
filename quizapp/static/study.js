// Keyboard study: Space or Enter shows the answer, 1-4 rate it. The page works the same with
// plain links and buttons when JavaScript is off.
(function () {
  "use strict";
  var card = document.getElementById("flashcard");
  if (card) card.focus({ preventScroll: true });
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey) return;
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) return;
    var reveal = document.getElementById("reveal");
    if (reveal && (event.key === " " || event.key === "Enter")) {
      if (target && target.tagName === "A" && target !== reveal) return;
      event.preventDefault();
      reveal.click();
      return;
    }
    var button = document.querySelector('.ratings button[data-key="' + event.key + '"]');
    if (button) {
      event.preventDefault();
      button.click();
    }
  });
})();
