// "Copy link": copies the full download URL; without JavaScript the link stays selectable text.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const source = document.getElementById(button.dataset.copyTarget);
  try {
    await navigator.clipboard.writeText(source.value || source.textContent.trim());
    button.textContent = button.dataset.copiedLabel;
  } catch {
    source.select?.();
  }
});
