// A table too wide for the screen scrolls in its own box; that box then takes keyboard focus, so
// it can be scrolled without a mouse (WCAG 2.1.1). Without JavaScript it still scrolls by touch.
function markScrollRegions() {
  for (const region of document.querySelectorAll("table.compact, .table-scroll")) {
    const scrolls = region.scrollWidth > region.clientWidth + 1
      && getComputedStyle(region).overflowX !== "visible";
    if (scrolls && !region.hasAttribute("tabindex")) {
      region.tabIndex = 0;
      region.dataset.scrollFocus = "";
    } else if (!scrolls && "scrollFocus" in region.dataset) {
      region.removeAttribute("tabindex");
      delete region.dataset.scrollFocus;
    }
  }
}
markScrollRegions();
window.addEventListener("resize", markScrollRegions);
