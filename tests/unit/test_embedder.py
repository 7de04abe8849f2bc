"""Which models may embed questions straight through their parts (the real model's vectors are
compared with encode() in tests/integration/test_model_and_index.py)."""

import pytest

from retrieval.embedder import _plain_parts


class Transformer:
    def __init__(self, lower=False, auto_model="bert"):
        self.do_lower_case, self.auto_model, self.max_seq_length = lower, auto_model, 512


class Pooling:
    def __init__(self, mode="mean", include_prompt=True):
        self.config = {"embedding_dimension": 384, "pooling_mode": mode, "include_prompt": include_prompt}

    def get_config_dict(self):
        return self.config


class Normalize:
    pass


class Dense:
    pass


class Model(list):
    tokenizer = "tokenizer"


@pytest.mark.parametrize("modules, plain", [
    ([Transformer(), Pooling(), Normalize()], True),  # e5: mean pooling, then normalised
    ([Transformer(), Pooling("cls"), Normalize()], False),
    ([Transformer(), Pooling(include_prompt=False), Normalize()], False),  # the prompt left out of the mean
    ([Transformer(), Pooling()], False),  # not normalised
    ([Transformer(), Pooling(), Dense(), Normalize()], False),
    ([Transformer(), Pooling(), Dense()], False),
    ([Transformer(lower=True), Pooling(), Normalize()], False),  # encode() lower-cases first
    ([Transformer(auto_model=None), Pooling(), Normalize()], False),  # another version's layout
    ([Pooling(), Transformer(), Normalize()], False),
])
def test_only_a_plain_mean_pooled_model_skips_encode(modules, plain):
    parts = _plain_parts(Model(modules))
    assert (parts is not None) is plain
    if plain:
        assert parts == ("tokenizer", "bert", 512)
