/* datto theme: small progressive enhancements; every page works without this file.
   - "Sao chép liên kết" buttons (hidden until the clipboard can be used);
   - "swipe to see the whole table" only on tables wider than the screen. */
(function () {
  "use strict";
  var markWide = function () {
    document.querySelectorAll(".table-wrap").forEach(function (wrap) {
      wrap.classList.toggle("table-wrap--wide", wrap.scrollWidth > wrap.clientWidth + 1);
    });
  };
  markWide();
  window.addEventListener("resize", markWide);
  document.querySelectorAll("[data-copy-url]").forEach(function (button) {
    if (!navigator.clipboard || !window.isSecureContext) return;
    var status = button.parentNode.querySelector("[data-copy-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy-url")).then(
        function () { if (status) status.textContent = "Đã sao chép liên kết."; },
        function () { if (status) status.textContent = "Không sao chép được; hãy chép địa chỉ trên thanh trình duyệt."; }
      );
    });
  });
})();
