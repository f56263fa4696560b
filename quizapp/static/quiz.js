// Counts answered questions as the learner works; the form works the same without it.
(function () {
  "use strict";
  var form = document.getElementById("quiz");
  var bar = document.getElementById("progress");
  var text = document.getElementById("progress-text");
  if (!form || !bar || !text) return;
  var questions = form.querySelectorAll("[data-question]");

  function answered(fieldset) {
    var inputs = fieldset.querySelectorAll("input, select");
    for (var i = 0; i < inputs.length; i++) {
      var el = inputs[i];
      if ((el.type === "radio" || el.type === "checkbox") ? el.checked : el.value.trim() !== "") return true;
    }
    return false;
  }

  function update() {
    var done = 0;
    questions.forEach(function (q) { if (answered(q)) done++; });
    bar.value = done;
    text.textContent = done + " of " + questions.length + " answered";
  }

  // Ask before grading a quiz with questions left blank; without JavaScript it is graded as sent.
  form.addEventListener("submit", function (event) {
    var blank = 0;
    questions.forEach(function (q) { if (!answered(q)) blank++; });
    if (blank && !window.confirm(blank + " question" + (blank > 1 ? "s are" : " is") +
        " not answered and will score zero. Submit anyway?")) {
      event.preventDefault();
    }
  });

  form.addEventListener("input", update);
  form.addEventListener("change", update);
  update();
})();
