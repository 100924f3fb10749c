// Self-check quizzes (book/_ext/quiz.py renders them). Each question's answer and explanations travel
// XOR-scrambled and base64-encoded in its data-quiz attribute, so they are not in the page text before
// the reader answers. This guards against spoilers, not against anyone determined: it is not security.
(() => {
  "use strict";
  const KEY = new TextEncoder().encode("chaoyang-self-check"); // same key as SCRAMBLE_KEY in quiz.py

  function unscramble(encoded) {
    const mixed = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
    const raw = mixed.map((b, i) => b ^ KEY[i % KEY.length]);
    return JSON.parse(new TextDecoder().decode(raw));
  }

  // Accepts "0.75", "0,75", " 3 ", "-1.5e2"; returns NaN for anything else.
  function parseNumber(text) {
    const cleaned = text.trim().replace(",", ".");
    return /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(cleaned) ? Number(cleaned) : NaN;
  }

  // The interface texts in the page's language: quiz.py writes them into the quiz's data-quiz-ui attribute
  // (JSON, from UI_TEXT and the catalog quizzes/_ui), so they have one home and need no extra file.
  function ui(form) {
    return JSON.parse(form.closest("[data-quiz-ui]").dataset.quizUi);
  }

  function say(form, verdict, message) {
    const feedback = form.querySelector(".quiz-feedback");
    feedback.className = "quiz-feedback quiz-" + verdict;
    feedback.textContent = "";
    if (verdict === "right" || verdict === "wrong") {
      const label = document.createElement("strong");
      label.textContent = verdict === "right" ? ui(form).right : ui(form).wrong;
      feedback.append(label);
    }
    feedback.append(message);
  }

  function check(form) {
    const secret = unscramble(form.dataset.quiz);
    const text = ui(form);
    if (secret.kind === "choice") {
      const chosen = form.querySelector("input[type=radio]:checked");
      if (!chosen) return say(form, "empty", text.choose);
      const index = Number(chosen.value);
      if (index === secret.correct) return say(form, "right", secret.why[index]);
      return say(form, "wrong", secret.why[index] + text.other);
    }
    const input = form.querySelector("input[type=text]");
    const value = parseNumber(input.value);
    if (Number.isNaN(value)) return say(form, "empty", text.number);
    // A small epsilon so that the boundary of the tolerance counts as right despite rounding.
    if (Math.abs(value - secret.answer) <= secret.tolerance * (1 + 1e-9)) {
      return say(form, "right", secret.explanation);
    }
    return say(form, "wrong", secret.hint + text.again);
  }

  function init() {
    for (const form of document.querySelectorAll("form.quiz-question[data-quiz]")) {
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        check(form);
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
