// A "Copy" button (data-copy: the selector of the field to copy; data-copied: what it then says).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  field.select();
  const done = () => { button.textContent = button.dataset.copied; };
  const fallback = () => { document.execCommand("copy"); done(); };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, fallback);
  } else {
    fallback();
  }
});
