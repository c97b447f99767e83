"""Turn catalogue topics into the texts the assistant sends, so every channel words them alike."""

from __future__ import annotations

from knowledge.catalogue import Topic

# Lead-ins for a topic summary. They never diagnose: a topic "may be relevant", nothing more.
SUMMARY_LEAD_INS = (
    "This topic may be relevant: {title}.",
    "{title} may be relevant to what you describe.",
)


def summary_variations(topic: Topic) -> list[str]:
    """The summary of a topic, with when to get help now and its source, in each lead-in variation."""
    return [
        f"{lead_in.format(title=topic.title)}\n{topic.summary}\n{topic.get_help_now}\nSource: {topic.source_titles}"
        for lead_in in SUMMARY_LEAD_INS
    ]


def key_points_text(topic: Topic) -> str:
    points = "\n".join(f"- {point}" for point in topic.key_points)
    return f"Key points on {topic.title}:\n{points}\nSource: {topic.source_titles}"


def topic_button(topic: Topic) -> dict[str, str]:
    """A button that switches to the topic without going through the statistical NLU."""
    return {"title": topic.title, "payload": f'/choose_topic{{"topic":"{topic.id}"}}'}
