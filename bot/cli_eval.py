"""`busan-bot eval`: retrieval quality on a question file, or on conversations."""

from __future__ import annotations

import json
import sys

from retrieval.errors import BusanBotError

from .cli_common import EXIT_OK


def cmd_eval(args, settings) -> int:
    from retrieval.engine import make_embedder
    from retrieval.evaluate import (
        eval_index_dir, evaluate, half_filter, read_passages, read_questions, strip_questions, with_answers_from,
    )

    from .evaltable import print_report

    if args.k < 1:
        raise BusanBotError("-k must be at least 1")
    if args.passages:
        passages = read_passages(args.passages)
    else:
        from retrieval.corpus import corpus_passages, load_corpus

        passages = corpus_passages(load_corpus(settings.seeds_dir, max_bytes=settings.max_article_bytes))
    questions = read_questions(args.questions)
    if args.split:
        questions = [q for q in questions if q.split == args.split]
        if not questions:
            raise BusanBotError(f"{args.questions} has no question of split '{args.split}'")
    if args.half:
        passages, questions = half_filter(passages, questions, args.half)
    if args.strip_diacritics:
        questions = strip_questions(questions)
    if args.answers:
        questions = with_answers_from(questions, read_questions(args.answers))
    embedder = make_embedder(settings)
    if any(q.conversation for q in questions):  # turns of conversations: each read with those before it
        return _eval_conversations(passages, questions, embedder, settings, args)
    report = evaluate(passages, questions, embedder, eval_index_dir(settings.cache_dir, passages), settings,
                      progress=sys.stderr.isatty(), extra_k=args.k)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print_report(report, args.k)
    return EXIT_OK


def _eval_conversations(passages, questions, embedder, settings, args) -> int:
    from retrieval.chat_eval import evaluate_chat
    from retrieval.evaluate import eval_index_dir, throwaway_index
    from retrieval.pipeline import Pipeline

    from .evaltable import print_chat_report

    index = throwaway_index(passages, embedder, eval_index_dir(settings.cache_dir, passages), settings,
                            progress=sys.stderr.isatty())
    pipeline = Pipeline.from_settings(index, embedder, settings)
    report = evaluate_chat(pipeline, questions, settings.top_k, settings.conversation_minutes)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False))
    else:
        print_chat_report(report.to_json())
    return EXIT_OK
