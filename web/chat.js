// Opens the rasa-webchat widget against the Rasa socket.io channel.
// The server defaults to port 5005 on the page's host; `?server=http://host:port` overrides it.
(function () {
  "use strict";

  document.getElementById("disclaimer").textContent = window.ASSISTANT_MESSAGES.disclaimer;

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

  // Emergency replies arrive marked by the server (channels/socketio.py: metadata.customCss), which
  // rasa-webchat turns into the class `emergency`; style.css makes them impossible to miss.
})();
