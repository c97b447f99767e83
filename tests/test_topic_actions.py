"""Topic actions, run with a CollectingDispatcher against trackers built from small fixtures."""

from __future__ import annotations

import json

import pytest

from actions.ranking import MAX_SUGGESTIONS, rank_topics, selector_ranking, suggestions
from actions.topic_actions import (
    ActionListTopics,
    ActionNoTopicMatch,
    ActionShowChosenTopic,
    ActionSuggestRelatedTopics,
    ActionTellMeMore,
    ActionTopicAfterRefusal,
)
from knowledge.terms import topic_term_hits
from tests.trackers import make_tracker, selector_output


def button_topics(message) -> list:
    payloads = [button["payload"] for button in message.get("buttons") or []]
    assert all(p.startswith("/choose_topic") for p in payloads)
    return [json.loads(p[len("/choose_topic") :])["topic"] for p in payloads]


async def run(action, dispatcher, tracker):
    return await action.run(dispatcher, tracker, {})


def test_selector_ranking_also_reads_a_default_response_selector(catalogue):
    output = selector_output({"emg": 0.8, "nerve_blocks": 0.2})
    message = {"response_selector": {"default": output["topic"]}}
    assert [item["id"] for item in selector_ranking(message, catalogue)] == ["emg", "nerve_blocks"]


def test_selector_ranking_keeps_known_topics_best_first(catalogue):
    message = {"response_selector": selector_output({"emg": 0.2, "nerve_blocks": 0.7, "knee_pain": 0.1})}
    assert [item["id"] for item in selector_ranking(message, catalogue)] == ["nerve_blocks", "emg"]
    assert selector_ranking({"text": "hi"}, catalogue) == []


@pytest.mark.parametrize(
    "confidences, expected",
    [
        (
            {"cervical_dystonia": 0.8, "neck_muscle_spasms": 0.15, "emg": 0.05},
            ["neck_muscle_spasms", "botox_neck_pain", "emg"],
        ),
        ({"botox_risks": 0.95, "botox_neck_pain": 0.03}, ["botox_neck_pain", "neck_stability", "botox_headache"]),
        (
            {"physical_therapy": 0.5, "alternative_therapies": 0.3, "neck_stability": 0.2},
            ["alternative_therapies", "neck_stability", "chronic_neck_pain"],
        ),
    ],
)
def test_suggestions_put_confident_runners_up_before_related_topics(catalogue, confidences, expected):
    message = {"response_selector": selector_output(confidences)}
    shown = rank_topics(message, catalogue)[0]
    assert suggestions(message, catalogue, shown) == expected
    assert len(expected) <= MAX_SUGGESTIONS


async def test_answer_sets_topics_best_first_and_offers_buttons(catalogue, dispatcher):
    tracker = make_tracker(selector={"cervical_dystonia": 0.8, "neck_muscle_spasms": 0.15, "emg": 0.05})
    events = await run(ActionSuggestRelatedTopics(), dispatcher, tracker)
    assert events == [
        {
            "event": "slot",
            "name": "topics",
            "value": ["cervical_dystonia", "neck_muscle_spasms", "emg"],
            "timestamp": None,
        }
    ]
    (message,) = dispatcher.messages
    assert message["text"] == catalogue.messages["related_intro"]
    assert "cervical_dystonia" not in button_topics(message)
    assert button_topics(message)[0] == "neck_muscle_spasms"


async def test_a_button_choice_ranks_the_chosen_topic_first(catalogue, dispatcher):
    tracker = make_tracker(intent="choose_topic", entities=[{"entity": "topic", "value": "emg"}])
    events = await run(ActionSuggestRelatedTopics(), dispatcher, tracker)
    assert events[0]["value"] == ["emg", *catalogue["emg"].related]
    assert button_topics(dispatcher.messages[0]) == list(catalogue["emg"].related)[:MAX_SUGGESTIONS]


async def test_no_selector_output_means_no_topics_and_no_buttons(dispatcher):
    events = await run(ActionSuggestRelatedTopics(), dispatcher, make_tracker(intent="greet"))
    assert events[0]["value"] == []
    assert dispatcher.messages == []


async def test_chosen_topic_is_shown_through_its_response(dispatcher):
    tracker = make_tracker(intent="choose_topic", entities=[{"entity": "topic", "value": "nerve_blocks"}])
    await run(ActionShowChosenTopic(), dispatcher, tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_topic/nerve_blocks"]


@pytest.mark.parametrize("entities", [[], [{"entity": "topic", "value": "knee_surgery"}]])
async def test_unknown_or_missing_choice_asks_which_topic(catalogue, dispatcher, entities):
    await run(ActionShowChosenTopic(), dispatcher, make_tracker(intent="choose_topic", entities=entities))
    (message,) = dispatcher.messages
    assert message["text"] == catalogue.messages["ask_which_topic"]
    assert button_topics(message) == catalogue.ids


async def test_tell_me_more_gives_key_points_of_the_current_topic(catalogue, dispatcher):
    tracker = make_tracker(intent="tell_me_more", slots={"topics": ["muscle_relaxants", "emg"]})
    await run(ActionTellMeMore(), dispatcher, tracker)
    (message,) = dispatcher.messages
    for point in catalogue["muscle_relaxants"].key_points:
        assert point in message["text"]
    assert catalogue["muscle_relaxants"].sources[0].title in message["text"]


@pytest.mark.parametrize("topics", [None, [], ["not_a_topic"]])
async def test_tell_me_more_without_a_topic_asks_which(catalogue, dispatcher, topics):
    await run(ActionTellMeMore(), dispatcher, make_tracker(intent="tell_me_more", slots={"topics": topics}))
    assert dispatcher.messages[0]["text"] == catalogue.messages["ask_which_topic"]


async def test_help_lists_every_topic(catalogue, dispatcher):
    await run(ActionListTopics(), dispatcher, make_tracker(intent="help"))
    assert button_topics(dispatcher.messages[0]) == catalogue.ids


async def test_no_match_clears_topics(catalogue, dispatcher):
    events = await run(ActionNoTopicMatch(), dispatcher, make_tracker(intent="nlu_fallback", slots={"topics": ["emg"]}))
    assert events[0]["value"] == []
    assert dispatcher.messages[0]["text"] == catalogue.messages["no_match"]


@pytest.mark.parametrize(
    "entities, expected",
    [
        ([{"entity": "symptom", "value": "Whiplash"}], {"whiplash": 1}),
        (
            [{"entity": "symptom", "value": "droopy eyelids"}, {"entity": "symptom", "value": "Bruising"}],
            {"botox_risks": 2},
        ),
        (
            [{"entity": "treatment", "value": "BOTOX"}, {"entity": "treatment", "value": "botox"}],
            {"botox_neck_pain": 1},
        ),
        ([{"entity": "body_part", "value": "neck"}, {"entity": "duration", "value": "3 weeks"}], {}),
    ],
)
def test_term_hits_match_entities_to_topics_whatever_their_case_or_inflection(catalogue, entities, expected):
    assert dict(topic_term_hits(entities, catalogue)) == expected


def test_mentioned_terms_offer_an_unsure_runner_up_but_keep_the_rankers_order(catalogue):
    message = {
        "response_selector": selector_output(
            {"neck_stability": 0.9, "cervical_dystonia": 0.06, "chronic_neck_pain": 0.04}
        ),
        "entities": [{"entity": "symptom", "value": "whiplash"}, {"entity": "symptom", "value": "neck pain"}],
    }
    assert rank_topics(message, catalogue)[:3] == ["neck_stability", "cervical_dystonia", "chronic_neck_pain"]
    assert suggestions(message, catalogue, "neck_stability")[0] == "chronic_neck_pain"


async def test_webchat_gets_buttons_that_stay_visible(catalogue, dispatcher):
    tracker = make_tracker(selector={"emg": 0.9, "nerve_blocks": 0.1})
    tracker.events.append({"event": "user", "input_channel": "socketio", "parse_data": {}})
    await ActionSuggestRelatedTopics().run(dispatcher, tracker, {})
    (message,) = dispatcher.messages
    assert message["custom"]["data"]["text"] == catalogue.messages["related_intro"]
    assert [b["payload"] for b in message["custom"]["data"]["buttons"]][0] == '/choose_topic{"topic":"nerve_blocks"}'


@pytest.mark.parametrize(
    "entities, ranking, expected",
    [
        ([{"entity": "treatment", "value": "methocarbamol"}], {}, "muscle_relaxants"),
        (
            [{"entity": "treatment", "value": "Dysport"}],
            {"botox_neck_pain": 0.7, "botox_risks": 0.3},
            "botox_neck_pain",
        ),
        ([], {"emg": 0.9}, None),
    ],
)
async def test_a_refused_request_gets_the_topic_of_what_it_names(catalogue, dispatcher, entities, ranking, expected):
    tracker = make_tracker(intent="ask_dose", entities=entities, selector=ranking)
    events = await run(ActionTopicAfterRefusal(), dispatcher, tracker)
    if expected is None:
        assert events == [] and dispatcher.messages == []
    else:
        assert [message["response"] for message in dispatcher.messages] == [f"utter_topic/{expected}"]
        assert events[0]["value"] == [expected]
