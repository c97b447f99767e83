"""Run `rasa data validate` with two kinds of upstream false positives silenced, and nothing else.

1. Rasa 3.6 merges the retrieval intent `topic` from the NLU data into the domain and then reports it
   as "duplicated across multiple domain files", although domain.yml lists it once, as Rasa's docs
   ask. Leaving `topic` out of domain.yml instead makes the story reader warn that the rules use an
   unknown intent, so one of the two warnings is unavoidable.
2. Rasa's validator does not know that a form asks for slot X with the response `utter_ask_X`, and
   reports those responses as "not used in any story or rule". Only the `utter_ask_` responses of
   slots that a form in domain.yml requires are silenced.
3. Nor does it know the responses that custom actions utter (`response="utter_..."` in actions/), or
   those said outside the dialogue (`response_text("utter_...")`: the channels' replies to unreadable
   messages, the web page's disclaimer, the command line's and the web page's summary lines); only those
   are silenced.
4. An intent that only a button sends (its payload, such as /forget) has no training examples on
   purpose: typing must never trigger it. Only the intents listed in PAYLOAD_ONLY_INTENTS are silenced.

Any other warning still fails validation.

    python scripts/validate_data.py --data data build/rasa --fail-on-warnings
"""

import re
import sys
from pathlib import Path

import rasa.utils.common
import yaml
from rasa.__main__ import main

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = ROOT / "domain.yml"
ACTION_RESPONSE = re.compile(r'response="(utter_\w+)"')
OUTSIDE_DIALOGUE = re.compile(r'response_text\(\s*f?"(utter_\w+)"')
# Where responses are said outside the dialogue; the long-message reply's name is built from a prefix.
OUTSIDE_DIALOGUE_FILES = [
    "channels/validation.py",
    "channels/slack.py",
    "scripts/generate_web_messages.py",
    "scripts/chat.py",
]
# /forget erases the conversation at once; typed requests are `request_forget`, confirmed first.
PAYLOAD_ONLY_INTENTS = ["forget", "continue_privately"]


def responses_of_custom_actions() -> set:
    """Responses sent by the custom actions, and by the Rasa server itself when the action server fails."""
    used = {name for path in (ROOT / "actions").glob("*.py") for name in ACTION_RESPONSE.findall(path.read_text())}
    return used | set(re.findall(r'"(utter_[a-z_]+)"', (ROOT / "components" / "action_fallback.py").read_text()))


def responses_outside_dialogue() -> set:
    return {name for path in OUTSIDE_DIALOGUE_FILES for name in OUTSIDE_DIALOGUE.findall((ROOT / path).read_text())}


def expected_warnings() -> list:
    forms = yaml.safe_load(DOMAIN.read_text(encoding="utf-8")).get("forms") or {}
    slots = [slot for form in forms.values() for slot in form.get("required_slots", [])]
    unused = [f"utter_ask_{slot}" for slot in slots] + sorted(
        responses_of_custom_actions() | responses_outside_dialogue()
    )
    return [
        (UserWarning, "The following duplicated intents have been found across multiple domain files: topic$"),
        *[(UserWarning, re.escape(f"The utterance '{name}' is not used in any story or rule.")) for name in unused],
        *[
            (UserWarning, re.escape(f"The intent '{name}' is listed in the domain file, but is not found in the NLU"))
            for name in PAYLOAD_ONLY_INTENTS
        ],
    ]


if __name__ == "__main__":
    # Rasa's own list of warnings it expects and hides (it turns each into a warnings filter).
    rasa.utils.common.EXPECTED_WARNINGS.extend(expected_warnings())
    sys.argv = ["rasa", "data", "validate", *sys.argv[1:]]
    main()
