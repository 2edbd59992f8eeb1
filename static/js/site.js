// The language of an element's words (its nearest lang attribute: an English lesson not yet translated
// carries lang="en" inside an Urdu page), and the device's best voice for that language, or null.
function readAloudLanguage(element) {
  "use strict";
  var marked = element && element.closest ? element.closest("[lang]") : null;
  return ((marked && marked.getAttribute("lang")) || document.documentElement.lang || "en").toLowerCase();
}
function readAloudVoice(lang) {
  "use strict";
  if (!("speechSynthesis" in window)) { return null; }
  function langOf(voice) { return String(voice.lang || "").toLowerCase().replace("_", "-"); }
  var same = window.speechSynthesis.getVoices().filter(function (voice) {
    return langOf(voice).split("-")[0] === lang.split("-")[0];
  });
  return same.filter(function (voice) { return langOf(voice) === lang; })[0] ||
    same.filter(function (voice) { return voice.default; })[0] || same[0] || null;
}

// Read-aloud: reads the nearest [data-read-aloud] block with the browser's own speech synthesis, in the
// page's language. Progressive enhancement: the button stays hidden where the device has no voice for it.
(function () {
  "use strict";
  if (!("speechSynthesis" in window)) { return; }
  var speaking = null;
  var buttons = document.querySelectorAll("[data-read-aloud-button]");
  // A block's words are in the language of its first marked part (a lesson shown in English on an Urdu
  // page marks its title and text lang="en"), else the page's.
  function blockLanguage(block) { return readAloudLanguage(block.querySelector("[lang]") || block); }
  function showButtons() {
    buttons.forEach(function (button) {
      button.hidden = !readAloudVoice(blockLanguage(button.closest("[data-read-aloud]")));
    });
  }
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
  showButtons();
  if (window.speechSynthesis.addEventListener) { window.speechSynthesis.addEventListener("voiceschanged", showButtons); }
  buttons.forEach(function (button) {
    button.setAttribute("aria-pressed", "false");
    button.addEventListener("click", function () {
      var wasThis = speaking === button;
      stop();
      if (wasThis) { return; }
      var block = button.closest("[data-read-aloud]");
      var utterance = new SpeechSynthesisUtterance(textOf(block));
      var lang = blockLanguage(block);
      var voice = readAloudVoice(lang);
      utterance.lang = lang;
      if (voice) { utterance.voice = voice; }
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

// Board mode: one section at a time, moved with the large buttons or the arrow keys; a full-screen button.
// Without JavaScript every section shows and the buttons lead to the neighbouring board pages.
(function () {
  "use strict";
  var board = document.querySelector("[data-board]");
  if (!board) { return; }
  var sections = Array.prototype.slice.call(board.querySelectorAll("[data-board-section]"));
  var previous = document.querySelector("[data-board-previous]");
  var next = document.querySelector("[data-board-next]");
  var nextLabel = document.querySelector("[data-board-next-label]");
  var counter = document.querySelector("[data-board-counter]");
  var current = window.location.hash === "#end" ? sections.length - 1 : 0;
  document.body.classList.add("js-board");

  function show(index) {
    current = Math.max(0, Math.min(index, sections.length - 1));
    sections.forEach(function (section, i) { section.hidden = i !== current; });
    counter.textContent = counter.dataset.template
      .replace("{number}", String(current + 1)).replace("{total}", String(sections.length));
    nextLabel.textContent = current < sections.length - 1 ? next.dataset.partLabel : next.dataset.lastLabel;
    previous.hidden = current === 0 && previous.hasAttribute("data-first");
    window.scrollTo(0, 0);
  }
  function forward(event) {
    if (current < sections.length - 1) { if (event) { event.preventDefault(); } show(current + 1); return true; }
    return false;
  }
  function back(event) {
    if (current > 0) { if (event) { event.preventDefault(); } show(current - 1); return true; }
    return false;
  }
  next.addEventListener("click", forward);
  previous.addEventListener("click", back);
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || /^(INPUT|TEXTAREA|SELECT)$/.test(event.target.tagName)) { return; }
    if (event.key === "ArrowRight" || event.key === "PageDown") {
      if (!forward(event)) { event.preventDefault(); window.location.href = next.href; }
    } else if (event.key === "ArrowLeft" || event.key === "PageUp") {
      if (!back(event) && !previous.hasAttribute("data-first")) { event.preventDefault(); window.location.href = previous.href; }
    }
  });
  var fullScreen = document.querySelector("[data-board-full-screen]");
  if (fullScreen && document.documentElement.requestFullscreen) {
    fullScreen.hidden = false;
    fullScreen.addEventListener("click", function () {
      if (document.fullscreenElement) { document.exitFullscreen(); } else { document.documentElement.requestFullscreen(); }
    });
  }
  show(current);
}());

// Error summary (forms with problems): the box listing them is first on the page, so it is met first
// without JavaScript; here it takes the focus, and each link moves the focus to its field, with the
// field's label or legend scrolled into view above it.
(function () {
  "use strict";
  var summary = document.querySelector("[data-error-summary]");
  summary?.focus();
  if (!summary) { return; }
  summary.addEventListener("click", function (event) {
    var link = event.target.closest("a[href^='#']");
    var field = link && document.getElementById(decodeURIComponent(link.hash.slice(1)));
    if (!field) { return; }
    event.preventDefault();
    var fieldset = field.closest("fieldset");
    var label = (fieldset && fieldset.querySelector("legend")) || document.querySelector("label[for='" + field.id + "']");
    (label || field).scrollIntoView();
    field.focus({ preventScroll: true });
  });
}());

// Read-aloud per block on the picture-first pages (Nursery to Year 2). Each paragraph, promise, question
// and answer gets its own play button that reads that block alone, sentence by sentence, the sentence
// being read highlighted; a separate button beside a picture says what the picture shows (alt text is
// never read otherwise). Blocks are [data-read-aloud-block] elements plus the matches of each
// [data-read-aloud-blocks] container's selector (default "p, li"); nothing inside [data-no-read-aloud]
// or <details> (notes for grown-ups). The words come from [data-read-aloud-strings]. A device with no
// voice shows the grown-up a note instead of buttons that do nothing; without JavaScript, no buttons.
(function () {
  "use strict";
  var strings = document.querySelector("[data-read-aloud-strings]");
  var main = document.querySelector("main");
  if (!strings || !main) { return; }
  var synth = window.speechSynthesis;
  var SKIP = "button, input, select, textarea, img, svg, [hidden], [aria-hidden='true'], .visually-hidden, .read-aloud-tools";
  var EXCLUDED = "[data-no-read-aloud], details, [hidden]";
  var ANCHOR = "label, legend, a, summary, [data-read-aloud-card]";
  var ICONS = {
    read: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><path d="M3 9v6h4l5 4V5L7 9z" fill="currentColor"/>' +
      '<path d="M15.5 8.5a5 5 0 0 1 0 7M18 6a8.5 8.5 0 0 1 0 12" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>',
    picture: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><rect x="2" y="5" width="13" height="14" rx="2" fill="none" stroke="currentColor" stroke-width="2"/>' +
      '<path d="M4 17l4-5 3 3 2-2 2 4z" fill="currentColor"/><path d="M18 9a4 4 0 0 1 0 6M20.5 7a7 7 0 0 1 0 10" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"/></svg>',
    stop: '<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false"><rect x="6" y="6" width="12" height="12" rx="2" fill="currentColor"/></svg>'
  };
  var current = null;

  function skipped(node, block) {
    var parent = node.parentElement;
    var skipper = parent && parent.closest(SKIP);
    return Boolean(skipper && block.contains(skipper));
  }
  // The block's own text nodes (not its buttons, pictures or screen-reader-only words), with offsets.
  function textNodes(block) {
    var found = [];
    var offset = 0;
    var walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      if (skipped(node, block)) { continue; }
      found.push({ node: node, start: offset, end: offset + node.data.length });
      offset += node.data.length;
    }
    return found;
  }
  function sentencesOf(block) {
    var all = textNodes(block).map(function (entry) { return entry.node.data; }).join("");
    var pattern = /[^.!?]+(?:[.!?]+["'\u201d\u2019)\]]*|$)/g;
    var found = [];
    var match;
    while ((match = pattern.exec(all)) !== null) {
      var text = match[0].replace(/\s+/g, " ").trim();
      if (/[\p{L}\p{N}]/u.test(text)) { found.push({ start: match.index, end: match.index + match[0].length, text: text }); }
    }
    return found;
  }
  function highlight(block, start, end) {
    textNodes(block).forEach(function (entry) {
      var from = Math.max(start, entry.start) - entry.start;
      var to = Math.min(end, entry.end) - entry.start;
      if (from >= to) { return; }
      var node = entry.node;
      if (to < node.data.length) { node.splitText(to); }
      if (from > 0) { node = node.splitText(from); }
      var mark = document.createElement("span");
      mark.className = "read-aloud-now";
      node.parentNode.insertBefore(mark, node);
      mark.appendChild(node);
    });
  }
  function unhighlight(block) {
    block.querySelectorAll(".read-aloud-now").forEach(function (mark) {
      var parent = mark.parentNode;
      while (mark.firstChild) { parent.insertBefore(mark.firstChild, mark); }
      parent.removeChild(mark);
      parent.normalize();
    });
  }

  function show(button, reading) {
    button.innerHTML = reading ? ICONS.stop : ICONS[button.dataset.kind];
    button.setAttribute("aria-label", reading ? strings.dataset.labelStop : button.dataset.label);
    button.title = button.getAttribute("aria-label");
    button.classList.toggle("is-reading", reading);
  }
  function finish(session) {
    session.cancelled = true;
    unhighlight(session.block);
    session.block.classList.remove("read-aloud-active");
    show(session.button, false);
    if (current === session) { current = null; }
  }
  function stop() {
    if (!current) { return; }
    var session = current;
    finish(session);
    synth.cancel();
  }
  function speak(button, block, parts) {
    var again = current && current.button === button;
    stop();
    if (again || !parts.length) { return; }
    var session = { button: button, block: block, cancelled: false, index: 0 };
    var lang = readAloudLanguage(block);
    var voice = readAloudVoice(lang);
    current = session;
    show(button, true);
    block.classList.add("read-aloud-active");
    function next() {
      if (session.cancelled) { return; }
      unhighlight(block);
      if (session.index >= parts.length) { finish(session); return; }
      var part = parts[session.index];
      session.index += 1;
      if (part.end !== undefined) { highlight(block, part.start, part.end); }
      var utterance = new SpeechSynthesisUtterance(part.text);
      utterance.lang = lang;
      if (voice) { utterance.voice = voice; }
      utterance.rate = 0.9;
      utterance.onend = next;
      utterance.onerror = function () { if (!session.cancelled) { finish(session); } };
      session.utterance = utterance;  // kept, or some browsers drop it before "end"
      synth.speak(utterance);
    }
    next();
  }
  function makeButton(kind, label) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "read-aloud-play read-aloud-" + kind;
    button.dataset.kind = kind;
    button.dataset.label = label;
    show(button, false);
    return button;
  }
  // Buttons of a card (a label, a link) go just after it, never inside: a button in a label or link
  // would steal its taps and its name.
  function toolsAfter(anchor) {
    var next = anchor.nextElementSibling;
    if (next && next.classList.contains("read-aloud-tools")) { return next; }
    var tools = document.createElement("span");
    tools.className = "read-aloud-tools";
    anchor.parentNode.insertBefore(tools, anchor.nextSibling);
    return tools;
  }
  function placeForBlock(button, block) {
    var anchor = block.closest(ANCHOR);
    if (anchor && main.contains(anchor)) { toolsAfter(anchor).appendChild(button); return; }
    if (/^H[1-6]$/.test(block.tagName)) {  // beside the heading, not in its name
      var row = document.createElement("div");
      row.className = "read-aloud-row";
      block.parentNode.insertBefore(row, block);
      row.appendChild(button);
      row.appendChild(block);
      return;
    }
    block.insertBefore(button, block.firstChild);
  }
  function placeForPicture(button, img) {
    var anchor = img.closest(ANCHOR);
    if (anchor && main.contains(anchor)) { toolsAfter(anchor).appendChild(button); return; }
    img.parentNode.insertBefore(button, img.nextSibling);
  }
  function blocks() {
    var candidates = Array.prototype.slice.call(main.querySelectorAll("[data-read-aloud-block]"));
    main.querySelectorAll("[data-read-aloud-blocks]").forEach(function (container) {
      container.querySelectorAll(container.getAttribute("data-read-aloud-blocks") || "p, li").forEach(function (element) {
        if (candidates.indexOf(element) < 0) { candidates.push(element); }
      });
    });
    return candidates.filter(function (block) {
      if (block.closest(EXCLUDED)) { return false; }
      if (candidates.some(function (other) { return other !== block && block.contains(other); })) { return false; }
      return sentencesOf(block).length > 0;
    });
  }
  function build() {
    synth.cancel();  // nothing left over from the page before
    // No voice for the page's language (an Urdu page on a device without an Urdu voice): the grown-up's
    // note, and buttons only for words in a language the device can speak (an English lesson shown as is).
    var pageVoice = readAloudVoice(readAloudLanguage(main));
    if (!pageVoice) { noVoice(); }
    blocks().forEach(function (block) {
      if (!readAloudVoice(readAloudLanguage(block))) { return; }
      var button = makeButton("read", strings.dataset.labelRead);
      button.addEventListener("click", function () { speak(button, block, sentencesOf(block)); });
      placeForBlock(button, block);
    });
    main.querySelectorAll("img[alt]").forEach(function (img) {
      var alt = img.getAttribute("alt").trim();
      if (!alt || img.closest(EXCLUDED) || !readAloudVoice(readAloudLanguage(img))) { return; }
      var button = makeButton("picture", strings.dataset.labelPicture);
      button.addEventListener("click", function () { speak(button, img, [{ text: alt }]); });
      placeForPicture(button, img);
    });
    document.body.classList.add("read-aloud-ready");
    window.addEventListener("pagehide", stop);
  }
  function noVoice() {
    var note = document.querySelector("[data-read-aloud-missing]");
    if (note) { note.hidden = false; }
  }
  // Voices often arrive a moment after the page: wait for "voiceschanged", or two seconds at most.
  if (!synth || typeof window.SpeechSynthesisUtterance !== "function") { noVoice(); return; }
  if (synth.getVoices().length) { build(); return; }
  var settled = false;
  function settle() {
    if (settled) { return; }
    settled = true;
    if (synth.getVoices().length) { build(); } else { noVoice(); }
  }
  if (synth.addEventListener) {
    synth.addEventListener("voiceschanged", function () { if (synth.getVoices().length) { settle(); } });
  }
  window.setTimeout(settle, 2000);
}());

// Reporting a concern (staff): the school's procedure for the kind chosen shows as it is chosen, and the
// form records that it was shown. Without JavaScript, "Show what to do" reloads the page with it.
(function () {
  "use strict";
  var form = document.querySelector("[data-procedure-form]");
  if (!form || !form.querySelector("[data-procedure]")) { return; }
  var seen = form.querySelector("[data-procedure-seen]");
  var showButton = form.querySelector("[data-procedure-show]");
  if (showButton) { showButton.hidden = true; }
  function show(kind) {
    form.querySelectorAll("[data-procedure]").forEach(function (section) {
      section.hidden = section.getAttribute("data-procedure") !== kind;
    });
    if (seen) { seen.value = kind; }
  }
  form.querySelectorAll("input[name='category']").forEach(function (radio) {
    radio.addEventListener("change", function () { if (radio.checked) { show(radio.value); } });
    if (radio.checked) { show(radio.value); }
  });
}());
