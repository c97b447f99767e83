"""Seven hot spots of Rasa 3.6's message handling, found by profiling the server under load, made cheap.

All seven keep Rasa's behaviour exactly; `install()` runs when Rasa imports this package to load the model.

1. Action-server responses. `RemoteAction` checks each response with `jsonschema.validate`, which
   first re-checks Rasa's own, constant schema against the JSON Schema meta-schema: more than half of
   the server's CPU time, about 20 ms for every custom action. Here a validator compiled once checks
   valid responses; invalid ones still go through Rasa's own method, so they raise the same
   `ValidationError` with the same message.
2. Reading a conversation back. The tracker store turns every stored event into an `Event` through
   `Event.resolve_by_type`, which walks all `Event` subclasses (and `inspect.isabstract` on each) per
   event: about a tenth of the server's CPU time. Here the type name is looked up in a table built from
   the same subclasses, rebuilt when a name is missing (an event class imported later).
3. Loading the model. To give DIET and the ResponseSelector weights of the right shape, Rasa trains
   each of them for one step on a dummy example before it loads the trained weights; tracing that
   training step was half of the start-up time. TensorFlow checkpoints can be restored into a model
   that is not built yet (the values are assigned as the variables are created), so here the trained
   weights are loaded first and the prediction Rasa runs anyway creates the variables. Loading
   checks that every variable the prediction uses was restored; when fine-tuning, Rasa's own load runs.
4. Joining sparse features. DIET and the ResponseSelector each join the sparse features of the two
   CountVectorsFeaturizers and the LexicalSyntacticFeaturizer with `scipy.sparse.hstack`, whose general
   block-matrix code costs four times what concatenating the coordinates does (8 % of the server's CPU
   time). Here the coordinates are concatenated; the result is the same COO matrix.
5. The rule policy's debug line. Before every prediction the rule policy turns the state of every past
   turn into text for a debug log line (and deep-copies it into the call), whether or not debug logging
   is on: in a conversation of 300 messages, several milliseconds per prediction. Here the text is made
   only when the line is written.
6. Calls to the action server. Rasa sends the whole conversation with every custom action, encoded by
   Python's `json` module (20 ms for 3,000 events). Here the same JSON is written by `ujson`, which
   Rasa already depends on, about ten times faster.
7. Matching rules. Before each prediction the rule policy filters its rules against every past turn of
   the conversation, from the latest back to the first, although a rule can only fail at the turns it
   spans: further back than its length, Rasa's own check returns True. Here only as many turns are
   checked as the longest rule has: the same rules match, and the cost no longer grows with the
   conversation (at message 300, about a millisecond per prediction).
"""

from __future__ import annotations

import functools
from typing import Any

import aiohttp
import numpy as np
import scipy.sparse
import ujson
from jsonschema import validators
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.policy import Policy
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.events import Event
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig
from rasa.utils.tensorflow.models import RasaModel

_rasa_validate_action_result = RemoteAction._validate_action_result
_rasa_resolve_by_type = Event.resolve_by_type
_rasa_load_model = RasaModel.load.__func__
_rasa_combine_sparse_features = Features._combine_sparse_features
_rasa_format_tracker_states = Policy.format_tracker_states
_rasa_session = EndpointConfig.session
_rasa_get_possible_keys = RulePolicy._get_possible_keys


@functools.lru_cache(maxsize=1)
def response_validator() -> Any:
    """Rasa's action-response schema, compiled once."""
    schema = RemoteAction.action_response_format_spec()
    return validators.validator_for(schema)(schema)


def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    """Fast path for valid responses; Rasa's own check (and error) for the rest."""
    if response_validator().is_valid(result):
        return True
    return _rasa_validate_action_result(self, result)


_event_classes: dict[str, type[Event]] = {}


def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    """`Event.resolve_by_type` through a table; Rasa's own walk when the name is unknown."""
    if type_name not in _event_classes:
        # The first subclass with a name wins, as in Rasa's loop.
        for cls in reversed(all_subclasses(Event)):
            _event_classes[cls.type_name] = cls
    if type_name in _event_classes:
        return _event_classes[type_name]
    return _rasa_resolve_by_type(type_name, default)


def load_model(
    cls: type[RasaModel],
    model_file_name: str,
    model_data_example: Any,
    predict_data_example: Any = None,
    finetune_mode: bool = False,
    *args: Any,
    **kwargs: Any,
) -> RasaModel:
    """`RasaModel.load` without the one-step training; Rasa's own for fine-tuning."""
    if finetune_mode or not predict_data_example:
        return _rasa_load_model(
            cls, model_file_name, model_data_example, predict_data_example, finetune_mode, *args, **kwargs
        )
    model = cls(*args, **kwargs)
    restored = model.load_weights(model_file_name)
    model.run_inference(predict_data_example)
    # Every variable the prediction created has its trained value (the optimizer's are not needed).
    restored.assert_existing_objects_matched()
    # The checkpoint also holds the optimizer's state, which prediction never creates.
    restored.expect_partial()
    return model


def hstack(left: scipy.sparse.spmatrix, right: scipy.sparse.spmatrix) -> scipy.sparse.coo_matrix:
    """`scipy.sparse.hstack([left, right])` for two matrices with the same number of rows."""
    left, right = left.tocoo(copy=False), right.tocoo(copy=False)
    data = np.concatenate([left.data, right.data]).astype(np.result_type(left.dtype, right.dtype), copy=False)
    rows = np.concatenate([left.row, right.row])
    columns = np.concatenate([left.col, right.col + left.shape[1]])
    return scipy.sparse.coo_matrix((data, (rows, columns)), shape=(left.shape[0], left.shape[1] + right.shape[1]))


def combine_sparse_features(self: Features, additional_features: Features) -> None:
    """`Features._combine_sparse_features` through `hstack` above; Rasa's own for mismatched rows."""
    if self.features.shape[0] != additional_features.features.shape[0]:
        _rasa_combine_sparse_features(self, additional_features)  # raises Rasa's ValueError
        return
    self.features = hstack(self.features, additional_features.features)
    self._cached_fingerprint = None


class TrackerStatesText:
    """The rule policy's debug text of the past states, made when it is logged (str, repr, or a copy)."""

    def __init__(self, states: list[dict]) -> None:
        self.states = states

    def __str__(self) -> str:
        return _rasa_format_tracker_states(self.states)

    __repr__ = __str__

    def __deepcopy__(self, memo: dict) -> TrackerStatesText:
        # Rasa deep-copies the text as an argument of its debug log call, before the logger decides whether
        # to write it: the copy stays unformatted (the states are built for this one prediction and not
        # changed after it).
        return TrackerStatesText(self.states)


def lazy_tracker_states_text(states: list[dict]) -> TrackerStatesText:
    """`Policy.format_tracker_states` for the rule policy, deferred until the text is needed."""
    return TrackerStatesText(states)


def session(self: EndpointConfig) -> aiohttp.ClientSession:
    """`EndpointConfig.session` with request bodies written by ujson."""
    auth = aiohttp.BasicAuth(self.basic_auth["username"], self.basic_auth["password"]) if self.basic_auth else None
    return aiohttp.ClientSession(
        headers=self.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=ujson.dumps,
    )


def get_possible_keys(self: RulePolicy, lookup: dict[str, str], states: list[dict]) -> set[str]:
    """`RulePolicy._get_possible_keys` over the turns the longest rule spans (see 7 above)."""
    if not lookup:
        return set()
    longest = max(len(self._rule_key_to_state(key)) for key in lookup)
    return _rasa_get_possible_keys(self, lookup, states[-longest:])


def install() -> None:
    """Replace Rasa's slow paths; idempotent."""
    RemoteAction._validate_action_result = validate_action_result
    Event.resolve_by_type = staticmethod(resolve_by_type)
    RasaModel.load = classmethod(load_model)
    Features._combine_sparse_features = combine_sparse_features
    RulePolicy.format_tracker_states = staticmethod(lazy_tracker_states_text)
    EndpointConfig.session = session
    RulePolicy._get_possible_keys = get_possible_keys
