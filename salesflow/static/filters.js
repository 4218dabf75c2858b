// Filters that apply as soon as one changes: a form marked data-autosubmit sends itself on
// "change" (a select picked, a box ticked, a month chosen), and hides its submit button, which
// stays for browsers without JavaScript. A file of its own: the CSP runs no inline script.
(function () {
  "use strict";
  document.querySelectorAll("form[data-autosubmit]").forEach(function (form) {
    form.addEventListener("change", function () {
      if (form.requestSubmit) {
        form.requestSubmit();
      } else {
        form.submit();
      }
    });
    form.querySelectorAll("[data-autosubmit-hide]").forEach(function (element) {
      element.hidden = true;
    });
  });
})();
