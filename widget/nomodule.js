/*
 * Only browsers without ES modules run this (index.html loads it with «nomodule»): the
 * chat cannot start there, so the page says so and keeps the emergency number in view.
 * Plain ES5 on purpose.
 */
(function () {
  var page = document.querySelector("[data-veivis-page]");
  if (!page) return;
  page.innerHTML =
    '<div class="emergency-bar" role="region" aria-label="Nødnummer"><p>' +
    '<span class="emergency-bar__text">Akutt fare?</span> ' +
    '<a class="emergency-bar__call" href="tel:113">Ring 113</a></p></div>' +
    '<p class="noscript">Chatten virker ikke i denne nettleseren. Prøv en nyere nettleser. ' +
    "Er noen i fare, ring 113.</p>";
})();
