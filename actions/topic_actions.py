"""Actions that answer with catalogue topics."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.channels import utter_with_buttons
from actions.ranking import chosen_topic, named_topic, rank_topics, suggestions
from knowledge.catalogue import default_catalogue
from knowledge.topic_messages import key_points_text, topic_button


def _all_topic_buttons() -> list[dict[str, str]]:
    return [topic_button(topic) for topic in default_catalogue().topics]


class ActionSuggestRelatedTopics(Action):
    """Rank the topics for the latest message, store them in `topics` and offer the next best as buttons."""

    def name(self) -> str:
        return "action_suggest_related_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        catalogue = default_catalogue()
        ranked = rank_topics(tracker.latest_message, catalogue)
        if ranked:
            offered = suggestions(tracker.latest_message, catalogue, shown=ranked[0])
            buttons = [topic_button(catalogue[topic_id]) for topic_id in offered]
            utter_with_buttons(dispatcher, tracker, catalogue.messages["related_intro"], buttons)
        return [SlotSet("topics", ranked)]


class ActionTopicAfterRefusal(Action):
    """After a refused dose or prescription request, give the topic of the medicine or treatment it names."""

    def name(self) -> str:
        return "action_topic_after_refusal"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        topic_id = named_topic(tracker.latest_message, default_catalogue())
        if topic_id is None:
            return []
        dispatcher.utter_message(response=f"utter_topic/{topic_id}")
        return [SlotSet("topics", [topic_id])]


class ActionShowChosenTopic(Action):
    """Show the summary of the topic a button picked."""

    def name(self) -> str:
        return "action_show_chosen_topic"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        catalogue = default_catalogue()
        topic_id = chosen_topic(tracker.latest_message, catalogue)
        if topic_id is None:
            utter_with_buttons(dispatcher, tracker, catalogue.messages["ask_which_topic"], _all_topic_buttons())
            return []
        dispatcher.utter_message(response=f"utter_topic/{topic_id}")
        return []


class ActionTellMeMore(Action):
    """Give the key points of the current (best-ranked) topic."""

    def name(self) -> str:
        return "action_tell_me_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        catalogue = default_catalogue()
        current = next((catalogue.get(t) for t in tracker.get_slot("topics") or [] if catalogue.get(t)), None)
        if current is None:
            utter_with_buttons(dispatcher, tracker, catalogue.messages["ask_which_topic"], _all_topic_buttons())
            return []
        dispatcher.utter_message(text=key_points_text(current))
        return []


class ActionListTopics(Action):
    """List every topic the assistant knows, as buttons."""

    def name(self) -> str:
        return "action_list_topics"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        utter_with_buttons(dispatcher, tracker, default_catalogue().messages["topic_list_intro"], _all_topic_buttons())
        return []


class ActionNoTopicMatch(Action):
    """Say that no topic fits, clear `topics` and offer the topic list."""

    def name(self) -> str:
        return "action_no_topic_match"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        utter_with_buttons(dispatcher, tracker, default_catalogue().messages["no_match"], _all_topic_buttons())
        return [SlotSet("topics", [])]
