"""The Slack channel reads Rasa's own options (slack_channel, conversation_granularity, proxy) from
credentials.yml, and keeps a direct message and each channel apart by default."""

from __future__ import annotations

import pytest
import yaml

from channels.slack import SlackChannel
from evaluation.expectations import ROOT


@pytest.fixture(autouse=True)
def secrets(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-test")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")


def test_rasas_options_are_read_from_the_credentials():
    channel = SlackChannel.from_credentials(
        {"slack_channel": "C42", "conversation_granularity": "thread", "proxy": "http://proxy.local:3128"}
    )
    assert (channel.slack_channel, channel.conversation_granularity, channel.proxy) == (
        "C42",
        "thread",
        "http://proxy.local:3128",
    )
    output = channel.get_output_channel(None, None)
    assert output.slack_channel == "C42" and output.client.proxy == "http://proxy.local:3128"
    assert channel._get_conversation_id("U1", "C42", "1700000000.1") == "U1_C42_1700000000.1"


@pytest.mark.parametrize(
    "credentials",
    [{}, yaml.safe_load((ROOT / "credentials.yml").read_text())["channels.slack.SlackChannel"]],
    ids=["default", "credentials.yml"],
)
def test_a_direct_message_and_a_channel_are_different_conversations(credentials):
    channel = SlackChannel.from_credentials(credentials)
    assert channel.conversation_granularity == "channel"
    assert channel._get_conversation_id("U1", "D1", None) != channel._get_conversation_id("U1", "C1", None)
