"use strict";
// The large-print screen: what the kiosk is doing and what it just said, live (server-sent
// events). Text is fitted without scrolling, never below 48 px; an answer too long for one
// screen is shown a few sentences at a time, paced at the speaking rate.

const WORDS = {
  starting: "Starting", idle: "Ready", listening: "Listening",
  thinking: "Thinking", speaking: "Speaking", stopped: "Stopped",
};
const MIN_PX = 48;
const CLEAR_AFTER_S = 60;  // resting this long: the last question leaves the screen (privacy)
const byId = (id) => document.getElementById(id);
let shown = { answer: null, state: null, rate: 160 };
let pages = [];
let page = 0;
let timer = null;
let clearing = null;

const fits = (node) => node.scrollHeight <= node.clientHeight + 1;
const wordCount = (text) => text.split(/\s+/).filter(Boolean).length;
const sentences = (text) => text.match(/[^.!?]+[.!?]*\s*/g) || [text];

function fitText(node, text) {
  node.textContent = text;
  const largest = Math.max(MIN_PX, Math.min(96, Math.floor(window.innerHeight / 9)));
  for (let size = largest; size > MIN_PX; size -= 4) {
    node.style.fontSize = size + "px";
    if (fits(node)) return true;
  }
  node.style.fontSize = MIN_PX + "px";
  return fits(node);
}

function paginate(node, text) {
  const result = [];
  let current = "";
  node.style.fontSize = MIN_PX + "px";
  for (const sentence of sentences(text)) {
    node.textContent = current + sentence;
    if (current && !fits(node)) {
      result.push(current.trim());
      current = sentence;
    } else {
      current += sentence;
    }
  }
  if (current.trim()) result.push(current.trim());
  return result;
}

function showPage() {
  byId("part").textContent = `Part ${page + 1} of ${pages.length}`;
  fitText(byId("answer"), pages[page]);
  if (page + 1 < pages.length) {
    const seconds = (wordCount(pages[page]) * 60) / shown.rate;
    timer = setTimeout(() => { page += 1; showPage(); }, seconds * 1000);
  }
}

function showAnswer(text) {
  clearTimeout(timer);
  const node = byId("answer");
  byId("part").textContent = "";
  if (fitText(node, text)) return;
  byId("part").textContent = "Part 1 of 9";  // reserve its line while measuring
  pages = paginate(node, text);
  page = 0;
  showPage();
}

function update(status) {
  const state = status.state || "idle";
  byId("state").textContent = WORDS[state] || state;
  byId("shape").className = "shape " + state;
  byId("question").textContent = status.question || "";
  document.querySelector(".question").hidden = !status.question;
  const answer = status.answer || "";
  const spokenAgain = state === "speaking" && shown.state !== "speaking";
  const restart = answer !== shown.answer || spokenAgain;
  shown = { answer, state, rate: status.rate_wpm > 0 ? status.rate_wpm : 160 };
  if (restart) showAnswer(answer);
  clearTimeout(clearing);
  if (state === "idle") clearing = setTimeout(clearScreen, CLEAR_AFTER_S * 1000);
}

function clearScreen() {
  clearTimeout(timer);
  byId("question").textContent = "";
  document.querySelector(".question").hidden = true;
  byId("answer").textContent = "";
  byId("part").textContent = "";
}

function connect() {
  const token = new URLSearchParams(location.search).get("token");
  const url = "/events" + (token ? "?token=" + encodeURIComponent(token) : "");
  const events = new EventSource(url);
  events.addEventListener("status", (event) => update(JSON.parse(event.data)));
  events.onerror = () => {
    byId("state").textContent = "Not connected";
    byId("shape").className = "shape stopped";
    shown.state = null;
  };
}

window.addEventListener("resize", () => showAnswer(shown.answer || ""));
connect();
