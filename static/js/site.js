// Read-aloud: reads the nearest [data-read-aloud] block with the browser's own speech synthesis.
// Progressive enhancement: the button stays hidden where the browser cannot speak.
(function () {
  "use strict";
  if (!("speechSynthesis" in window)) { return; }
  var speaking = null;
  function textOf(block) {
    var clone = block.cloneNode(true);
    clone.querySelectorAll("button, [hidden], .question-number").forEach(function (node) { node.remove(); });
    clone.querySelectorAll("img[alt]").forEach(function (img) { img.replaceWith(" " + img.alt + ". "); });
    return clone.textContent.replace(/\s+/g, " ").trim();
  }
  function stop() {
    window.speechSynthesis.cancel();
    if (speaking) { speaking.textContent = speaking.dataset.labelStart; speaking.setAttribute("aria-pressed", "false"); }
    speaking = null;
  }
  document.querySelectorAll("[data-read-aloud-button]").forEach(function (button) {
    button.hidden = false;
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      var wasThis = speaking === button;
      stop();
      if (wasThis) { return; }
      var block = button.closest("[data-read-aloud]");
      var utterance = new SpeechSynthesisUtterance(textOf(block));
      utterance.lang = document.documentElement.lang || "en";
      utterance.rate = 0.9;
      utterance.onend = stop;
      speaking = button;
      button.textContent = button.dataset.labelStop;
      button.setAttribute("aria-pressed", "true");
      window.speechSynthesis.speak(utterance);
    });
  });
})();

// Print buttons (login cards): shown only where JavaScript can open the print dialogue.
(function () {
  "use strict";
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
}());
