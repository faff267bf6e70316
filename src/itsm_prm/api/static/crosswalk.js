// The crosswalk page: show the tooltip of a matrix cell (its title) at once, on hover and on keyboard
// focus. Without this script the browser shows the same text as its own, slower tooltip.
(function () {
  "use strict";
  var tip = null;
  var owner = null;

  function hide() {
    if (owner) {
      owner.setAttribute("title", owner.getAttribute("data-title") || "");
      owner.removeAttribute("data-title");
      owner.removeAttribute("aria-describedby");
    }
    if (tip) {
      tip.remove();
    }
    tip = null;
    owner = null;
  }

  function show(element) {
    hide();
    var text = element.getAttribute("title");
    if (!text) {
      return;
    }
    owner = element;
    element.setAttribute("data-title", text);
    element.removeAttribute("title"); // one tooltip, not ours and the browser's
    tip = document.createElement("div");
    tip.id = "xw-tooltip";
    tip.className = "xw-tooltip";
    tip.setAttribute("role", "tooltip");
    tip.textContent = text;
    document.body.appendChild(tip);
    element.setAttribute("aria-describedby", tip.id);
    var box = element.getBoundingClientRect();
    var page = document.documentElement;
    var left = Math.min(box.left, page.clientWidth - tip.offsetWidth - 8);
    tip.style.left = window.scrollX + Math.max(8, left) + "px";
    var below = box.bottom + 6;
    var top = below + tip.offsetHeight > page.clientHeight ? box.top - tip.offsetHeight - 6 : below;
    tip.style.top = window.scrollY + Math.max(8, top) + "px";
  }

  function cell(event) {
    var node = event.target;
    return node && node.closest ? node.closest(".xw-matrix [title], .xw-matrix [data-title]") : null;
  }

  document.addEventListener("mouseover", function (event) {
    var element = cell(event);
    if (element && element !== owner) {
      show(element);
    }
  });
  document.addEventListener("mouseout", function (event) {
    if (owner && !owner.contains(event.relatedTarget)) {
      hide();
    }
  });
  document.addEventListener("focusin", function (event) {
    var element = cell(event);
    if (element) {
      show(element);
    } else {
      hide();
    }
  });
  document.addEventListener("focusout", hide);
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") {
      hide();
    }
  });
})();
