// After a button on a long page (a deal's tick, decision or move), the server sends the reader
// back to the part of the page acted on (#checklist, #decisions, #gates). The message of what
// happened (or why not) is shown at the top of the page, out of sight from there: move it into
// that part, under its heading, and open a closed <details> in it (the form refused there).
(function () {
  "use strict";
  var id = window.location.hash.slice(1);
  var target = id && document.getElementById(id);
  if (!target) {
    return;
  }
  var messages = document.querySelectorAll("main > .alert[role=alert]");
  if (!messages.length) {
    return;
  }
  var heading = target.querySelector("h2");
  var after = heading && heading.parentElement === target ? heading : null;
  for (var i = messages.length - 1; i >= 0; i--) {
    var message = messages[i];
    message.classList.add("landed");
    if (after) {
      after.insertAdjacentElement("afterend", message);
    } else {
      target.insertAdjacentElement("afterbegin", message);
    }
  }
  var details = target.querySelector("details:not([open])");
  if (details && messages[0].classList.contains("alert-danger")) {
    details.open = true;
  }
  // at once: the reader is put back where they were, not carried down the page (Bootstrap makes
  // scrolling smooth)
  target.scrollIntoView({ block: "start", behavior: "instant" });
})();
