// The list's "select all" box: ticks or clears every store on the page.
// It stays hidden without JavaScript, where it could do nothing.
document.addEventListener("DOMContentLoaded", () => {
  const selectAll = document.querySelector(".js-select-all");
  if (!selectAll) {
    return;
  }
  const boxes = Array.from(
    document.querySelectorAll('#bulk-form input[type="checkbox"][name="store"]'),
  );
  selectAll.hidden = false;
  selectAll.addEventListener("change", () => {
    for (const box of boxes) {
      box.checked = selectAll.checked;
    }
  });
  for (const box of boxes) {
    box.addEventListener("change", () => {
      const ticked = boxes.filter((each) => each.checked).length;
      selectAll.checked = ticked === boxes.length;
      selectAll.indeterminate = ticked > 0 && ticked < boxes.length;
    });
  }
});
