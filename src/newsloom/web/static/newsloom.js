// Newsloom: progressive enhancement only. Every page works without this file.
(function () {
  "use strict";

  function typing(event) {
    var target = event.target;
    return target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName));
  }

  // j / k: next and previous. On a list they move through its articles; on an article they open the next one.
  function moveInList(step) {
    var links = Array.prototype.slice.call(document.querySelectorAll("main .card-link"));
    if (!links.length) return false;
    var current = links.indexOf(document.activeElement);
    var next = current === -1 ? (step > 0 ? 0 : links.length - 1) : Math.min(links.length - 1, Math.max(0, current + step));
    links.forEach(function (link) { link.closest(".card").classList.remove("is-selected"); });
    links[next].closest(".card").classList.add("is-selected");
    links[next].focus();
    return true;
  }

  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event)) return;
    if (event.key !== "j" && event.key !== "k") return;
    var pagerLink = document.querySelector('.pager a[data-key="' + event.key + '"]');
    if (pagerLink) {
      window.location.href = pagerLink.href;
    } else if (!moveInList(event.key === "j" ? 1 : -1)) {
      return;
    }
    event.preventDefault();
  });

  // The question box answers in place when JavaScript is on; the form posts normally otherwise.
  function renderAnswer(box, data) {
    box.textContent = "";
    if (!data.answered) {
      var none = document.createElement("p");
      none.className = "empty";
      none.textContent = data.reason || "The article does not seem to answer that.";
      box.appendChild(none);
      return;
    }
    var intro = document.createElement("p");
    intro.textContent = "From the article:";
    var list = document.createElement("ol");
    list.className = "cited";
    data.sentences.forEach(function (sentence) {
      var item = document.createElement("li");
      item.textContent = sentence.text + " ";
      var where = document.createElement("span");
      where.className = "meta";
      where.textContent = "(sentence " + (sentence.index + 1) + ")";
      item.appendChild(where);
      list.appendChild(item);
    });
    box.appendChild(intro);
    box.appendChild(list);
  }

  var form = document.querySelector("form.ask");
  if (form && window.fetch) {
    form.addEventListener("submit", function (event) {
      var box = document.getElementById("answer");
      var question = form.querySelector("[name=question]").value.trim();
      if (!question) return;
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      box.textContent = "Reading the article…";
      fetch(form.dataset.api, {
        method: "POST",
        headers: { "Content-Type": "application/json", "Accept": "application/json" },
        body: JSON.stringify({ question: question }),
        credentials: "same-origin"
      }).then(function (response) {
        if (response.status === 429) throw new Error("Too many questions; wait a minute.");
        if (!response.ok) throw new Error("The question could not be answered (" + response.status + ").");
        return response.json();
      }).then(function (data) {
        renderAnswer(box, data);
      }).catch(function (error) {
        box.textContent = "";
        var problem = document.createElement("p");
        problem.className = "problem";
        problem.textContent = error.message;
        box.appendChild(problem);
      }).finally(function () {
        button.disabled = false;
      });
    });
  }
  // Reply in place: a copy of the comment form opens under the comment, with its own nonce
  // (the one-time value that makes a resent form store once). Without JavaScript, "Reply"
  // leads to the comment's own page and its reply form.
  function freshNonce() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  var commentForm = document.getElementById("comment-form");
  if (commentForm && window.crypto && window.crypto.getRandomValues) {
    document.addEventListener("click", function (event) {
      var link = event.target.closest ? event.target.closest("a.reply-link") : null;
      if (!link) return;
      event.preventDefault();
      var comment = link.closest("article");
      var open = comment.parentNode.querySelector(":scope > form.reply-form");
      if (open) { open.querySelector("textarea").focus(); return; }
      var form = commentForm.cloneNode(true);
      var parentId = link.getAttribute("data-parent");
      form.removeAttribute("id");
      form.className += " reply-form";
      form.querySelector("[name=nonce]").value = freshNonce();
      var parentField = document.createElement("input");
      parentField.type = "hidden";
      parentField.name = "parent_id";
      parentField.value = parentId;
      form.appendChild(parentField);
      Array.prototype.forEach.call(form.querySelectorAll("[id]"), function (element) { element.id += "-" + parentId; });
      Array.prototype.forEach.call(form.querySelectorAll("label[for]"), function (label) { label.htmlFor += "-" + parentId; });
      form.querySelector("label[for^=comment-body]").textContent = "Your reply";
      form.querySelector("[aria-describedby]").setAttribute("aria-describedby", "comment-help-" + parentId);
      form.querySelector("button[type=submit]").textContent = "Post reply";
      comment.after(form);
      form.querySelector("textarea").focus();
    });
  }
})();
