// pydata-sphinx-theme 0.17 binds its sidebar toggles to the first `.primary-toggle` / `.secondary-toggle`
// on the page (pydata-sphinx-theme issue 2451), a navbar button that sphinx-book-theme hides; the visible
// buttons in sphinx-book-theme's article header then do nothing. Forward their clicks to the bound ones.
document.addEventListener("DOMContentLoaded", () => {
  for (const selector of [".primary-toggle", ".secondary-toggle"]) {
    const [bound, ...unbound] = document.querySelectorAll(selector);
    for (const button of unbound) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        bound.click();
      });
    }
  }
});
