// Opens the rasa-webchat widget against the Rasa socket.io channel.
// The server defaults to port 5005 on the page's host; `?server=http://host:port` overrides it.
(function () {
  "use strict";

  var messages = window.ASSISTANT_MESSAGES;
  // rasa-webchat keeps the conversation (its id and the messages shown) in localStorage under this key.
  var STORED_CONVERSATION = "chat_session";
  // Set just before the page reloads after the server erased the conversation.
  var FORGOTTEN_FLAG = "conversationForgotten";

  document.getElementById("disclaimer").textContent = messages.disclaimer;

  // After an erased conversation: the page's own copy is gone too, and the person is told so.
  if (window.sessionStorage.getItem(FORGOTTEN_FLAG)) {
    window.sessionStorage.removeItem(FORGOTTEN_FLAG);
    window.localStorage.removeItem(STORED_CONVERSATION);
    var notice = document.getElementById("notice");
    notice.textContent = messages.conversationForgotten;
    notice.hidden = false;
  }

  var params = new URLSearchParams(window.location.search);
  var socketUrl = params.get("server") || window.location.protocol + "//" + window.location.hostname + ":5005";

  window.WebChat.default(
    {
      socketUrl: socketUrl,
      socketPath: "/socket.io/",
      // Sent once when a new conversation starts: the welcome message says what the assistant does.
      initPayload: "/greet",
      title: "Neck & headache info",
      subtitle: "Not a doctor: general information only",
      inputTextFieldHint: "Describe what you feel…",
      // Keep the conversation across page reloads (Rasa's socket.io channel has session_persistence).
      params: { storage: "local" },
      customMessageDelay: function () { return 0; },
      hideWhenNotConnected: false,
    },
    null
  );

  // Replies arrive marked by the server (channels/socketio.py: metadata.customCss), which rasa-webchat
  // turns into a class: `emergency` (style.css makes it impossible to miss), `visit-summary` (gets a
  // print button; the print stylesheet prints that summary alone) and `conversation-forgotten` (the
  // server erased the conversation: the page drops its stored copy and starts afresh).
  function printButton(summary) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "print-summary";
    button.textContent = messages.printSummary;
    button.addEventListener("click", function () {
      document.querySelectorAll(".visit-summary.printing").forEach(function (other) {
        other.classList.remove("printing");
      });
      summary.classList.add("printing");
      window.print();
    });
    return button;
  }

  function onNewReplies() {
    document.querySelectorAll(".rw-response.visit-summary").forEach(function (summary) {
      if (!summary.querySelector(".print-summary")) summary.appendChild(printButton(summary));
    });
    if (document.querySelector(".rw-response.conversation-forgotten")) {
      observer.disconnect();
      window.localStorage.removeItem(STORED_CONVERSATION);
      window.sessionStorage.setItem(FORGOTTEN_FLAG, "1");
      window.location.reload();
    }
  }

  var observer = new MutationObserver(onNewReplies);
  observer.observe(document.body, { childList: true, subtree: true });
  onNewReplies();
})();
