"""Questions that arrive together share one model call; a lone one does not wait."""

import threading
import time

import numpy as np
import pytest

from retrieval.batching import QueryBatcher


class SlowModel:
    """Takes 50 ms a call whatever the batch, like a model on a small machine; records batches."""

    def __init__(self, fail_on: str | None = None):
        self.calls: list[list[str]] = []
        self.fail_on = fail_on

    def __call__(self, texts):
        self.calls.append(list(texts))
        time.sleep(0.05)
        if self.fail_on in texts:
            raise RuntimeError("model failed")
        return np.array([[float(len(t)), float(i)] for i, t in enumerate(texts)], dtype=np.float32)


def ask_all(batcher, texts):
    results: dict[str, object] = {}

    def ask(text):
        try:
            results[text] = batcher.embed(text)
        except Exception as exc:  # noqa: BLE001 - recorded for the assertion
            results[text] = exc

    threads = [threading.Thread(target=ask, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    return results


def test_questions_arriving_together_share_model_calls_and_get_their_own_vectors():
    model = SlowModel()
    batcher = QueryBatcher(model, max_batch=8)
    texts = [f"question {'x' * i}" for i in range(20)]
    results = ask_all(batcher, texts)
    assert all(results[t][0] == len(t) for t in texts)  # each gets the vector of its own text
    assert len(model.calls) < len(texts) / 2  # far fewer model calls than questions
    assert max(len(c) for c in model.calls) <= 8 and sum(len(c) for c in model.calls) == len(texts)


def test_a_lone_question_is_embedded_at_once():
    model = SlowModel()
    batcher = QueryBatcher(model, max_batch=32)
    start = time.monotonic()
    assert batcher.embed("Busan")[0] == 5
    assert time.monotonic() - start < 0.05 + 0.04  # the model's own time, and no wait for company
    assert model.calls == [["Busan"]]


class ThreadsModel:
    """Records which thread makes each model call."""

    def __init__(self):
        self.threads: list[threading.Thread] = []

    def __call__(self, texts):
        self.threads.append(threading.current_thread())
        return np.zeros((len(texts), 2), dtype=np.float32)


def test_a_lone_question_is_embedded_by_the_thread_that_asks_it():
    model = ThreadsModel()
    QueryBatcher(model).embed("Busan")
    assert model.threads == [threading.current_thread()]  # no hand-over to the model thread and back


def test_questions_arriving_while_the_model_is_busy_wait_and_go_in_together():
    model = SlowModel()
    batcher = QueryBatcher(model, max_batch=32)
    first = threading.Thread(target=batcher.embed, args=("first",))
    first.start()
    time.sleep(0.01)  # the first is being embedded by its own thread
    results = ask_all(batcher, [f"q{i}" for i in range(10)])
    first.join(10)
    assert all(results[f"q{i}"][0] == len(f"q{i}") for i in range(10))
    assert model.calls[0] == ["first"] and len(model.calls) <= 3  # the ten in one or two calls, not ten


def test_a_lone_question_goes_to_the_model_thread_while_it_holds_questions_taken_from_the_queue():
    model = ThreadsModel()
    batcher = QueryBatcher(model)
    batcher._taken = True  # as between the model thread's taking a question and its turn at the model
    batcher.embed("Busan")
    assert model.threads and model.threads[0] is not threading.current_thread()  # queued, not barging past


def test_a_failed_batch_fails_its_questions_and_the_batcher_goes_on():
    model = SlowModel(fail_on="bad")
    batcher = QueryBatcher(model, max_batch=1)
    with pytest.raises(RuntimeError, match="model failed"):
        batcher.embed("bad")
    assert batcher.embed("good")[0] == 4


def test_close_answers_what_was_queued_then_stops_the_model_thread():
    import threading

    from retrieval.batching import QueryBatcher

    release = threading.Event()

    def slow(texts):
        release.wait(5)
        return [[float(len(t))] for t in texts]

    batcher = QueryBatcher(slow)
    results = []
    asker = threading.Thread(target=lambda: results.append(batcher.embed("abc")))
    asker.start()
    closer = threading.Thread(target=batcher.close)
    closer.start()
    release.set()
    asker.join(10)
    closer.join(10)
    assert results == [[3.0]] and not batcher._thread.is_alive()
