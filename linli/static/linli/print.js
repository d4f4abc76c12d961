// The love-card sheet's "打印" button (no inline script: the Content-Security-Policy refuses it).
document.addEventListener("click", function (event) {
  if (event.target instanceof Element && event.target.closest("[data-print]")) {
    window.print();
  }
});
