"use strict";
// The staff panel: big buttons that call the control server with the staff token, which is
// asked for once and kept in sessionStorage (gone when the browser tab closes).

const KEY = "kiosk-staff-token";
const byId = (id) => document.getElementById(id);
const DONE = {
  overview: "Playing the overview.", stop: "Stopped.", repeat: "Repeating the last answer.",
  volume: "Volume changed.",
};
const FIELDS = [
  ["state", "State"], ["question", "Last question"], ["intent", "Last intent"],
  ["engine", "Recognizer"], ["voice", "Voice"], ["rate_wpm", "Rate (words/min)"],
  ["volume", "Volume"], ["uptime_s", "Running for"],
];

function say(text) { byId("message").textContent = text; }

function askForToken(why) {
  sessionStorage.removeItem(KEY);
  byId("controls").hidden = true;
  byId("login").hidden = false;
  say(why);
  byId("token").focus();
}

async function call(path, body) {
  const token = sessionStorage.getItem(KEY);
  if (!token) { askForToken("Enter the staff token."); return null; }
  const options = { headers: { Authorization: "Bearer " + token } };
  if (body !== undefined) {
    options.method = "POST";
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, options);
  } catch (error) {
    say("The kiosk is not answering. Is it running?");
    return null;
  }
  const data = await response.json().catch(() => ({}));
  if (response.status === 401) { askForToken("That token was not accepted. Enter it again."); }
  else if (!response.ok) { say(data.error || "The kiosk refused (" + response.status + ")."); }
  return response.ok ? data : null;
}

function duration(seconds) {
  const minutes = Math.floor(seconds / 60);
  return minutes >= 60 ? `${Math.floor(minutes / 60)} h ${minutes % 60} min` : `${minutes} min`;
}

function showStatus(status) {
  const list = byId("status");
  list.replaceChildren();
  for (const [name, label] of FIELDS) {
    const term = document.createElement("dt");
    const value = document.createElement("dd");
    term.textContent = label;
    let shown = status[name];
    if (name === "uptime_s") shown = duration(shown);
    if (name === "volume") shown = Math.round(shown * 100) + "%";
    value.textContent = shown === null || shown === "" ? "-" : String(shown);
    list.append(term, value);
  }
}

let shownAlerts = null;

function showAlerts(alerts) {
  const key = JSON.stringify(alerts);
  if (key === shownAlerts) return;  // unchanged: keep the list (and screen readers) quiet
  shownAlerts = key;
  const list = byId("alerts");
  list.replaceChildren();
  if (!alerts.length) { list.append(Object.assign(document.createElement("li"), { textContent: "None" })); }
  for (const alert of alerts.slice().reverse()) {
    const item = document.createElement("li");
    const time = new Date(alert.at * 1000).toLocaleTimeString();
    const kind = alert.kind === "emergency" ? "EMERGENCY" : "Wants to talk to staff";
    item.className = alert.kind;
    item.textContent = `${time} ${kind}: "${alert.text}"`;
    list.append(item);
  }
}

async function refresh() {
  if (!sessionStorage.getItem(KEY)) return;
  const status = await call("/api/status");
  if (!status) return;  // refused or unreachable: the message says why
  showStatus(status);
  const alerts = await call("/api/alerts");
  if (alerts) showAlerts(alerts.alerts);
}

byId("login").addEventListener("submit", (event) => {
  event.preventDefault();
  sessionStorage.setItem(KEY, byId("token").value.trim());
  byId("token").value = "";
  byId("login").hidden = true;
  byId("controls").hidden = false;
  say("");
  refresh();
});
for (const button of document.querySelectorAll("button[data-call]")) {
  button.addEventListener("click", async () => {
    const name = button.dataset.call;
    const body = name === "volume" ? { steps: Number(button.dataset.steps) } : {};
    if (await call("/api/" + name, body)) say(DONE[name]);
    refresh();
  });
}
byId("forget").addEventListener("click", () => askForToken("Token forgotten."));

if (sessionStorage.getItem(KEY)) { byId("controls").hidden = false; refresh(); }
else askForToken("Enter the staff token.");
setInterval(refresh, 2000);
